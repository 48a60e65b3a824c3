package sos

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/server"
	"github.com/tetherdesk/tether/internal/store"
)

type sha256Hasher struct{}

func (sha256Hasher) Hash(pw string) (string, error) {
	h := sha256.Sum256([]byte("salt:" + pw))
	return hex.EncodeToString(h[:]), nil
}

func (sha256Hasher) Verify(hash, pw string) (bool, error) {
	h, _ := sha256Hasher{}.Hash(pw)
	return h == hash, nil
}

const testPassword = "correct horse battery"

// realBroker is the broker (server over desk over SQLite) on loopback
// with a technician, Tess Tech, in a group routed to an SOS channel. It can
// be restarted on the same address over the same database.
type realBroker struct {
	url     string
	tech    *apiclient.Client
	channel api.Channel
	owner   *apiclient.Client
	group   int64

	t     *testing.T
	addr  string
	db    *store.DB
	blobs desk.Blobs
	srv   *server.Server
	ts    *httptest.Server
}

func (rb *realBroker) start() *desk.Service {
	t := rb.t
	hub := server.NewHub()
	svc, err := desk.NewService(desk.ServiceConfig{Store: rb.db, Blobs: rb.blobs, Hasher: sha256Hasher{}, Publisher: hub})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	if rb.addr != "" {
		ts.Listener.Close()
		var l net.Listener
		for i := 0; ; i++ {
			if l, err = net.Listen("tcp", rb.addr); err == nil || i > 100 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		ts.Listener = l
	}
	rb.addr = ts.Listener.Addr().String()
	rb.url = "http://" + rb.addr
	srv, err := server.New(server.Config{Service: svc, Hub: hub, PublicURL: rb.url, OrgName: "Example Corp", SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	rb.srv, rb.ts = srv, ts
	return svc
}

func (rb *realBroker) stop() {
	rb.srv.Close()
	rb.ts.CloseClientConnections()
	rb.ts.Close()
}

func startBroker(t *testing.T) *realBroker {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "tether.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := store.NewFileBlobs(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	rb := &realBroker{t: t, db: db, blobs: blobs}
	svc := rb.start()
	t.Cleanup(func() {
		rb.stop()
		db.Close()
	})
	url := rb.url
	if _, err := svc.CreateOwner(ctx, "owner@example.com", "Olga Owner", testPassword); err != nil {
		t.Fatal(err)
	}
	owner := client(t, url)
	if _, err := owner.Login(ctx, "owner@example.com", testPassword); err != nil {
		t.Fatal(err)
	}
	g, err := owner.CreateGroup(ctx, "Tier 1", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateTechnician(ctx, api.CreateTechnicianRequest{Email: "tess@example.com", Name: "Tess Tech",
		Role: "technician", Password: testPassword, GroupIDs: []int64{g.ID}, Availability: "available"}); err != nil {
		t.Fatal(err)
	}
	ch, err := owner.CreateChannel(ctx, api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{g.ID}, AcceptsSOS: true})
	if err != nil {
		t.Fatal(err)
	}
	tech := client(t, url)
	if _, err := tech.Login(ctx, "tess@example.com", testPassword); err != nil {
		t.Fatal(err)
	}
	rb.tech, rb.channel, rb.owner, rb.group = tech, *ch, owner, g.ID
	return rb
}

func client(t *testing.T, url string) *apiclient.Client {
	t.Helper()
	c, err := apiclient.New(url, apiclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func realNewBroker(base string) (Broker, error) { return NewBroker(base, apiclient.Options{}) }

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestLinkFlowAgainstBroker(t *testing.T) {
	rb := startBroker(t)
	ctx := tctx(t)
	link, err := rb.tech.CreateLink(ctx, api.CreateLinkRequest{ChannelID: rb.channel.ID, EndUserName: "Aaron"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &hostRecorder{}
	h := newHarness(t, Config{Link: link.LinkURL, NewBroker: realNewBroker, Host: rec.factory})
	h.screen(ScreenSession)
	h.wait("banner", func() bool {
		return h.app.ui.orgText.Text == "Support from Example Corp" && h.app.ui.techText.Text == "Your technician: Tess Tech"
	})
	id := link.Session.ID
	s, err := rb.tech.Session(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.State != "active" || s.Device.Hostname != "pc-1" || s.Device.OSVersion != "Debian 12" {
		t.Fatalf("session as the technician sees it: %+v", s)
	}

	// Chat both ways.
	h.wait("events connected", func() bool { h.app.mu.Lock(); defer h.app.mu.Unlock(); return h.app.link == LinkConnected })
	if _, err := rb.tech.PostMessage(ctx, id, "Hello Aaron, Tess here."); err != nil {
		t.Fatal(err)
	}
	h.wait("technician's message", func() bool { return strings.Contains(h.app.ChatText(), "Hello Aaron, Tess here.") })
	h.ui(func() {
		test.Type(h.app.ui.chatEntry, "Hi Tess")
		test.Tap(h.app.ui.sendBtn)
	})
	waitFor(t, "agent's message at the broker", func() bool {
		msgs, err := rb.tech.Messages(ctx, id, 0)
		return err == nil && len(msgs) == 2 && msgs[1].Text == "Hi Tess" && msgs[1].From == "agent"
	})
	// A file from the technician lands in Downloads.
	if _, err := rb.tech.SendFile(ctx, id, "notes.txt", strings.NewReader("restart the spooler"), 19, nil); err != nil {
		t.Fatal(err)
	}
	h.wait("file saved", func() bool { return strings.Contains(h.app.ChatText(), "Saved in Downloads as notes.txt") })
	if b, err := os.ReadFile(filepath.Join(h.dl, "notes.txt")); err != nil || string(b) != "restart the spooler" {
		t.Fatalf("saved file: %q, %v", b, err)
	}
	// A file type the channel refuses: the broker's reason is shown.
	exe := filepath.Join(t.TempDir(), "tool.exe")
	os.WriteFile(exe, []byte("MZ"), 0o644)
	h.ui(func() { h.app.SendFile(exe) })
	h.wait("refusal", func() bool { return strings.Contains(h.app.ChatText(), "tool.exe was not sent: ") })

	// Consent: the technician asks for control; the end user allows it.
	con, err := rb.tech.RequestRemote(ctx, id, "control")
	if err != nil {
		t.Fatal(err)
	}
	h.wait("consent dialog", func() bool { p := h.app.promptFor(con.ID); return p != nil && p.dlg != nil })
	h.ui(func() { test.Tap(h.app.promptFor(con.ID).allowControl) })
	h.wait("indicator", func() bool { return h.app.Indicator() == "Tess Tech is controlling your screen" })
	got, err := rb.tech.Consent(ctx, con.ID)
	if err != nil || got.Answer != "allow_control" {
		t.Fatalf("consent at the broker: %+v, %v", got, err)
	}
	if hosts := rec.all(); len(hosts) != 1 || !hosts[0].req.Control || hosts[0].req.TechnicianID != con.TechnicianID {
		t.Fatalf("hosts %+v", hosts)
	}
	// A second request, denied: recorded as such.
	con2, err := rb.tech.RequestRemote(ctx, id, "view")
	if err != nil {
		t.Fatal(err)
	}
	h.wait("second dialog", func() bool { p := h.app.promptFor(con2.ID); return p != nil && p.dlg != nil })
	h.ui(func() { test.Tap(h.app.promptFor(con2.ID).deny) })
	waitFor(t, "deny recorded", func() bool {
		c, err := rb.tech.Consent(ctx, con2.ID)
		return err == nil && c.Answer == "deny"
	})

	// A restarted agent with the same link rejoins its session.
	h.app.Close()
	h2 := newHarness(t, Config{Link: link.LinkURL, NewBroker: realNewBroker, Host: rec.factory})
	h2.screen(ScreenSession)
	h2.wait("chat history", func() bool { return strings.Contains(h2.app.ChatText(), "Hello Aaron, Tess here.") })
	if st := h2.app.State(); st.SessionID != id {
		t.Fatalf("rejoined session %d, want %d", st.SessionID, id)
	}

	// The technician closes: the survey, sent once.
	h2.wait("events connected", func() bool { h2.app.mu.Lock(); defer h2.app.mu.Unlock(); return h2.app.link == LinkConnected })
	if _, err := rb.tech.Close(ctx, id); err != nil {
		t.Fatal(err)
	}
	h2.screen(ScreenSurvey)
	h2.ui(func() {
		test.Tap(h2.app.ui.stars[4])
		test.Tap(h2.app.ui.surveySend)
	})
	h2.wait("thanks", func() bool { return strings.HasPrefix(h2.app.ui.surveyMsg.Text, "Thank you") })
	if _, err := h2.app.currentBroker().Rate(ctx, 1, "again"); errCode(err) != "conflict" {
		t.Fatalf("a second rating: %v, want a conflict (the first was recorded)", err)
	}
}

func TestCodeFlowAgainstBroker(t *testing.T) {
	rb := startBroker(t)
	ctx := tctx(t)
	h := newHarness(t, Config{BrokerURL: rb.url, NewBroker: realNewBroker})
	h.ui(func() { test.Tap(h.app.ui.codeBtn) })
	h.screen(ScreenCode)
	var shown string
	h.ui(func() { shown = h.app.ui.codeText.Text })
	if len(shown) != 11 || shown[3] != ' ' || shown[7] != ' ' {
		t.Fatalf("code shown as %q", shown)
	}
	h.wait("events connected", func() bool { h.app.mu.Lock(); defer h.app.mu.Unlock(); return h.app.link == LinkConnected })
	s, err := rb.tech.ClaimCode(ctx, strings.ReplaceAll(shown, " ", ""), rb.channel.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.screen(ScreenSession)
	h.wait("technician named", func() bool { return h.app.ui.techText.Text == "Your technician: Tess Tech" })
	if s.Device.User != "aaron" {
		t.Fatalf("device %+v", s.Device)
	}
}

func TestSOSCallAgainstBroker(t *testing.T) {
	rb := startBroker(t)
	ctx := tctx(t)
	h := newHarness(t, Config{BrokerURL: rb.url, NewBroker: realNewBroker})
	h.ui(func() { test.Tap(h.app.ui.sosBtn) })
	h.screen(ScreenSOSForm)
	h.ui(func() {
		test.Type(h.app.ui.nameEntry, "Aaron Apple")
		h.app.ui.problemEntry.SetText("Outlook does not open.")
		test.Tap(h.app.ui.submit)
	})
	h.screen(ScreenQueue)
	h.wait("events connected", func() bool { h.app.mu.Lock(); defer h.app.mu.Unlock(); return h.app.link == LinkConnected })
	list, err := rb.tech.ListSessions(ctx, apiclient.SessionQuery{States: []string{"queued"}})
	if err != nil || len(list) != 1 || list[0].EndUserName != "Aaron Apple" || list[0].Problem != "Outlook does not open." {
		t.Fatalf("queue: %+v, %v", list, err)
	}
	h.advance(3 * time.Second)
	h.wait("wait time", func() bool { return h.app.ui.waitText.Text == "Waiting for 00:03" })
	if _, err := rb.tech.Take(ctx, list[0].ID); err != nil {
		t.Fatal(err)
	}
	h.screen(ScreenSession)
	h.wait("technician named", func() bool { return h.app.ui.techText.Text == "Your technician: Tess Tech" })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReconnectsAfterBrokerRestart: the agent shows that it lost the
// broker, recovers on its own, and gets events again.
func TestReconnectsAfterBrokerRestart(t *testing.T) {
	rb := startBroker(t)
	ctx := tctx(t)
	link, err := rb.tech.CreateLink(ctx, api.CreateLinkRequest{ChannelID: rb.channel.ID})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Config{Link: link.LinkURL, NewBroker: realNewBroker})
	h.screen(ScreenSession)
	h.wait("events connected", func() bool { h.app.mu.Lock(); defer h.app.mu.Unlock(); return h.app.link == LinkConnected })
	rb.stop()
	h.wait("reconnecting bar", func() bool {
		return h.app.ui.linkBar.Visible() && h.app.ui.linkText.Text == "Connection lost. Reconnecting…"
	})
	rb.start()
	h.wait("bar gone", func() bool { return !h.app.ui.linkBar.Visible() })
	if _, err := rb.tech.PostMessage(ctx, link.Session.ID, "Back again"); err != nil {
		t.Fatal(err)
	}
	h.wait("message after reconnecting", func() bool { return strings.Contains(h.app.ChatText(), "Back again") })
}
