package viewer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/server"
	"github.com/tetherdesk/tether/internal/store"
)

// fakeClock is the broker's injected clock.
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

var testDevice = api.Device{OS: "linux", OSVersion: "Debian 12", Hostname: "pc-1", User: "aaron",
	Screens: []api.Screen{{Width: 1920, Height: 1080, Primary: true}}, LocalIPs: []string{"192.168.1.20"}}

// realApp, when set (screenshot runs), replaces Fyne's test app.
var realApp fyne.App

// env is a real broker (SQLite in a temp dir) on loopback HTTP, and a Fyne
// test app.
type env struct {
	t     *testing.T
	clock *fakeClock
	url   string
	owner *apiclient.Client
	me    api.Account // the owner
	app   fyne.App
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "tether.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := store.NewFileBlobs(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	logger := slog.New(slog.DiscardHandler)
	hub := server.NewHub()
	svc, err := desk.NewService(desk.ServiceConfig{Store: db, Blobs: blobs, Hasher: testHasher{}, Publisher: hub, Now: clock.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Service: svc, Hub: hub, PublicURL: "https://support.example.com", OrgName: "Example Corp", Logger: logger, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
		db.Close()
	})
	if _, err := svc.CreateOwner(ctx, "owner@example.com", "Olga Owner", password); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: clock, url: ts.URL}
	e.owner, e.me = e.login("owner@example.com")
	e.app = realApp
	if e.app == nil {
		e.app = test.NewTempApp(t)
	}
	return e
}

func (e *env) login(email string) (*apiclient.Client, api.Account) {
	e.t.Helper()
	c, err := apiclient.New(e.url, apiclient.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := c.Login(context.Background(), email, password)
	if err != nil {
		e.t.Fatalf("login %s: %v", email, err)
	}
	return c, resp.Account
}

func (e *env) createTech(email, role string, groups ...int64) api.Account {
	e.t.Helper()
	a, err := e.owner.CreateTechnician(context.Background(), api.CreateTechnicianRequest{
		Email: email, Name: strings.Split(email, "@")[0], Role: role, Password: password, GroupIDs: groups, Availability: "available"})
	if err != nil {
		e.t.Fatal(err)
	}
	return *a
}

func ctx() context.Context { return context.Background() }
