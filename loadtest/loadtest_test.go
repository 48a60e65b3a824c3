package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/password"
	"github.com/tetherdesk/tether/internal/server"
	"github.com/tetherdesk/tether/internal/store"
)

// inProcessBroker wires a broker the way broker/main.go does, on a real
// SQLite store, with a cheap argon2id so that seeding takes no time. It
// returns the URL and an owner's credentials.
func inProcessBroker(t *testing.T) (url, email, pw string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	db, err := store.Open(ctx, filepath.Join(dir, "tether.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := store.NewFileBlobs(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	hub := server.NewHub()
	svc, err := desk.NewService(desk.ServiceConfig{Store: db, Blobs: blobs, Hasher: password.New(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}), Publisher: hub, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	srv, err := server.New(server.Config{Service: svc, Hub: hub, PublicURL: "http://" + ts.Listener.Addr().String(), OrgName: "Load", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(func() { srv.Close(); ts.Close() })
	email, pw = "owner@loadtest.example", "owner-password-for-the-test"
	if _, err := svc.CreateOwner(ctx, email, "Owner", pw); err != nil {
		t.Fatal(err)
	}
	return ts.URL, email, pw
}

// TestSmallLoad runs the generator at tiny scale and requires every
// delivery, so the harness keeps working between full-scale runs.
func TestSmallLoad(t *testing.T) {
	url, email, pw := inProcessBroker(t)
	cfg := defaultConfig()
	cfg.Agents, cfg.Technicians, cfg.Groups = 20, 5, 2
	cfg.Duration, cfg.Rate, cfg.Drain = 3*time.Second, 30, 5*time.Second
	cfg.BrokerURL, cfg.OwnerEmail, cfg.OwnerPassword = url, email, pw
	cfg.BrokerPID = os.Getpid() // the test process: exercises the /proc readings
	cfg.SourceIPs, cfg.Quiet, cfg.ReportFile = 8, true, ""
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := run(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	report := res.format()
	t.Log("\n" + report)
	if res.connMin[kindAgent] < int64(cfg.Agents) || res.connMin[kindTech] < int64(cfg.Technicians) {
		t.Errorf("connections held: %v, want %d agents and %d technicians", res.connMin, cfg.Agents, cfg.Technicians)
	}
	var sent, failed int
	for k := range opKinds {
		sent += res.opsByKind[k]
		failed += res.opsFailed[k]
	}
	if sent < int(cfg.Rate*cfg.Duration.Seconds())*8/10 || failed > 0 {
		t.Errorf("%d events sent, %d failed; want about %.0f, none failed", sent, failed, cfg.Rate*cfg.Duration.Seconds())
	}
	if res.expected == 0 || res.lost != 0 || res.opsNoEvent != 0 || res.unexpected != 0 {
		t.Errorf("deliveries: expected %d, lost %d, events without delivery %d, unexpected %d; want none lost", res.expected, res.lost, res.opsNoEvent, res.unexpected)
	}
	if len(res.errs) > 0 {
		t.Errorf("errors: %v", res.errs)
	}
	if len(res.e2e) == 0 || res.hwm == 0 || !strings.Contains(report, "fan-out latency") {
		t.Errorf("report lacks latency or memory figures")
	}
}

func TestChatStamp(t *testing.T) {
	now := time.Unix(1700000000, 123456789)
	if got := sentStamp(chatText(now)); got != now.UnixNano() {
		t.Errorf("sentStamp(chatText(t)) = %d, want %d", got, now.UnixNano())
	}
	if got := sentStamp("hello there"); got != 0 {
		t.Errorf("sentStamp of a plain message = %d, want 0", got)
	}
}

func TestPercentile(t *testing.T) {
	v := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		p    float64
		want int64
	}{{0, 1}, {50, 6}, {99, 10}, {100, 10}} {
		if got := percentile(v, c.p); got != c.want {
			t.Errorf("percentile(%v) = %d, want %d", c.p, got, c.want)
		}
	}
	if percentile(nil, 50) != 0 {
		t.Error("percentile of nothing is not 0")
	}
}
