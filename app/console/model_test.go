package console

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
)

func TestQueueWaitAfterRequeue(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	m := newModel()
	m.setChannels([]api.Channel{{ID: 1, Name: "Help Desk", ExpirationSeconds: 3600}})
	joined := now.Add(-10 * time.Minute)
	exp := now.Add(-time.Minute).Add(time.Hour) // queued again a minute ago
	s := api.Session{ID: 7, ChannelID: 1, State: "queued", CreatedAt: joined, AgentJoinedAt: &joined, ExpiresAt: &exp}
	if got := m.QueueWait(s, now); got != time.Minute {
		t.Errorf("queue wait %v, want 1m", got)
	}
	if got := WaitTime(s, now); got != 10*time.Minute {
		t.Errorf("wait since joining %v", got)
	}
}

func TestNotices(t *testing.T) {
	me := api.Account{ID: 5, Name: "Tess", Role: "technician", GroupIDs: []int64{1}, Availability: "available"}
	m := newModel()
	m.setMe(me)
	m.setChannels([]api.Channel{{ID: 1, Name: "Help Desk", GroupIDs: []int64{1}}})
	env := func(typ string, s api.Session) api.Envelope {
		raw, _ := json.Marshal(s)
		return api.Envelope{Type: typ, SessionID: s.ID, ChannelID: s.ChannelID, Data: raw}
	}
	t0 := time.Now()
	for _, tc := range []struct {
		name string
		typ  string
		s    api.Session
		want string
	}{
		{"new request", "session.created", api.Session{ID: 1, ChannelID: 1, State: "queued", EndUserName: "Aaron"}, "New request"},
		{"no repeat", "session.updated", api.Session{ID: 1, ChannelID: 1, State: "queued", EndUserName: "Aaron"}, ""},
		{"link created by me", "session.created", api.Session{ID: 2, ChannelID: 1, State: "waiting", AssigneeID: 5, CreatedBy: 5}, ""},
		{"end user ready", "session.updated", api.Session{ID: 2, ChannelID: 1, State: "active", AssigneeID: 5, CreatedBy: 5, AgentJoinedAt: &t0}, "End user ready"},
		{"transferred to me", "invitation", api.Session{ID: 3, ChannelID: 1, State: "active", AssigneeID: 5}, "Session transferred to you"},
		{"invited", "invitation", api.Session{ID: 4, ChannelID: 1, State: "active", AssigneeID: 9, Collaborators: []int64{5}}, "Invitation to collaborate"},
		{"assigned by a manager", "session.updated", api.Session{ID: 1, ChannelID: 1, State: "active", AssigneeID: 5, EndUserName: "Aaron"}, "Session assigned to you"},
	} {
		_, _, _, notices := m.Apply(env(tc.typ, tc.s))
		got := ""
		if len(notices) > 0 {
			got = notices[0].Title
		}
		if got != tc.want {
			t.Errorf("%s: notice %q, want %q (%v)", tc.name, got, tc.want, notices)
		}
	}
	// My own take does not notify me.
	m.Apply(env("session.created", api.Session{ID: 8, ChannelID: 1, State: "queued"}))
	m.expectSelf(8)
	if _, _, _, n := m.Apply(env("session.updated", api.Session{ID: 8, ChannelID: 1, State: "active", AssigneeID: 5})); len(n) != 0 {
		t.Errorf("notified of my own take: %v", n)
	}
}
