package console

import (
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// Action is a session action the console may offer.
type Action string

const (
	ActRemote   Action = "remote"
	ActTake     Action = "take"
	ActRelease  Action = "release"
	ActTransfer Action = "transfer"
	ActInvite   Action = "invite"
	ActClose    Action = "close"
	ActDelete   Action = "delete"
	ActChat     Action = "chat"
	ActFiles    Action = "files"
)

// deskAccount rebuilds the domain account from the wire one, so that the
// console decides rights exactly as desk.Account.Rights does: the role's
// defaults plus grants minus revocations.
func deskAccount(a api.Account) *desk.Account {
	role, _ := desk.ParseRole(a.Role)
	grant, _ := desk.ParseRights(a.Grant)
	revoke, _ := desk.ParseRights(a.Revoke)
	av, _ := desk.ParseAvailability(a.Availability)
	return &desk.Account{ID: a.ID, Email: a.Email, Name: a.Name, Role: role, Grant: grant, Revoke: revoke,
		GroupIDs: a.GroupIDs, Availability: av, Disabled: a.Disabled}
}

func deskChannel(c *api.Channel, id int64) *desk.Channel {
	if c == nil {
		return &desk.Channel{ID: id}
	}
	return &desk.Channel{ID: c.ID, Name: c.Name, GroupIDs: c.GroupIDs, TechnicianIDs: c.TechnicianIDs,
		ManagerIDs: c.ManagerIDs}
}

func tm(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

func deskSession(s api.Session) *desk.Session {
	st, _ := desk.ParseState(s.State)
	kind, _ := desk.ParseKind(s.Kind)
	return &desk.Session{ID: s.ID, ChannelID: s.ChannelID, Kind: kind, State: st, EndUserName: s.EndUserName,
		CreatedBy: s.CreatedBy, AssigneeID: s.AssigneeID, Collaborators: s.Collaborators, CreatedAt: s.CreatedAt,
		AgentJoinedAt: tm(s.AgentJoinedAt), TakenAt: tm(s.TakenAt), FirstResponseAt: tm(s.FirstResponseAt),
		ConnectedAt: tm(s.ConnectedAt), ClosedAt: tm(s.ClosedAt), ExpiresAt: tm(s.ExpiresAt)}
}

// canSee reports whether the technician still sees the session (a
// transferred session leaves the previous assignee's lists).
func canSee(me api.Account, s api.Session, ch *api.Channel) bool {
	return desk.CanSee(deskAccount(me), deskSession(s), deskChannel(ch, s.ChannelID))
}

// Allowed lists the actions the technician may apply to the session now:
// those the broker would authorize (rights, role, channel routing) and the
// session's state allows. Forbidden actions are not offered at all.
func Allowed(me api.Account, s api.Session, ch *api.Channel) map[Action]bool {
	a := deskAccount(me)
	ds := deskSession(s)
	dc := deskChannel(ch, s.ChannelID)
	out := map[Action]bool{}
	const other = int64(1) << 62 // a stand-in for "another technician"
	try := func(act desk.Action, c desk.Change, target *desk.Channel) bool {
		if desk.Authorize(a, act, ds, dc, target) != nil {
			return false
		}
		c.Action, c.ActorID, c.At = act, a.ID, time.Now()
		_, err := desk.Apply(*ds, c)
		return err == nil
	}
	out[ActTake] = s.AssigneeID != me.ID && try(desk.ActionTake, desk.Change{TargetID: a.ID}, nil)
	out[ActRelease] = try(desk.ActionRelease, desk.Change{}, nil)
	out[ActTransfer] = try(desk.ActionTransfer, desk.Change{TargetID: other}, nil)
	out[ActInvite] = try(desk.ActionInvite, desk.Change{TargetID: other}, nil)
	out[ActClose] = try(desk.ActionClose, desk.Change{}, nil)
	out[ActDelete] = try(desk.ActionDelete, desk.Change{}, nil)
	out[ActRemote] = try(desk.ActionConnect, desk.Change{}, nil)
	chat := desk.Authorize(a, desk.ActionRespond, ds, dc, nil) == nil && ds.State != desk.Closed && ds.State != desk.Expired
	out[ActChat] = chat
	out[ActFiles] = chat && a.Can(desk.RightFileTransfer)
	return out
}

// CanControl reports whether the technician may ask for remote control
// (rather than view only).
func CanControl(me api.Account) bool { return deskAccount(me).Can(desk.RightRemoteControl) }

// CanCreate reports whether the technician may create support links in the channel.
func CanCreate(me api.Account, ch api.Channel) bool {
	return desk.CanCreateIn(deskAccount(me), deskChannel(&ch, ch.ID)) == nil
}

// CanClaimCodes reports whether the technician may claim 9-digit codes.
func CanClaimCodes(me api.Account) bool { return deskAccount(me).Can(desk.RightTake) }

// routedTo reports whether new requests of the channel are routed to the technician.
func routedTo(me api.Account, ch *api.Channel) bool {
	return ch != nil && deskChannel(ch, ch.ID).RoutedTo(deskAccount(me))
}

// FirstLineLimit is the channel's first-line time, DefaultFirstLineLimit when unset.
func FirstLineLimit(ch *api.Channel) time.Duration {
	if ch == nil || ch.FirstLineLimitSeconds <= 0 {
		return desk.DefaultFirstLineLimit
	}
	return time.Duration(ch.FirstLineLimitSeconds) * time.Second
}

// FirstLine is the first-line timer of a taken session: the time since the
// current assignee took it, and whether it passed the channel's limit.
// ok is false for sessions without a running timer (not taken, or ended).
func FirstLine(s api.Session, ch *api.Channel, now time.Time) (elapsed time.Duration, over, ok bool) {
	if s.TakenAt == nil || s.AssigneeID == 0 || (s.State != "active" && s.State != "waiting") {
		return 0, false, false
	}
	elapsed = now.Sub(*s.TakenAt)
	if elapsed < 0 {
		elapsed = 0
	}
	return elapsed, elapsed > FirstLineLimit(ch), true
}
