package server

import (
	"fmt"
	"testing"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// TestICEConfig: each peer of an active session gets the configured servers
// with credentials named for it; the policy is passed through; a queued
// session gets none.
func TestICEConfig(t *testing.T) {
	var asked []string
	e := newEnv(t, func(c *Config) {
		c.ICEPolicy = "relay"
		c.ICE = func(peer string) []api.ICEServer {
			asked = append(asked, peer)
			return []api.ICEServer{{URLs: []string{"turn:relay.example.com:3478"}, Username: "u:" + peer, Credential: "c"}}
		}
	})
	g := e.createGroup("Tier 1")
	ch := e.createChannel(api.ChannelRequest{Name: "Desk", GroupIDs: []int64{g}, AcceptsSOS: true})
	techID, tech := e.createTech("tess@example.com", "technician", []int64{g})
	join := e.sos(ch.ID, "Aaron")
	sid := join.Session.SessionID

	// Queued: nobody may fetch relay credentials yet.
	if code, raw := e.call("GET", "/api/v1/agent/ice", join.Token, nil); code != 409 {
		t.Fatalf("agent ice on a queued session: %d %s", code, raw)
	}
	e.must(200, "POST", fmt.Sprintf("/api/v1/sessions/%d/take", sid), tech, nil, nil)

	var agentICE, techICE api.ICEConfig
	e.must(200, "GET", "/api/v1/agent/ice", join.Token, nil, &agentICE)
	e.must(200, "GET", fmt.Sprintf("/api/v1/sessions/%d/ice", sid), tech, nil, &techICE)
	wantAgent, wantTech := fmt.Sprintf("session-%d-agent", sid), fmt.Sprintf("session-%d-tech-%d", sid, techID)
	for _, tt := range []struct {
		got  api.ICEConfig
		peer string
	}{{agentICE, wantAgent}, {techICE, wantTech}} {
		if tt.got.TransportPolicy != "relay" || len(tt.got.ICEServers) != 1 || tt.got.ICEServers[0].Username != "u:"+tt.peer {
			t.Errorf("ICE config %+v, want relay policy and credentials for %s", tt.got, tt.peer)
		}
	}
	if len(asked) != 2 {
		t.Errorf("ICE provider asked %d times (%v), want 2", len(asked), asked)
	}
}

// TestTransferTargets: first line sees second line's channel, which is not
// routed to them, with the technicians who may take the session there.
func TestTransferTargets(t *testing.T) {
	e := newEnv(t)
	t1 := e.createGroup("Tier 1")
	t2 := e.createGroup("Tier 2")
	first := e.createChannel(api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{t1}, AcceptsSOS: true})
	second := e.createChannel(api.ChannelRequest{Name: "Second Line", GroupIDs: []int64{t2}})
	_, tess := e.createTech("tess@example.com", "technician", []int64{t1})
	tomID, _ := e.createTech("tom@example.com", "technician", []int64{t2})
	join := e.sos(first.ID, "Aaron")
	e.must(200, "POST", fmt.Sprintf("/api/v1/sessions/%d/take", join.Session.SessionID), tess, nil, nil)

	var got []api.TransferTarget
	e.must(200, "GET", fmt.Sprintf("/api/v1/sessions/%d/transfer-targets", join.Session.SessionID), tess, nil, &got)
	var tier2 *api.TransferTarget
	for i := range got {
		if got[i].ChannelID == second.ID {
			tier2 = &got[i]
		}
	}
	if tier2 == nil || tier2.ChannelName != "Second Line" {
		t.Fatalf("second line missing from %+v", got)
	}
	found := false
	for _, a := range tier2.Technicians {
		found = found || a.ID == tomID
	}
	if !found {
		t.Fatalf("Tom (tier 2) missing from second line's technicians %+v", tier2.Technicians)
	}
	// And the transfer the list suggests is accepted.
	e.must(200, "POST", fmt.Sprintf("/api/v1/sessions/%d/transfer", join.Session.SessionID), tess, api.TransferRequest{ChannelID: second.ID, TechnicianID: tomID}, nil)
}

// TestJoinSeqLetsAgentMissNothing: a consent request made after the agent
// joined but before its events connection is up reaches it when it
// connects with ?since= the join's seq.
func TestJoinSeqLetsAgentMissNothing(t *testing.T) {
	e := newEnv(t)
	g := e.createGroup("Tier 1")
	ch := e.createChannel(api.ChannelRequest{Name: "Desk", GroupIDs: []int64{g}})
	_, tess := e.createTech("tess@example.com", "technician", []int64{g})
	var link api.CreateLinkResponse
	e.must(201, "POST", "/api/v1/sessions", tess, api.CreateLinkRequest{ChannelID: ch.ID}, &link)
	var join api.AgentJoinResponse
	e.must(200, "POST", "/api/v1/agent/join", "", api.AgentJoinRequest{LinkToken: link.LinkToken, Device: testDevice}, &join)
	if join.Seq == 0 {
		t.Fatal("join answered without a seq")
	}
	// The technician asks before the agent's WebSocket exists.
	e.must(201, "POST", fmt.Sprintf("/api/v1/sessions/%d/remote", join.Session.SessionID), tess, api.RemoteRequest{Mode: "control"}, nil)

	agent := e.dial(join.Token, fmt.Sprintf("since=%d", join.Seq))
	replayed, _ := agent.ready()
	for _, m := range replayed {
		if m.Type == string(desk.EventConsentRequested) {
			return
		}
	}
	t.Fatalf("the consent request made before the connection was not replayed: %+v", replayed)
}
