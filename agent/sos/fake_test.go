package sos

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
)

// fakeClock moves only when told to.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// next returns how long until the earliest pending timer fires; false
// when none is pending.
func (c *fakeClock) next() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var at time.Time
	for _, t := range c.timers {
		if !t.stopped && (at.IsZero() || t.at.Before(at)) {
			at = t.at
		}
	}
	return at.Sub(c.now), !at.IsZero()
}

// Advance moves time on, one second at a time, firing due timers.
func (c *fakeClock) Advance(d time.Duration) {
	for step := time.Duration(0); step < d; {
		inc := min(time.Second, d-step)
		step += inc
		c.mu.Lock()
		c.now = c.now.Add(inc)
		var due []*fakeTimer
		keep := c.timers[:0]
		for _, t := range c.timers {
			switch {
			case t.stopped:
			case !t.at.After(c.now):
				t.stopped = true
				due = append(due, t)
			default:
				keep = append(keep, t)
			}
		}
		c.timers = keep
		c.mu.Unlock()
		sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
		for _, t := range due {
			t.f()
		}
	}
}

// logRecorder is a slog.Handler keeping the messages logged, for tests
// that wait for something with no other trace.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}

func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

// logged reports whether msg was logged.
func (r *logRecorder) logged(msg string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.msgs, msg)
}

// fakeBroker answers from canned values and records calls.
type fakeBroker struct {
	signals  func() SignalChannel // passed to the events connection
	mu       sync.Mutex
	join     *api.AgentJoinResponse
	joinErr  error
	channels []api.SOSChannel
	sos      []api.SOSRequest
	answers  []string // "id:answer"
	ratings  []int
	posted   []string
	sendErr  error
	files    map[int64]string
	msgID    int64
	events   *fakeEvents
	// held: consent → closed when AnswerConsent may return (a slow
	// answer); see holdAnswer.
	held map[int64]chan struct{}
	// sessHeld, when set, holds AgentSession's answers on their way back
	// (a snapshot taken now, delivered late); sessCalls counts calls.
	sessHeld  chan struct{}
	sessCalls int
}

// holdSession makes AgentSession's answers, snapshots of the session as
// it is when asked, wait on their way back until release is called (also
// when the App closes meanwhile: release before Close).
func (b *fakeBroker) holdSession() (release func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan struct{})
	b.sessHeld = ch
	return sync.OnceFunc(func() {
		b.mu.Lock()
		b.sessHeld = nil
		b.mu.Unlock()
		close(ch)
	})
}

func (b *fakeBroker) sessionCalls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sessCalls
}

// setSession changes the session the broker has.
func (b *fakeBroker) setSession(s api.AgentSession) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.join.Session = s
}

// holdAnswer makes the answer to consent id wait, on its way to the
// broker, until the returned func is called.
func (b *fakeBroker) holdAnswer(id int64) (release func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.held == nil {
		b.held = map[int64]chan struct{}{}
	}
	ch := make(chan struct{})
	b.held[id] = ch
	return sync.OnceFunc(func() { close(ch) })
}

func newFakeBroker(sess api.AgentSession) *fakeBroker {
	return &fakeBroker{join: &api.AgentJoinResponse{Token: "t", Session: sess}, files: map[int64]string{}, msgID: 100}
}

func (b *fakeBroker) JoinLink(ctx context.Context, token string, dev api.Device) (*api.AgentJoinResponse, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.joinErr != nil {
		return nil, b.joinErr
	}
	j := *b.join
	return &j, nil
}

func (b *fakeBroker) RequestCode(ctx context.Context, name string, dev api.Device) (*api.AgentJoinResponse, error) {
	return b.JoinLink(ctx, "", dev)
}

func (b *fakeBroker) SOSChannels(context.Context) ([]api.SOSChannel, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.channels, nil
}

func (b *fakeBroker) SubmitSOS(ctx context.Context, req api.SOSRequest) (*api.AgentJoinResponse, error) {
	b.mu.Lock()
	b.sos = append(b.sos, req)
	b.mu.Unlock()
	return b.JoinLink(ctx, "", req.Device)
}

func (b *fakeBroker) AgentSession(context.Context) (*api.AgentSession, error) {
	b.mu.Lock()
	s := b.join.Session
	b.sessCalls++
	held := b.sessHeld
	b.mu.Unlock()
	if held != nil {
		<-held // the answer is on its way, even if the caller gives up
	}
	return &s, nil
}

func (b *fakeBroker) UpdateDevice(ctx context.Context, dev api.Device) (*api.AgentSession, error) {
	return b.AgentSession(ctx)
}

func (b *fakeBroker) AnswerConsent(ctx context.Context, id int64, answer string) (*api.Consent, error) {
	b.mu.Lock()
	held := b.held[id]
	b.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.answers = append(b.answers, strings.Join([]string{itoa(id), answer}, ":"))
	return &api.Consent{ID: id, Answer: answer}, nil
}

func (b *fakeBroker) AgentMessages(context.Context) ([]api.Message, error) { return nil, nil }

func (b *fakeBroker) AgentPostMessage(ctx context.Context, text string) (*api.Message, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.posted = append(b.posted, text)
	b.msgID++
	return &api.Message{ID: b.msgID, From: api.FromAgent, FromName: "Aaron", Text: text, At: time.Now()}, nil
}

func (b *fakeBroker) AgentSendFile(ctx context.Context, name string, r io.Reader, size int64, progress func(int64)) (*api.Message, error) {
	b.mu.Lock()
	err := b.sendErr
	b.msgID++
	id := b.msgID
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	n, _ := io.Copy(io.Discard, r)
	if progress != nil {
		progress(n)
	}
	return &api.Message{ID: id, From: api.FromAgent, At: time.Now(), Attachment: &api.Attachment{ID: id, Name: name, Size: n}}, nil
}

func (b *fakeBroker) AgentDownloadFile(ctx context.Context, id int64, w io.Writer, progress func(int64)) error {
	b.mu.Lock()
	content, ok := b.files[id]
	b.mu.Unlock()
	if !ok {
		return &api.Error{Code: "not_found", Message: "no such file"}
	}
	n, err := io.WriteString(w, content)
	if progress != nil {
		progress(int64(n))
	}
	return err
}

func (b *fakeBroker) Rate(ctx context.Context, stars int, comment string) (*api.Rating, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ratings = append(b.ratings, stars)
	if len(b.ratings) > 1 {
		return nil, &api.Error{Code: "conflict", Message: "already rated"}
	}
	return &api.Rating{Stars: stars, Comment: comment}, nil
}

func (b *fakeBroker) Connect(ctx context.Context, cfg EventsConfig) (Events, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = &fakeEvents{cfg: cfg, sigs: map[int64]*fakeSignals{}, signals: b.signals}
	if cfg.OnState != nil {
		cfg.OnState(LinkConnected)
	}
	return b.events, nil
}

func (b *fakeBroker) ev() *fakeEvents {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.events
}

func (b *fakeBroker) calls() (answers []string, ratings []int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.answers...), append([]int(nil), b.ratings...)
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// fakeEvents lets a test push events to the agent.
type fakeEvents struct {
	cfg  EventsConfig
	mu   sync.Mutex
	sigs map[int64]*fakeSignals
	// signals, when set, makes the signal channels (a real viewer's pipe).
	signals func() SignalChannel
}

func (e *fakeEvents) push(t *testing.T, typ string, data any) {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	e.cfg.OnEvent(api.Envelope{Type: typ, Data: raw})
}

func (e *fakeEvents) Signals(id int64) SignalChannel {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.signals != nil {
		return e.signals()
	}
	s := &fakeSignals{in: make(chan api.Envelope, 16), done: make(chan struct{})}
	e.sigs[id] = s
	return s
}

func (e *fakeEvents) Close() error { return nil }

type fakeSignals struct {
	in   chan api.Envelope
	once sync.Once
	done chan struct{}
}

func (s *fakeSignals) Send(context.Context, []byte) error { return nil }

func (s *fakeSignals) SendTo(context.Context, int64, []byte) error { return nil }

func (s *fakeSignals) Recv(ctx context.Context) (api.Envelope, error) {
	select {
	case e := <-s.in:
		return e, nil
	case <-s.done:
		return api.Envelope{}, errors.New("closed")
	case <-ctx.Done():
		return api.Envelope{}, ctx.Err()
	}
}

func (s *fakeSignals) Close() error { s.once.Do(func() { close(s.done) }); return nil }

// fakeHost records what the agent asks of the sharing host.
type fakeHost struct {
	mu      sync.Mutex
	req     ShareRequest
	modes   []input.Mode
	stopped bool
	closed  bool
	// viewers: technician → allowed mode (the first is req's); added
	// counts AddViewer calls, controllers SetController calls.
	viewers     map[int64]input.Mode
	added       []int64
	controllers []int64
	// conns: technician → state of their current connection; removed
	// counts RemoveViewer calls, checks ViewerStats calls.
	conns   map[int64]rtc.ConnState
	removed []int64
	checks  int
	// restarts lists RestartViewerICE calls (technician ids); restartErr,
	// when set, is what they return (the offer could not be sent).
	restarts   []int64
	restartErr error
}

func (h *fakeHost) AddViewer(_ context.Context, id int64, mode input.Mode, _ rtc.Signaler) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.viewers[id]; ok {
		return errors.New("viewer exists")
	}
	h.viewers[id] = mode
	h.conns[id] = rtc.StateConnecting // until the technician's viewer answers
	h.added = append(h.added, id)
	return nil
}

func (h *fakeHost) RemoveViewer(id int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.viewers[id]; !ok {
		return errors.New("no viewer")
	}
	delete(h.viewers, id)
	delete(h.conns, id)
	h.removed = append(h.removed, id)
	return nil
}

func (h *fakeHost) ViewerStats(id int64) (rtc.Stats, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks++
	st, ok := h.conns[id]
	if !ok {
		return rtc.Stats{}, errors.New("no viewer")
	}
	return rtc.Stats{State: st}, nil
}

// viewerLeft is technician id closing their viewer: their connection
// closes and says so, as media does on a pion goroutine.
func (h *fakeHost) viewerLeft(id int64) {
	h.mu.Lock()
	h.conns[id] = rtc.StateClosed
	h.mu.Unlock()
	go h.req.OnViewerClosed(id)
}

// closedLate is the report of a connection of technician id that closed
// earlier (replaced by a newer one), arriving only now.
func (h *fakeHost) closedLate(id int64) { go h.req.OnViewerClosed(id) }

// RestartViewerICE is an ICE restart: with the offer sent, the
// connection checks the new credentials (connecting).
func (h *fakeHost) RestartViewerICE(_ context.Context, id int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[id]; !ok {
		return errors.New("no viewer")
	}
	h.restarts = append(h.restarts, id)
	if h.restartErr != nil {
		return h.restartErr
	}
	h.conns[id] = rtc.StateConnecting
	return nil
}

// connFailed is technician id's connection going failed (ICE gave up),
// reported as media does, on a pion goroutine.
func (h *fakeHost) connFailed(id int64) {
	h.setConn(id, rtc.StateFailed)
	go h.req.OnViewerFailed(id)
}

// failedLate is the report of a connection of technician id that failed
// earlier (replaced by a newer one), arriving only now.
func (h *fakeHost) failedLate(id int64) { go h.req.OnViewerFailed(id) }

// setConn sets the state of technician id's current connection, unreported.
func (h *fakeHost) setConn(id int64, s rtc.ConnState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conns[id] = s
}

func (h *fakeHost) restarted() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.restarts)
}

func (h *fakeHost) setRestartErr(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.restartErr = err
}

func (h *fakeHost) leaving() (removed []int64, checks int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.removed), h.checks
}

func (h *fakeHost) SetController(id int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.viewers[id] != input.ModeControl {
		return errors.New("control not allowed")
	}
	h.controllers = append(h.controllers, id)
	return nil
}

func (h *fakeHost) control() (viewers map[int64]input.Mode, controllers []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.viewers), slices.Clone(h.controllers)
}

func (h *fakeHost) Allow(m input.Mode) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return errors.New("stopped")
	}
	h.modes = append(h.modes, m)
	return nil
}

func (h *fakeHost) Stop() error { h.mu.Lock(); h.stopped = true; h.mu.Unlock(); return nil }

func (h *fakeHost) Close() error { h.mu.Lock(); h.closed = true; h.mu.Unlock(); return nil }

