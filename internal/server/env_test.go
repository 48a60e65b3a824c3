package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/store"
)

// fakeClock is the injected clock of service and limits.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testHasher is a fast stand-in for argon2id.
type testHasher struct{}

func (testHasher) Hash(pw string) (string, error) {
	h := sha256.Sum256([]byte("salt:" + pw))
	return hex.EncodeToString(h[:]), nil
}

func (testHasher) Verify(hash, pw string) (bool, error) {
	h, _ := testHasher{}.Hash(pw)
	return h == hash, nil
}

const password = "correct horse battery"

// env is a broker over a real SQLite store on loopback HTTP.
type env struct {
	t     testing.TB
	clock *fakeClock
	svc   *desk.Service
	hub   *Hub
	srv   *Server
	ts    *httptest.Server
	logs  *lockedBuffer
	owner string // owner's token
}

type lockedBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was logged so far; handlers may still be writing.
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newEnv(t testing.TB, configure ...func(*Config)) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "tether.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := store.NewFileBlobs(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	logs := &lockedBuffer{b: &bytes.Buffer{}}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	hub := NewHub()
	svc, err := desk.NewService(desk.ServiceConfig{Store: db, Blobs: blobs, Hasher: testHasher{}, Publisher: hub, Now: clock.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Service: svc, Hub: hub, PublicURL: "https://support.example.com/", OrgName: "Example Corp", Logger: logger, SweepInterval: -1}
	for _, f := range configure {
		f(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	e := &env{t: t, clock: clock, svc: svc, hub: hub, srv: srv, ts: ts, logs: logs}
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
		db.Close()
	})
	if _, err := svc.CreateOwner(ctx, "owner@example.com", "Olga Owner", password); err != nil {
		t.Fatal(err)
	}
	e.owner = e.login("owner@example.com")
	return e
}

// call does a JSON request and returns the status and body.
func (e *env) call(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) (int, []byte) {
	e.t.Helper()
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// must does a JSON request, checks the status and decodes the body into out.
func (e *env) must(want int, method, path, token string, body, out any) {
	e.t.Helper()
	status, raw := e.call(method, path, token, body)
	if status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

func (e *env) login(email string) string {
	e.t.Helper()
	var resp api.LoginResponse
	e.must(200, "POST", "/api/v1/login", "", api.LoginRequest{Email: email, Password: password}, &resp)
	return resp.Token
}

func (e *env) createGroup(name string) int64 {
	e.t.Helper()
	var g api.Group
	e.must(201, "POST", "/api/v1/groups", e.owner, map[string]string{"name": name}, &g)
	return g.ID
}

// createTech creates an account and returns its id and token.
func (e *env) createTech(email, role string, groups []int64, revoke ...string) (int64, string) {
	e.t.Helper()
	var a api.Account
	e.must(201, "POST", "/api/v1/technicians", e.owner, api.CreateTechnicianRequest{
		Email: email, Name: strings.Split(email, "@")[0], Role: role, Password: password,
		GroupIDs: groups, Revoke: revoke, Availability: "available",
	}, &a)
	return a.ID, e.login(email)
}

func (e *env) createChannel(req api.ChannelRequest) api.Channel {
	e.t.Helper()
	var ch api.Channel
	e.must(201, "POST", "/api/v1/channels", e.owner, req, &ch)
	return ch
}

var testDevice = api.Device{OS: "linux", OSVersion: "Debian 12", Hostname: "pc-1", User: "aaron",
	Screens: []api.Screen{{Width: 1920, Height: 1080, Primary: true}}, LocalIPs: []string{"192.168.1.20"}}

func (e *env) sos(channelID int64, name string) api.AgentJoinResponse {
	e.t.Helper()
	var j api.AgentJoinResponse
	e.must(201, "POST", "/api/v1/agent/sos", "", api.SOSRequest{ChannelID: channelID, Name: name, Problem: "it is broken", Device: testDevice}, &j)
	return j
}

func (e *env) errCode(raw []byte) string {
	var er api.Error
	json.Unmarshal(raw, &er)
	return er.Code
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }
