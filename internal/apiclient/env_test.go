package apiclient_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/server"
	"github.com/tetherdesk/tether/internal/store"
)

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

const (
	ownerEmail = "owner@example.com"
	password   = "correct horse battery"
)

// broker is a real broker (server over desk over SQLite) on loopback that
// can be restarted on the same address over the same database.
type broker struct {
	t         *testing.T
	dir       string
	addr      string
	configure []func(*server.Config)

	db  *store.DB
	svc *desk.Service
	srv *server.Server
	ts  *httptest.Server
}

func newBroker(t *testing.T, configure ...func(*server.Config)) *broker {
	t.Helper()
	b := &broker{t: t, dir: t.TempDir(), configure: configure}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.addr = l.Addr().String()
	b.start(l)
	t.Cleanup(b.stop)
	if _, err := b.svc.CreateOwner(context.Background(), ownerEmail, "Olga Owner", password); err != nil {
		t.Fatal(err)
	}
	return b
}

// URL is the broker's base URL.
func (b *broker) URL() string { return "http://" + b.addr }

// open opens the database and builds the service and server, not yet
// serving.
func (b *broker) open() {
	t := b.t
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.dir, "tether.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := store.NewFileBlobs(filepath.Join(b.dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	hub := server.NewHub()
	svc, err := desk.NewService(desk.ServiceConfig{Store: db, Blobs: blobs, Hasher: testHasher{}, Publisher: hub})
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Service: svc, Hub: hub, PublicURL: b.URL(), OrgName: "Example Corp", SweepInterval: -1}
	for _, f := range b.configure {
		f(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.db, b.svc, b.srv = db, svc, srv
}

func (b *broker) serve(l net.Listener) {
	b.ts = httptest.NewUnstartedServer(b.srv)
	b.ts.Listener.Close()
	b.ts.Listener = l
	b.ts.Start()
}

func (b *broker) start(l net.Listener) {
	b.open()
	b.serve(l)
}

func (b *broker) stop() {
	if b.srv == nil {
		return
	}
	b.srv.Close()
	b.ts.Close()
	b.db.Close()
	b.srv = nil
}

// restart stops the broker; between runs between the stop and the new
// server listening on the same address, over the same database.
func (b *broker) restart(between func(svc *desk.Service)) {
	b.t.Helper()
	b.stop()
	b.open()
	if between != nil {
		between(b.svc)
	}
	var l net.Listener
	var err error
	for range 50 { // the old socket may linger for a moment
		if l, err = net.Listen("tcp", b.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	b.serve(l)
}

func (b *broker) client(t *testing.T) *apiclient.Client {
	t.Helper()
	c, err := apiclient.New(b.URL(), apiclient.Options{UserAgent: "apiclient-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (b *broker) login(t *testing.T, email string) *apiclient.Client {
	t.Helper()
	c := b.client(t)
	if _, err := c.Login(context.Background(), email, password); err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return c
}

// world is the flow tests' fixture: a group with technician t1, routed to
// channel Design (accepts SOS, txt and png files).
type world struct {
	*broker
	owner   *apiclient.Client
	tech    *apiclient.Client
	techID  int64
	group   api.Group
	channel api.Channel
}

func newWorld(t *testing.T, configure ...func(*server.Config)) *world {
	t.Helper()
	ctx := context.Background()
	b := newBroker(t, configure...)
	w := &world{broker: b, owner: b.login(t, ownerEmail)}
	g, err := w.owner.CreateGroup(ctx, "Mac experts", "")
	if err != nil {
		t.Fatal(err)
	}
	w.group = *g
	a, err := w.owner.CreateTechnician(ctx, api.CreateTechnicianRequest{
		Email: "t1@example.com", Name: "Tina", Role: "technician", Password: password,
		GroupIDs: []int64{g.ID}, Availability: "available",
	})
	if err != nil {
		t.Fatal(err)
	}
	w.techID = a.ID
	ch, err := w.owner.CreateChannel(ctx, api.ChannelRequest{
		Name: "Design", GroupIDs: []int64{g.ID}, AcceptsSOS: true,
		FileTypes: []string{"txt", "png"}, MaxFileSize: 4 << 20, ExpirationSeconds: 3600,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.channel = *ch
	w.tech = b.login(t, "t1@example.com")
	return w
}

var testDevice = api.Device{OS: "linux", OSVersion: "Debian 12", Hostname: "pc-1", User: "aaron",
	Screens: []api.Screen{{Width: 1920, Height: 1080, Primary: true}}, LocalIPs: []string{"192.168.1.20"}}

// sos submits an SOS Call from a new agent client.
func (w *world) sos(t *testing.T, name string) (*apiclient.Client, *api.AgentJoinResponse) {
	t.Helper()
	agent := w.client(t)
	j, err := agent.SubmitSOS(context.Background(), api.SOSRequest{ChannelID: w.channel.ID, Name: name, Problem: "printer on fire", Device: testDevice})
	if err != nil {
		t.Fatal(err)
	}
	return agent, j
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// noClientGoroutines fails when goroutines of package apiclient outlive
// their owner.
func noClientGoroutines(t *testing.T) {
	t.Helper()
	var stacks string
	for range 100 {
		buf := make([]byte, 1<<20)
		stacks = string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "tether/internal/apiclient.") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("apiclient goroutines leaked:\n%s", stacks)
}

// plainServer answers every request with status and body.
func plainServer(t *testing.T, status int, header http.Header, body string) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	return ts
}
