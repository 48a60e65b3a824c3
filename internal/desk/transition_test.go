package desk

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// base returns a session of a kind in a state, with the timestamps that
// state implies.
func base(kind Kind, st State, assignee int64) Session {
	s := Session{ID: 7, ChannelID: 1, Kind: kind, State: st, AssigneeID: assignee, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if kind == KindCode {
		s.ChannelID, s.CodeHash = 0, "h"
	}
	if st != Waiting || kind != KindLink {
		s.AgentJoinedAt = t0
	}
	if st != Waiting && st != Queued {
		s.ExpiresAt = time.Time{}
	}
	return s
}

func TestApplyEveryStateAndAction(t *testing.T) {
	at := t0.Add(2 * time.Hour) // past every ExpiresAt above
	type want struct {
		state    State
		assignee int64
		err      string // error code, "" for success
	}
	tests := []struct {
		name string
		s    Session
		c    Change
		want want
	}{
		// agent joins
		{"join waiting link with assignee", base(KindLink, Waiting, 5), Change{Action: ActionAgentJoin}, want{Active, 5, ""}},
		{"join waiting link released", base(KindLink, Waiting, 0), Change{Action: ActionAgentJoin}, want{Queued, 0, ""}},
		{"rejoin active", base(KindLink, Active, 5), Change{Action: ActionAgentJoin}, want{Active, 5, ""}},
		{"rejoin queued", base(KindSOS, Queued, 0), Change{Action: ActionAgentJoin}, want{Queued, 0, ""}},
		{"join expired", base(KindLink, Expired, 0), Change{Action: ActionAgentJoin}, want{Expired, 0, ECONFLICT}},
		{"join closed", base(KindLink, Closed, 5), Change{Action: ActionAgentJoin}, want{Closed, 5, ECONFLICT}},
		{"join code session", base(KindCode, Waiting, 0), Change{Action: ActionAgentJoin}, want{Waiting, 0, ECONFLICT}},

		// take
		{"take queued", base(KindSOS, Queued, 0), Change{Action: ActionTake, TargetID: 9}, want{Active, 9, ""}},
		{"take waiting unassigned link", base(KindLink, Waiting, 0), Change{Action: ActionTake, TargetID: 9}, want{Waiting, 9, ""}},
		{"take waiting assigned link", base(KindLink, Waiting, 5), Change{Action: ActionTake, TargetID: 9}, want{Waiting, 5, ECONFLICT}},
		{"take active", base(KindLink, Active, 5), Change{Action: ActionTake, TargetID: 9}, want{Active, 5, ECONFLICT}},
		{"take expired", base(KindSOS, Expired, 0), Change{Action: ActionTake, TargetID: 9}, want{Expired, 0, ECONFLICT}},
		{"take closed", base(KindSOS, Closed, 0), Change{Action: ActionTake, TargetID: 9}, want{Closed, 0, ECONFLICT}},
		{"take code", base(KindCode, Waiting, 0), Change{Action: ActionTake, TargetID: 9}, want{Waiting, 0, ECONFLICT}},
		{"take without technician", base(KindSOS, Queued, 0), Change{Action: ActionTake}, want{Queued, 0, EINVALID}},

		// claim code
		{"claim waiting code", base(KindCode, Waiting, 0), Change{Action: ActionClaimCode, TargetID: 9, ChannelID: 3}, want{Active, 9, ""}},
		{"claim without channel", base(KindCode, Waiting, 0), Change{Action: ActionClaimCode, TargetID: 9}, want{Waiting, 0, EINVALID}},
		{"claim a link", base(KindLink, Waiting, 0), Change{Action: ActionClaimCode, TargetID: 9, ChannelID: 3}, want{Waiting, 0, ECONFLICT}},
		{"claim expired code", base(KindCode, Expired, 0), Change{Action: ActionClaimCode, TargetID: 9, ChannelID: 3}, want{Expired, 0, ECONFLICT}},

		// release
		{"release active", base(KindLink, Active, 5), Change{Action: ActionRelease}, want{Queued, 0, ""}},
		{"release waiting assigned", base(KindLink, Waiting, 5), Change{Action: ActionRelease}, want{Waiting, 0, ""}},
		{"release waiting unassigned", base(KindLink, Waiting, 0), Change{Action: ActionRelease}, want{Waiting, 0, ECONFLICT}},
		{"release queued", base(KindSOS, Queued, 0), Change{Action: ActionRelease}, want{Queued, 0, ECONFLICT}},
		{"release closed", base(KindSOS, Closed, 5), Change{Action: ActionRelease}, want{Closed, 5, ECONFLICT}},
		{"release expired", base(KindSOS, Expired, 0), Change{Action: ActionRelease}, want{Expired, 0, ECONFLICT}},

		// transfer
		{"transfer active to technician", base(KindLink, Active, 5), Change{Action: ActionTransfer, TargetID: 9}, want{Active, 9, ""}},
		{"transfer active to channel", base(KindLink, Active, 5), Change{Action: ActionTransfer, ChannelID: 2}, want{Queued, 0, ""}},
		{"transfer active to channel and technician", base(KindLink, Active, 5), Change{Action: ActionTransfer, TargetID: 9, ChannelID: 2}, want{Active, 9, ""}},
		{"transfer queued to technician", base(KindSOS, Queued, 0), Change{Action: ActionTransfer, TargetID: 9}, want{Active, 9, ""}},
		{"transfer waiting link to technician", base(KindLink, Waiting, 5), Change{Action: ActionTransfer, TargetID: 9}, want{Waiting, 9, ""}},
		{"transfer waiting link to channel", base(KindLink, Waiting, 5), Change{Action: ActionTransfer, ChannelID: 2}, want{Waiting, 0, ""}},
		{"transfer to nobody", base(KindLink, Active, 5), Change{Action: ActionTransfer}, want{Active, 5, EINVALID}},
		{"transfer to same channel", base(KindLink, Active, 5), Change{Action: ActionTransfer, ChannelID: 1}, want{Active, 5, EINVALID}},
		{"transfer closed", base(KindLink, Closed, 5), Change{Action: ActionTransfer, TargetID: 9}, want{Closed, 5, ECONFLICT}},
		{"transfer expired", base(KindLink, Expired, 0), Change{Action: ActionTransfer, TargetID: 9}, want{Expired, 0, ECONFLICT}},
		{"transfer unclaimed code", base(KindCode, Waiting, 0), Change{Action: ActionTransfer, TargetID: 9}, want{Waiting, 0, ECONFLICT}},

		// invite
		{"invite to active", base(KindLink, Active, 5), Change{Action: ActionInvite, TargetID: 9}, want{Active, 5, ""}},
		{"invite the assignee", base(KindLink, Active, 5), Change{Action: ActionInvite, TargetID: 5}, want{Active, 5, ECONFLICT}},
		{"invite to queued", base(KindSOS, Queued, 0), Change{Action: ActionInvite, TargetID: 9}, want{Queued, 0, ECONFLICT}},
		{"invite to waiting", base(KindLink, Waiting, 5), Change{Action: ActionInvite, TargetID: 9}, want{Waiting, 5, ECONFLICT}},
		{"invite to closed", base(KindLink, Closed, 5), Change{Action: ActionInvite, TargetID: 9}, want{Closed, 5, ECONFLICT}},

		// respond and connect need an active session
		{"respond active", base(KindLink, Active, 5), Change{Action: ActionRespond}, want{Active, 5, ""}},
		{"respond queued", base(KindSOS, Queued, 0), Change{Action: ActionRespond}, want{Queued, 0, ECONFLICT}},
		{"connect active", base(KindLink, Active, 5), Change{Action: ActionConnect}, want{Active, 5, ""}},
		{"connect closed", base(KindLink, Closed, 5), Change{Action: ActionConnect}, want{Closed, 5, ECONFLICT}},
		{"connect waiting", base(KindLink, Waiting, 5), Change{Action: ActionConnect}, want{Waiting, 5, ECONFLICT}},

		// close
		{"close waiting", base(KindLink, Waiting, 5), Change{Action: ActionClose}, want{Closed, 5, ""}},
		{"close active", base(KindLink, Active, 5), Change{Action: ActionClose}, want{Closed, 5, ""}},
		{"close queued", base(KindSOS, Queued, 0), Change{Action: ActionClose}, want{Closed, 0, ""}},
		{"close expired", base(KindSOS, Expired, 0), Change{Action: ActionClose}, want{Closed, 0, ""}},
		{"close closed", base(KindSOS, Closed, 0), Change{Action: ActionClose}, want{Closed, 0, ECONFLICT}},

		// expire
		{"expire waiting", base(KindLink, Waiting, 5), Change{Action: ActionExpire}, want{Expired, 5, ""}},
		{"expire queued", base(KindSOS, Queued, 0), Change{Action: ActionExpire}, want{Expired, 0, ""}},
		{"expire active", base(KindLink, Active, 5), Change{Action: ActionExpire}, want{Active, 5, ECONFLICT}},
		{"expire closed", base(KindLink, Closed, 5), Change{Action: ActionExpire}, want{Closed, 5, ECONFLICT}},
		{"expire expired", base(KindLink, Expired, 5), Change{Action: ActionExpire}, want{Expired, 5, ECONFLICT}},

		// delete works in every state
		{"delete waiting", base(KindLink, Waiting, 5), Change{Action: ActionDelete}, want{Waiting, 5, ""}},
		{"delete active", base(KindLink, Active, 5), Change{Action: ActionDelete}, want{Active, 5, ""}},
		{"delete closed", base(KindLink, Closed, 5), Change{Action: ActionDelete}, want{Closed, 5, ""}},

		{"unknown action", base(KindLink, Active, 5), Change{Action: ActionUnknown}, want{Active, 5, EINVALID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.At = at
			before := tt.s
			got, err := Apply(tt.s, tt.c)
			if code := ErrorCode(err); code != tt.want.err {
				t.Fatalf("error code = %q (%v), want %q", code, err, tt.want.err)
			}
			if got.State != tt.want.state || got.AssigneeID != tt.want.assignee {
				t.Fatalf("got %s assignee %d, want %s assignee %d", got.State, got.AssigneeID, tt.want.state, tt.want.assignee)
			}
			if err != nil {
				if tt.want.err == ECONFLICT && !strings.Contains(err.Error(), before.State.String()) {
					t.Errorf("conflict error %q does not name the current state %s", err, before.State)
				}
				if got.State != before.State || got.AssigneeID != before.AssigneeID || got.ChannelID != before.ChannelID {
					t.Errorf("a refused change altered the session")
				}
			}
		})
	}
}

func TestApplyTimestampsAndExpiry(t *testing.T) {
	at := t0.Add(10 * time.Minute)
	// SOS Call taken: first response and first-line timer start, expiry cleared.
	got, err := Apply(base(KindSOS, Queued, 0), Change{Action: ActionTake, TargetID: 9, At: at})
	if err != nil {
		t.Fatal(err)
	}
	if !got.FirstResponseAt.Equal(at) || !got.TakenAt.Equal(at) || !got.ExpiresAt.IsZero() {
		t.Errorf("take: first response %v, taken %v, expires %v", got.FirstResponseAt, got.TakenAt, got.ExpiresAt)
	}
	// Released: back to the queue with a fresh expiry from the channel.
	rel, err := Apply(got, Change{Action: ActionRelease, Expiration: time.Hour, At: at.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if !rel.ExpiresAt.Equal(at.Add(time.Minute+time.Hour)) || !rel.TakenAt.IsZero() || !rel.FirstResponseAt.Equal(at) {
		t.Errorf("release: expires %v taken %v first response %v", rel.ExpiresAt, rel.TakenAt, rel.FirstResponseAt)
	}
	// Expire refuses before its time.
	if _, err := Apply(rel, Change{Action: ActionExpire, At: at}); ErrorCode(err) != ECONFLICT {
		t.Errorf("early expire: %v, want conflict", err)
	}
	// A claimed code works once.
	claimed, err := Apply(base(KindCode, Waiting, 0), Change{Action: ActionClaimCode, TargetID: 9, ChannelID: 3, At: at})
	if err != nil || claimed.CodeHash != "" || claimed.ChannelID != 3 {
		t.Errorf("claim: err %v code hash %q channel %d", err, claimed.CodeHash, claimed.ChannelID)
	}
	// A deleted session is gone for every action.
	del, _ := Apply(base(KindLink, Active, 5), Change{Action: ActionDelete, At: at})
	if _, err := Apply(del, Change{Action: ActionClose, At: at}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("close after delete: %v, want not_found", err)
	}
	// Connect records the first connection only.
	c1, _ := Apply(base(KindLink, Active, 5), Change{Action: ActionConnect, At: at})
	c2, _ := Apply(c1, Change{Action: ActionConnect, At: at.Add(time.Hour)})
	if !c2.ConnectedAt.Equal(at) {
		t.Errorf("connected at %v, want the first connection %v", c2.ConnectedAt, at)
	}
	// Invite adds collaborators without aliasing the original slice.
	orig := base(KindLink, Active, 5)
	orig.Collaborators = make([]int64, 0, 4)
	inv, _ := Apply(orig, Change{Action: ActionInvite, TargetID: 9, At: at})
	if len(inv.Collaborators) != 1 || len(orig.Collaborators) != 0 {
		t.Errorf("invite: collaborators %v (original %v)", inv.Collaborators, orig.Collaborators)
	}
}
