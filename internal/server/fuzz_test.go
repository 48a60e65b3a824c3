package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/coder/websocket"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// fuzzEnv is a broker with an SOS channel and a support link, shared by
// every input of one fuzz target.
func fuzzEnv(f *testing.F) (*env, int64, string) {
	e := newEnv(f, func(c *Config) { c.AgentLimit = RateLimit{Events: 1 << 30} })
	ch := e.createChannel(api.ChannelRequest{Name: "SOS", AcceptsSOS: true, ManagerIDs: []int64{1}})
	var link api.CreateLinkResponse
	e.must(201, "POST", "/api/v1/sessions", e.owner, api.CreateLinkRequest{ChannelID: ch.ID}, &link)
	return e, ch.ID, link.LinkToken
}

// fuzzBody feeds arbitrary bodies to an agent-facing endpoint: never a
// 500, never a panic, always a well-formed answer.
func fuzzBody(f *testing.F, path string, seeds func(chanID int64, link string) []string) {
	e, chanID, link := fuzzEnv(f)
	for _, s := range seeds(chanID, link) {
		f.Add([]byte(s))
	}
	f.Add([]byte(``))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"device":{"screens":[{"width":-1,"height":1e9}],"local_ips":["::1","999.1.1.1"]}}`))
	f.Add([]byte(`{"device":{"os":"` + string(bytes.Repeat([]byte("é"), 300)) + `"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s with %q: %d %s", path, body, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s with %q: invalid JSON answer %s", path, body, rec.Body)
		}
		if rec.Code >= 400 {
			var er api.Error
			if json.Unmarshal(rec.Body.Bytes(), &er); er.Code == "" || er.Message == "" {
				t.Fatalf("%s with %q: error without code and message: %s", path, body, rec.Body)
			}
		}
	})
}

func FuzzAgentJoin(f *testing.F) {
	fuzzBody(f, "/api/v1/agent/join", func(_ int64, link string) []string {
		return []string{
			fmt.Sprintf(`{"link_token":%q,"device":{"os":"linux","screens":[{"width":800,"height":600}],"local_ips":["10.0.0.1"]}}`, link),
			`{"link_token":"nope"}`,
			`{"link_token":"` + string(bytes.Repeat([]byte("a"), 300)) + `"}`,
		}
	})
}

func FuzzSOS(f *testing.F) {
	fuzzBody(f, "/api/v1/agent/sos", func(ch int64, _ string) []string {
		return []string{
			fmt.Sprintf(`{"channel_id":%d,"name":"Carl","problem":"printer","device":{"hostname":"pc"}}`, ch),
			fmt.Sprintf(`{"channel_id":%d,"name":"","problem":"x"}`, ch),
			`{"channel_id":9223372036854775807,"name":"a","problem":"b"}`,
			`{"channel_id":-1}`,
		}
	})
}

func FuzzAgentCode(f *testing.F) {
	fuzzBody(f, "/api/v1/agent/code", func(int64, string) []string {
		return []string{`{"name":"Bea","device":{"os":"darwin"}}`, `{"name":"\u0000"}`, `{}`}
	})
}

// FuzzEnvelope feeds arbitrary client messages to an agent's WebSocket
// handling: every answer is a well-formed message, never an internal error.
func FuzzEnvelope(f *testing.F) {
	e, chanID, _ := fuzzEnv(f)
	j, err := e.svc.SubmitSOS(context.Background(), chanID, "Carl", "x", desk.DeviceInfo{}, "127.0.0.1")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		fmt.Sprintf(`{"type":"signal","session_id":%d,"data":{"sdp":"v=0"}}`, j.Session.ID),
		`{"type":"signal","session_id":1,"data":null}`,
		`{"type":"resume","seq":5}`,
		`{"type":"resume","seq":-5}`,
		`{"type":"ping"}`,
		`{"type":""}`,
		`{"type":"signal","session_id":"x"}`,
		`[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &wsConn{
			srv: e.srv, kind: desk.ActorAgent, actor: desk.Actor{Kind: desk.ActorAgent, SessionID: j.Session.ID},
			sessionID: j.Session.ID, send: make(chan outMsg, 16), resume: make(chan int64, 1), done: make(chan struct{}),
		}
		c.handle(context.Background(), data)
		for {
			select {
			case m := <-c.send:
				var env api.Envelope
				if err := json.Unmarshal(m.data, &env); err != nil || env.Type == "" {
					t.Fatalf("%q answered with %q", data, m.data)
				}
				if env.Type == api.TypeError {
					var er api.Error
					if json.Unmarshal(env.Data, &er); er.Code == "" || er.Code == desk.EINTERNAL {
						t.Fatalf("%q answered with %s", data, m.data)
					}
				}
				continue
			default:
			}
			break
		}
		if c.stopped() && c.code != websocket.StatusPolicyViolation {
			t.Fatalf("%q stopped the connection: %d %s", data, c.code, c.reason)
		}
	})
}
