package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
)

func TestExpiry(t *testing.T) {
	tests := []struct {
		name  string
		sweep time.Duration
	}{
		{"lazily when the link is used", -1},
		{"by the sweeper", 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, func(c *Config) { c.SweepInterval = tt.sweep })
			e := w.env
			var link api.CreateLinkResponse
			e.must(201, "POST", "/api/v1/sessions", w.t1Token, api.CreateLinkRequest{ChannelID: w.chanA.ID}, &link)
			sos := e.sos(w.chanA.ID, "Carl")
			if !link.ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
				t.Fatalf("link expires at %s, want the channel's hour", link.ExpiresAt)
			}

			// Not yet: a minute before the hour both still work.
			e.clock.Advance(59 * time.Minute)
			time.Sleep(50 * time.Millisecond) // give the sweeper a few rounds
			var s api.Session
			e.must(200, "GET", fmt.Sprintf("/api/v1/sessions/%d", sos.Session.SessionID), w.t1Token, nil, &s)
			if s.State != "queued" {
				t.Fatalf("before expiry: %s", s.State)
			}

			e.clock.Advance(2 * time.Minute)
			if tt.sweep > 0 {
				deadline := time.Now().Add(5 * time.Second)
				for {
					e.must(200, "GET", fmt.Sprintf("/api/v1/sessions/%d", link.Session.ID), w.t1Token, nil, &s)
					if s.State == "expired" {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("sweeper did not expire the link: %s", s.State)
					}
					time.Sleep(10 * time.Millisecond)
				}
				e.must(200, "GET", fmt.Sprintf("/api/v1/sessions/%d", sos.Session.SessionID), w.t1Token, nil, &s)
				if s.State != "expired" {
					t.Fatalf("queued SOS session after sweep: %s", s.State)
				}
				// The expired SOS session's agent token is gone with it.
				if status, _ := e.call("GET", "/api/v1/agent/session", sos.Token, nil); status != 401 {
					t.Fatalf("agent token of an expired session: %d", status)
				}
			}
			status, raw := e.call("POST", "/api/v1/agent/join", "", api.AgentJoinRequest{LinkToken: link.LinkToken, Device: testDevice})
			if status != 410 || e.errCode(raw) != "gone" {
				t.Fatalf("join after expiry: %d %s", status, raw)
			}
			e.must(200, "GET", fmt.Sprintf("/api/v1/sessions/%d", link.Session.ID), w.t1Token, nil, &s)
			if s.State != "expired" {
				t.Fatalf("link session after the join: %s", s.State)
			}
			var audit []api.AuditRecord
			e.must(200, "GET", fmt.Sprintf("/api/v1/audit?session_id=%d&action=expire", link.Session.ID), e.owner, nil, &audit)
			if len(audit) != 1 {
				t.Fatalf("expire audit records: %+v", audit)
			}
		})
	}
}
