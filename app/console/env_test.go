package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/brokertest"
	"github.com/tetherdesk/tether/internal/server"
)

const password = "correct horse battery"

// broker is a real broker (SQLite in a temp dir) on loopback HTTP.
type broker struct {
	t     *testing.T
	clock *brokertest.Clock
	ts    *httptest.Server
	owner string
}

func newBroker(t *testing.T, wrap func(http.Handler) http.Handler, configure ...func(*server.Config)) *broker {
	t.Helper()
	bt := brokertest.Start(t, brokertest.Options{Wrap: wrap, Configure: func(c *server.Config) {
		for _, f := range configure {
			f(c)
		}
	}})
	b := &broker{t: t, clock: bt.Clock, ts: bt.HTTP}
	b.owner = b.login(brokertest.OwnerEmail)
	return b
}

func (b *broker) call(method, path, token string, body any) (int, []byte) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, b.ts.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := b.ts.Client().Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

func (b *broker) must(want int, method, path, token string, body, out any) {
	b.t.Helper()
	status, raw := b.call(method, "/api/v1"+path, token, body)
	if status != want {
		b.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatal(err)
		}
	}
}

func (b *broker) login(email string) string {
	b.t.Helper()
	var resp api.LoginResponse
	b.must(200, "POST", "/login", "", api.LoginRequest{Email: email, Password: password}, &resp)
	return resp.Token
}

func (b *broker) group(name string) int64 {
	var g api.Group
	b.must(201, "POST", "/groups", b.owner, map[string]string{"name": name}, &g)
	return g.ID
}

func (b *broker) tech(email, role string, groups []int64, revoke ...string) api.Account {
	b.t.Helper()
	var a api.Account
	b.must(201, "POST", "/technicians", b.owner, api.CreateTechnicianRequest{
		Email: email, Name: strings.Split(email, "@")[0], Role: role, Password: password,
		GroupIDs: groups, Revoke: revoke, Availability: "available",
	}, &a)
	return a
}

func (b *broker) channel(req api.ChannelRequest) api.Channel {
	var ch api.Channel
	b.must(201, "POST", "/channels", b.owner, req, &ch)
	return ch
}

var testDevice = api.Device{OS: "linux", OSVersion: "Debian 12", Hostname: "pc-1", User: "aaron",
	Screens: []api.Screen{{Width: 1920, Height: 1080, Primary: true}}, LocalIPs: []string{"192.168.1.20"}}

func (b *broker) sos(channelID int64, name string) api.AgentJoinResponse {
	b.t.Helper()
	var j api.AgentJoinResponse
	b.must(201, "POST", "/agent/sos", "", api.SOSRequest{ChannelID: channelID, Name: name, Problem: "printer is broken", Device: testDevice}, &j)
	return j
}

// harness is one technician's console on the Fyne test driver. The test
// goroutine is the UI goroutine: Config.Do queues work for it and pump
// runs the queue.
type harness struct {
	t   *testing.T
	b   *broker
	q   chan func()
	app fyne.App
	win fyne.Window
	c   *Console

	mu      sync.Mutex
	now     time.Time
	viewers []string // OpenViewer calls: "session/mode/consent"
}

func newHarness(t *testing.T, b *broker) *harness {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("LANG", "en_US.UTF-8")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	h := &harness{t: t, b: b, q: make(chan func(), 10000), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	h.app = test.NewTempApp(t)
	h.win = h.app.NewWindow("Tether")
	h.win.Resize(fyne.NewSize(1280, 800))
	h.c = New(Config{
		App: h.app, Window: h.win, TickInterval: -1,
		Do:  func(f func()) { h.q <- f },
		Now: h.clock,
		NewClient: func(u string) (Client, error) {
			return NewAPIClient(u, apiclient.Options{})
		},
		OpenViewer: func(s api.Session, mode string, consentID int64) error {
			h.viewers = append(h.viewers, fmt.Sprintf("%d/%s/%d", s.ID, mode, consentID))
			return nil
		},
	})
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() { h.c.Close(); close(done) }()
		for {
			select {
			case <-done:
				return
			case f := <-h.q:
				f()
			case <-time.After(5 * time.Second):
				t.Error("console did not close")
				return
			}
		}
	})
	h.c.Start()
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) setNow(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = t
}

// pump runs the queued UI work.
func (h *harness) pump() {
	for {
		select {
		case f := <-h.q:
			f()
		default:
			return
		}
	}
}

// waitFor runs UI work until cond holds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		h.pump()
		if cond() {
			return
		}
		select {
		case f := <-h.q:
			f()
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (h *harness) typeLogin(url, email, pw string) {
	l := h.c.login
	l.broker.SetText(url)
	l.email.SetText(email)
	l.password.SetText(pw)
	test.Tap(l.button)
}

// loginAs logs in and waits for the lists and the events connection.
func (h *harness) loginAs(email string) {
	h.t.Helper()
	h.typeLogin(h.b.ts.URL, email, password)
	h.waitFor("login", func() bool { return h.c.main != nil })
	h.waitFor("events connection", func() bool { return h.c.conn == Connected })
	h.waitFor("lists", func() bool { return h.c.loading == 0 })
}

func (h *harness) detail(id int64) *detailScreen {
	h.t.Helper()
	d := h.c.openDetail(id)
	h.waitFor("session detail", func() bool { return d.s.ID == id && len(d.timeline) > 0 })
	return d
}

func visible(b *widget.Button) bool { return b.Visible() }

// tap taps a button once the previous action finished (an event can show
// its result before the HTTP answer re-enables the buttons).
func (h *harness) tap(b *widget.Button) {
	h.t.Helper()
	h.waitFor("enabled button "+b.Text, func() bool { return !b.Disabled() })
	test.Tap(b)
}
