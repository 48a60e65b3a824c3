// Package brokertest runs a real broker for tests: SQLite in a temporary
// directory, the desk service with an adjustable clock and a fast password
// hasher, and the HTTP server on loopback. Like broker/main.go it wires
// the store to the server; only tests import it.
package brokertest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/server"
	"github.com/tetherdesk/tether/internal/store"
)

// Password is every test account's password; OwnerEmail the owner's login.
const (
	Password   = "correct horse battery"
	OwnerEmail = "owner@example.com"
)

// Device is a plausible end-user computer.
var Device = api.Device{OS: "linux", OSVersion: "Debian 12", Hostname: "pc-1", User: "aaron",
	Screens: []api.Screen{{Width: 1920, Height: 1080, Primary: true}}, LocalIPs: []string{"192.168.1.20"}}

// Clock is the broker's injected clock; it moves only when told to.
type Clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Hasher is a fast stand-in for argon2id: tests log in hundreds of times.
type Hasher struct{}

// Hash implements desk.PasswordHasher.
func (Hasher) Hash(pw string) (string, error) {
	h := sha256.Sum256([]byte("salt:" + pw))
	return hex.EncodeToString(h[:]), nil
}

// Verify implements desk.PasswordHasher.
func (Hasher) Verify(hash, pw string) (bool, error) {
	h, _ := Hasher{}.Hash(pw)
	return h == hash, nil
}

// Options adjust the broker.
type Options struct {
	// Configure changes the server's configuration before it starts.
	Configure func(*server.Config)
	// Wrap, when set, wraps the server's handler (e.g. to slow it down).
	Wrap   func(http.Handler) http.Handler
	Logger *slog.Logger
}

// Broker is a running test broker with an owner account.
type Broker struct {
	URL string
	// HTTP is the loopback server (closing it makes the broker unreachable).
	HTTP    *httptest.Server
	Clock   *Clock
	Service *desk.Service
	Server  *server.Server
}

// Start runs a broker for the rest of the test, with the owner
// OwnerEmail/Password; the clock starts at 2026-03-02 09:00 UTC.
func Start(t testing.TB, opts Options) *Broker {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "tether.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := store.NewFileBlobs(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	clock := &Clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	hub := server.NewHub()
	svc, err := desk.NewService(desk.ServiceConfig{Store: db, Blobs: blobs, Hasher: Hasher{}, Publisher: hub, Now: clock.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Service: svc, Hub: hub, PublicURL: "https://support.example.com", OrgName: "Example Corp", Logger: logger, SweepInterval: -1}
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if opts.Wrap != nil {
		h = opts.Wrap(srv)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
		db.Close()
	})
	if _, err := svc.CreateOwner(ctx, OwnerEmail, "Olga Owner", Password); err != nil {
		t.Fatal(err)
	}
	return &Broker{URL: ts.URL, HTTP: ts, Clock: clock, Service: svc, Server: srv}
}

// Login returns a client logged in as email, and the account.
func (b *Broker) Login(t testing.TB, email string) (*apiclient.Client, api.Account) {
	t.Helper()
	c, err := apiclient.New(b.URL, apiclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Login(context.Background(), email, Password)
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return c, resp.Account
}

// CreateTech creates an available technician named after the e-mail's
// local part, through the API as the given (managing) client.
func CreateTech(t testing.TB, as *apiclient.Client, email, role string, groups ...int64) api.Account {
	t.Helper()
	a, err := as.CreateTechnician(context.Background(), api.CreateTechnicianRequest{
		Email: email, Name: strings.Split(email, "@")[0], Role: role, Password: Password, GroupIDs: groups, Availability: "available"})
	if err != nil {
		t.Fatal(err)
	}
	return *a
}