func (h *fakeHost) state() (modes []input.Mode, stopped, closed bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]input.Mode(nil), h.modes...), h.stopped, h.closed
}

type hostRecorder struct {
	mu    sync.Mutex
	hosts []*fakeHost
}

func (r *hostRecorder) factory(ctx context.Context, req ShareRequest, sig rtc.Signaler) (Sharer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	mode := input.ModeViewOnly
	if req.Control {
		mode = input.ModeControl
	}
	h := &fakeHost{req: req, viewers: map[int64]input.Mode{req.TechnicianID: mode},
		conns: map[int64]rtc.ConnState{req.TechnicianID: rtc.StateConnected}}
	r.hosts = append(r.hosts, h)
	return h, nil
}

func (r *hostRecorder) all() []*fakeHost {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*fakeHost(nil), r.hosts...)
}

// harness is an App on Fyne's test driver with a UI goroutine of its own:
// the App's fyne.Do calls and the test's checks all run there, in order,
// like on the real driver's main goroutine.
type harness struct {
	t     *testing.T
	app   *App
	clock *fakeClock
	dl    string

	qmu   sync.Mutex
	queue []func()
	kick  chan struct{}
	done  chan struct{}
}

func (h *harness) post(f func()) {
	h.qmu.Lock()
	h.queue = append(h.queue, f)
	h.qmu.Unlock()
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

func (h *harness) loop() {
	for {
		h.qmu.Lock()
		q := h.queue
		h.queue = nil
		h.qmu.Unlock()
		for _, f := range q {
			f()
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-h.kick:
		case <-h.done:
			return
		}
	}
}

func testEnv(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home+"/.config")
	t.Setenv("XDG_CACHE_HOME", home+"/.cache")
	t.Setenv("LANG", "en_US.UTF-8")
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	testEnv(t)
	fa := test.NewApp()
	fa.Settings().SetTheme(theme.DefaultTheme()) // the test theme has no bold monospace font
	t.Cleanup(fa.Quit)
	h := &harness{t: t, clock: newFakeClock(), dl: t.TempDir(), kick: make(chan struct{}, 1), done: make(chan struct{})}
	go h.loop()
	if cfg.Clock == nil {
		cfg.Clock = h.clock
	}
	if cfg.Downloads == "" {
		cfg.Downloads = h.dl
	}
	if cfg.Device == nil {
		cfg.Device = func() api.Device {
			return api.Device{OS: "linux", OSVersion: "Debian 12", Hostname: "pc-1", User: "aaron", LocalIPs: []string{"192.168.1.20"}}
		}
	}
	a, err := New(fa, cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.do = h.post
	h.app = a
	t.Cleanup(func() {
		a.Close()
		close(h.done)
	})
	a.win.Show()
	h.ui(a.Start)
	return h
}

// ui runs f on the UI goroutine and waits for it.
func (h *harness) ui(f func()) {
	done := make(chan struct{})
	h.post(func() {
		defer close(done)
		f()
	})
	<-done
}

// wait polls cond (run under the UI lock) until it holds.
func (h *harness) wait(what string, cond func() bool) {
	h.t.Helper()
	h.waitShowing(what, cond, nil)
}

// waitShowing is wait that, when it times out, also reports what show
// returns (run on the UI goroutine): what there was instead.
func (h *harness) waitShowing(what string, cond func() bool, show func() string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		h.ui(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var screen, shown string
			h.ui(func() {
				screen = h.app.Screen()
				if show != nil {
					shown = "; " + show()
				}
			})
			h.t.Fatalf("timed out waiting for %s (screen %q%s)", what, screen, shown)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) screen(name string) {
	h.t.Helper()
	h.wait("screen "+name, func() bool { return h.app.Screen() == name })
}

func fixedBroker(b Broker) func(string) (Broker, error) {
	return func(string) (Broker, error) { return b, nil }
}

// promptFor returns the open consent prompt of a request (tests).
func (a *App) promptFor(id int64) *consentPrompt {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.prompts[id]
}

// advance moves the fake clock a second at a time, letting the UI
// goroutine run what each second's timers queued.
func (h *harness) advance(d time.Duration) {
	for ; d > 0; d -= time.Second {
		h.clock.Advance(min(d, time.Second))
		h.ui(func() {})
	}
}
