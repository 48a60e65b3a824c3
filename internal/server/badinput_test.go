package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tetherdesk/tether/internal/api"
)

// TestBadInput sends broken bodies to endpoints that change things and
// checks the status, the message and that nothing changed.
func TestBadInput(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.MaxBodyBytes = 4096 })
	e := w.env
	big := `{"name":"` + strings.Repeat("a", 5000) + `"}`
	bodies := []struct {
		name        string
		contentType string
		body        string
		status      int
		message     string
	}{
		{"malformed", "application/json", `{"name":`, 400, "truncated"},
		{"syntax error", "application/json", `{"name" "x"}`, 400, "malformed JSON"},
		{"unknown field", "application/json", `{"colour":"red"}`, 400, `unknown field "colour"`},
		{"wrong type", "", "", 400, "must be"}, // per endpoint, below
		{"array", "application/json", `[]`, 400, "must be an object, not array"},
		{"trailing data", "application/json", `{} {}`, 400, "exactly one JSON value"},
		{"trailing garbage", "application/json", `{}x`, 400, "exactly one JSON value"},
		{"empty", "application/json", ``, 400, "empty"},
		{"null", "application/json", `null`, 400, ""},
		{"wrong content type", "text/plain", `{}`, 400, "Content-Type"},
		{"no content type", "", `{}`, 400, "Content-Type"},
		{"too large", "application/json", big, 413, "larger than 4096"},
		{"huge number", "application/json", `{"channel_id":1e400}`, 400, ""},
	}
	endpoints := []struct {
		method, path string
		token        string
		wrongType    string
	}{
		{"POST", "/api/v1/login", "", `{"email":1}`},
		{"POST", "/api/v1/agent/join", "", `{"link_token":true}`},
		{"POST", "/api/v1/agent/code", "", `{"name":[]}`},
		{"POST", "/api/v1/agent/sos", "", `{"channel_id":"1"}`},
		{"POST", "/api/v1/sessions", w.t1Token, `{"channel_id":1.5}`},
		{"POST", "/api/v1/channels", e.owner, `{"expiration_seconds":"1h"}`},
		{"POST", "/api/v1/groups", e.owner, `{"name":5}`},
		{"POST", "/api/v1/technicians", e.owner, `{"group_ids":"1"}`},
		{"PUT", "/api/v1/me/availability", w.t1Token, `{"availability":{}}`},
		{"POST", "/api/v1/codes/claim", w.t1Token, `{"code":123456789}`},
	}
	snapshot := func() string {
		var b bytes.Buffer
		for _, p := range []string{"/api/v1/sessions", "/api/v1/channels", "/api/v1/groups", "/api/v1/technicians", "/api/v1/audit"} {
			_, raw := e.call("GET", p, e.owner, nil)
			b.Write(raw)
		}
		return b.String()
	}
	before := snapshot()
	for _, ep := range endpoints {
		for _, b := range bodies {
			if b.name == "null" || b.name == "huge number" {
				continue // meaningful only where checked below
			}
			if b.name == "wrong type" {
				b.contentType, b.body = "application/json", ep.wrongType
			}
			req, _ := http.NewRequest(ep.method, e.ts.URL+ep.path, strings.NewReader(b.body))
			if b.contentType != "" {
				req.Header.Set("Content-Type", b.contentType)
			}
			if ep.token != "" {
				req.Header.Set("Authorization", "Bearer "+ep.token)
			}
			status, raw := e.send(req)
			var er api.Error
			json.Unmarshal(raw, &er)
			if status != b.status || er.Code == "" || !strings.Contains(er.Message, b.message) {
				t.Errorf("%s %s, %s: %d %s (want %d %q)", ep.method, ep.path, b.name, status, raw, b.status, b.message)
			}
		}
	}
	// Values that decode but are not valid.
	for _, b := range bodies {
		if b.name != "null" && b.name != "huge number" {
			continue
		}
		status, raw := e.call("POST", "/api/v1/agent/sos", "", b.body)
		if status != 400 {
			t.Errorf("SOS with %s: %d %s", b.name, status, raw)
		}
	}
	if after := snapshot(); after != before {
		t.Error("bad input changed the broker's data")
	}
}

func TestBadRequests(t *testing.T) {
	w := newWorld(t)
	e := w.env
	tests := []struct {
		method, path string
		token        string
		status       int
		code         string
	}{
		{"GET", "/api/v1/sessions/abc", w.t1Token, 400, "invalid"},
		{"GET", "/api/v1/sessions/0", w.t1Token, 400, "invalid"},
		{"GET", "/api/v1/sessions/-3", w.t1Token, 400, "invalid"},
		{"GET", "/api/v1/sessions/99999", w.t1Token, 404, "not_found"},
		{"GET", "/api/v1/sessions/99999999999999999999", w.t1Token, 400, "invalid"},
		{"GET", "/api/v1/sessions?state=bogus", w.t1Token, 400, "invalid"},
		{"GET", "/api/v1/sessions?sort=password", w.t1Token, 400, "invalid"},
		{"GET", "/api/v1/sessions?limit=0", w.t1Token, 400, "invalid"},
		{"GET", "/api/v1/sessions?channel_id=x", w.t1Token, 400, "invalid"},
		{"GET", "/api/v1/reports?from=yesterday", e.owner, 400, "invalid"},
		{"GET", "/api/v1/reports?from=2026-03-02&to=2026-03-01", e.owner, 400, "invalid"},
		{"GET", "/api/v1/audit?after_seq=-1", e.owner, 400, "invalid"},
		{"GET", "/api/v1/events?since=-1", w.t1Token, 400, "invalid"},
		{"GET", "/api/v1/nothing", "", 404, "not_found"},
		{"DELETE", "/api/v1/me", w.t1Token, 405, "invalid"},
		{"GET", "/api/v1/me", "not-a-token", 401, "unauthorized"},
		{"GET", "/api/v1/me", strings.Repeat("x", 1000), 401, "unauthorized"},
		{"POST", fmt.Sprintf("/api/v1/sessions/%d/files", 1), w.t1Token, 400, "invalid"}, // raw upload without ?name=
	}
	for _, tt := range tests {
		status, raw := e.call(tt.method, tt.path, tt.token, nil)
		if status != tt.status || e.errCode(raw) != tt.code {
			t.Errorf("%s %s: %d %s, want %d %s", tt.method, tt.path, status, raw, tt.status, tt.code)
		}
	}
	// 405 names the allowed methods.
	req, _ := http.NewRequest("DELETE", e.ts.URL+"/api/v1/me", nil)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Allow") == "" {
		t.Error("405 without Allow")
	}
	// A broken multipart body is the client's error.
	req, _ = http.NewRequest("POST", e.ts.URL+"/api/v1/sessions/1/files", strings.NewReader("--x\r\nbroken"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("Authorization", "Bearer "+w.t1Token)
	if status, raw := e.send(req); status != 400 && status != 404 {
		t.Errorf("broken multipart: %d %s", status, raw)
	}
}

func TestPanicIsRecovered(t *testing.T) {
	e := newEnv(t)
	e.srv.mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	status, raw := e.call("GET", "/panic", "", nil)
	if status != 500 || e.errCode(raw) != "internal" || strings.Contains(string(raw), "boom") {
		t.Fatalf("panic: %d %s", status, raw)
	}
	if !strings.Contains(e.logs.String(), "boom") {
		t.Error("panic not logged")
	}
	var info api.Info
	e.must(200, "GET", "/api/v1/info", "", nil, &info)
}
