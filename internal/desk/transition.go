package desk

import "time"

// Action is something that happens to a session. Every state change goes
// through Apply; the audit log records actions by their String name.
type Action int

const (
	ActionUnknown Action = iota
	ActionCreate
	ActionAgentJoin
	ActionTake
	ActionClaimCode
	ActionRelease
	ActionTransfer
	ActionInvite
	ActionRespond
	ActionConnect
	ActionClose
	ActionExpire
	ActionDelete
)

var actionNames = map[Action]string{
	ActionCreate:    "create",
	ActionAgentJoin: "agent_join",
	ActionTake:      "take",
	ActionClaimCode: "claim_code",
	ActionRelease:   "release",
	ActionTransfer:  "transfer",
	ActionInvite:    "invite",
	ActionRespond:   "respond",
	ActionConnect:   "connect",
	ActionClose:     "close",
	ActionExpire:    "expire",
	ActionDelete:    "delete",
}

func (a Action) String() string {
	if s, ok := actionNames[a]; ok {
		return s
	}
	return "unknown"
}

// Change is one action applied to a session by an actor at a time.
type Change struct {
	Action Action
	// ActorID is the technician acting, 0 for the agent or the system.
	ActorID int64
	// TargetID is the technician a take, claim, transfer or invite is for.
	TargetID int64
	// ChannelID is the channel a claim or transfer moves the session to
	// (0: stay), and Expiration that channel's expiration time.
	ChannelID  int64
	Expiration time.Duration
	At         time.Time
}

// Apply is the session state machine: it returns the session after the
// change, or an error naming the current state when the change is illegal.
// It is pure: rights are checked separately by Authorize.
func Apply(s Session, c Change) (Session, error) {
	if s.Deleted() {
		return s, Errorf(ENOTFOUND, "session %d was deleted", s.ID)
	}
	illegal := func() (Session, error) {
		return s, Errorf(ECONFLICT, "cannot %s session %d: it is %s", c.Action, s.ID, s.State)
	}
	respond := func() {
		if s.FirstResponseAt.IsZero() && !s.AgentJoinedAt.IsZero() {
			s.FirstResponseAt = c.At
		}
	}
	queue := func() {
		s.State, s.AssigneeID, s.Collaborators, s.TakenAt = Queued, 0, nil, time.Time{}
		s.ExpiresAt = c.At.Add(c.Expiration)
	}

	switch c.Action {
	case ActionAgentJoin:
		switch s.State {
		case Waiting:
			if s.Kind == KindCode {
				return illegal() // a code session is joined when created; it waits for a claim
			}
			s.AgentJoinedAt = c.At
			if s.AssigneeID != 0 {
				s.State, s.ExpiresAt = Active, time.Time{}
				s.TakenAt = c.At
			} else {
				queue()
			}
		case Active, Queued:
			// A restarted agent rejoins its session; nothing changes.
		default:
			return illegal()
		}

	case ActionTake:
		if c.TargetID == 0 {
			return s, Errorf(EINVALID, "take needs a technician")
		}
		switch {
		case s.State == Queued:
			s.State, s.ExpiresAt = Active, time.Time{}
		case s.State == Waiting && s.AssigneeID == 0 && s.Kind != KindCode:
			// Stays Waiting until the agent joins.
		default:
			return illegal()
		}
		s.AssigneeID, s.TakenAt = c.TargetID, c.At
		s.Collaborators = remove(s.Collaborators, c.TargetID)
		respond()

	case ActionClaimCode:
		if s.State != Waiting || s.Kind != KindCode {
			return illegal()
		}
		if c.TargetID == 0 || c.ChannelID == 0 {
			return s, Errorf(EINVALID, "claiming a code needs a technician and a channel")
		}
		s.State, s.ExpiresAt = Active, time.Time{}
		s.AssigneeID, s.ChannelID, s.TakenAt = c.TargetID, c.ChannelID, c.At
		s.CodeHash = "" // a code works once
		respond()

	case ActionRelease:
		switch {
		case s.State == Active:
			queue()
		case s.State == Waiting && s.AssigneeID != 0:
			s.AssigneeID, s.TakenAt = 0, time.Time{}
		default:
			return illegal()
		}

	case ActionTransfer:
		if !s.State.Open() || s.Kind == KindCode && s.State == Waiting {
			return illegal()
		}
		if c.TargetID == 0 && (c.ChannelID == 0 || c.ChannelID == s.ChannelID) {
			return s, Errorf(EINVALID, "transfer needs another technician or another channel")
		}
		if c.ChannelID != 0 {
			s.ChannelID = c.ChannelID
		}
		joined := !s.AgentJoinedAt.IsZero()
		switch {
		case c.TargetID != 0 && joined:
			s.State, s.ExpiresAt = Active, time.Time{}
			s.AssigneeID, s.TakenAt = c.TargetID, c.At
			s.Collaborators = remove(s.Collaborators, c.TargetID)
			respond()
		case c.TargetID != 0:
			s.AssigneeID, s.TakenAt = c.TargetID, c.At
		case joined:
			queue()
		default:
			s.AssigneeID, s.TakenAt = 0, time.Time{}
			s.ExpiresAt = c.At.Add(c.Expiration)
		}

	case ActionInvite:
		if s.State != Active {
			return illegal()
		}
		if c.TargetID == 0 {
			return s, Errorf(EINVALID, "invite needs a technician")
		}
		if s.Participant(c.TargetID) {
			return s, Errorf(ECONFLICT, "technician %d already works session %d (%s)", c.TargetID, s.ID, s.State)
		}
		s.Collaborators = append(append([]int64(nil), s.Collaborators...), c.TargetID)

	case ActionRespond:
		if s.State != Active {
			return illegal()
		}
		respond()

	case ActionConnect:
		if s.State != Active {
			return illegal()
		}
		if s.ConnectedAt.IsZero() {
			s.ConnectedAt = c.At
		}

	case ActionClose:
		if s.State == Closed {
			return illegal()
		}
		s.State, s.ClosedAt, s.ExpiresAt, s.CodeHash = Closed, c.At, time.Time{}, ""

	case ActionExpire:
		if s.State != Waiting && s.State != Queued {
			return illegal()
		}
		if c.At.Before(s.ExpiresAt) {
			return s, Errorf(ECONFLICT, "session %d does not expire before %s", s.ID, s.ExpiresAt.Format(time.RFC3339))
		}
		s.State, s.ExpiresAt, s.CodeHash = Expired, time.Time{}, ""

	case ActionDelete:
		s.DeletedAt, s.CodeHash = c.At, ""

	default:
		return s, Errorf(EINVALID, "unknown action %d", int(c.Action))
	}
	return s, nil
}

func remove(ids []int64, id int64) []int64 {
	var out []int64
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
