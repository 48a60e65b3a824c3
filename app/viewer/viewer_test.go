package viewer

import (
	"context"
	"encoding/json"
	"image"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// agentSignaler is the agent's side of the signaling, as agent/sos does
// it: only the technician who was allowed is listened to.
type agentSignaler struct {
	ch           *apiclient.SignalChannel
	technicianID int64
}

func (s *agentSignaler) Send(ctx context.Context, sig rtc.Signal) error {
	b, err := json.Marshal(sig)
	if err != nil {
		return err
	}
	return s.ch.Send(ctx, b)
}

func (s *agentSignaler) Recv(ctx context.Context) (rtc.Signal, error) {
	for {
		env, err := s.ch.RecvEnvelope(ctx)
		if err != nil {
			return rtc.Signal{}, err
		}
		if env.FromID != s.technicianID {
			continue
		}
		var sig rtc.Signal
		if json.Unmarshal(env.Data, &sig) == nil && sig.Type != "" {
			return sig, nil
		}
	}
}

func eventually(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tapAction opens the toolbar's Actions menu and taps one of its items,
// which closes the menu.
func tapAction(t *testing.T, w *Window, item *widget.Button) {
	t.Helper()
	test.Tap(w.tb.actions)
	if !w.tb.actionMenu.Visible() {
		t.Fatal("the Actions menu did not open")
	}
	if item.Disabled() {
		t.Fatalf("%q is disabled", item.Text)
	}
	test.Tap(item)
	if w.tb.actionMenu.Visible() {
		t.Errorf("the Actions menu stays open after %q", item.Text)
	}
}

func hasKind(evs []input.Event, k input.Kind) bool {
	return slices.ContainsFunc(evs, func(e input.Event) bool { return e.Kind == k })
}

// TestViewerOverBroker connects the viewer window and an agent-side
// media.Host through the real broker's WebSocket signaling: consent, the
// picture, view only, the picture quality, control, Ctrl+Alt+Del, the
// status line and chat.
func TestViewerOverBroker(t *testing.T) {
	// Two monitors: the first 640×480, the second 400×300 beside it.
	display := xvfbtest.Start(t, 1040, 480)
	xvfbtest.SplitMonitors(t, display, image.Rect(0, 0, 640, 480), image.Rect(640, 0, 1040, 300))
	e := newEnv(t)
	g, err := e.owner.CreateGroup(ctx(), "Tier 1", "")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := e.owner.CreateChannel(ctx(), api.ChannelRequest{Name: "Design", GroupIDs: []int64{g.ID}, AcceptsSOS: true})
	if err != nil {
		t.Fatal(err)
	}
	e.createTech("tina@example.com", "technician", g.ID)
	tc, tina := e.login("tina@example.com")

	agent, err := apiclient.New(e.url, apiclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := agent.SubmitSOS(ctx(), api.SOSRequest{ChannelID: ch.ID, Name: "Aaron", Problem: "printer", Device: testDevice})
	if err != nil {
		t.Fatal(err)
	}
	sid := j.Session.SessionID
	sess, err := tc.Take(ctx(), sid)
	if err != nil {
		t.Fatal(err)
	}

	runCtx, stop := context.WithCancel(context.Background())
	var win atomic.Pointer[Window]
	var techUp, agentUp atomic.Bool
	techEvents := tc.Connect(runCtx, apiclient.EventsConfig{OnEvent: func(env api.Envelope) {
		if w := win.Load(); w != nil && env.SessionID == sid {
			w.HandleEvent(env)
		}
	}, OnState: func(s apiclient.State) { techUp.Store(s.Status == apiclient.StatusConnected) }})
	agentEvents := agent.Connect(runCtx, apiclient.EventsConfig{
		OnState: func(s apiclient.State) { agentUp.Store(s.Status == apiclient.StatusConnected) }})
	t.Cleanup(func() {
		stop()
		techEvents.Close()
		agentEvents.Close()
	})
	// the agent listens for signals before it could be asked
	agentSigs := agentEvents.Signals(sid)
	eventually(t, "events connected", 5*time.Second, func() bool { return techUp.Load() && agentUp.Load() })

	consent, err := tc.RequestRemote(ctx(), sid, "control")
	if err != nil {
		t.Fatal(err)
	}
	loop := rtc.Config{ListenAddr: "127.0.0.1"}
	w, err := Open(Config{App: e.app, Client: tc, Events: techEvents, Session: *sess, Me: tina, Mode: ModeControl,
		ConsentID: consent.ID, RTC: loop, StatsInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	win.Store(w)
	t.Cleanup(w.Close)
	if !strings.Contains(w.tb.phase.Text, "Waiting for the end user") {
		t.Errorf("before the answer the window says %q", w.tb.phase.Text)
	}

	// the end user allows control; the agent starts sharing
	if _, err := agent.AnswerConsent(ctx(), consent.ID, "allow_control"); err != nil {
		t.Fatal(err)
	}
	rec := &input.Recorder{}
	h, err := media.NewHost(ctx(), media.HostConfig{RTC: loop, Capture: capture.Config{Display: display}, Injector: rec},
		&agentSignaler{ch: agentSigs, technicianID: tina.ID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	if err := h.Allow(input.ModeControl); err != nil {
		t.Fatal(err)
	}

	eventually(t, "a picture in the RemoteView", 20*time.Second, func() bool {
		w, h := w.rv.RemoteSize()
		return w == 640 && h == 480
	})
	eventually(t, "status line saying direct", 5*time.Second, func() bool {
		return strings.Contains(w.tb.status.Text, "direct")
	})
	if w.tb.overlay.Visible() {
		t.Errorf("overlay still shows %q", w.tb.phase.Text)
	}

	// view only: nothing is sent
	if w.tb.control.Disabled() {
		t.Fatal("control offered although allowed and in my rights")
	}
	w.rv.OnInput(input.Event{Kind: input.KindKey, Key: "A", Down: true})
	w.rv.OnInput(input.Event{Kind: input.KindKey, Key: "A"})
	if !w.tb.cad.Disabled() {
		t.Error("Ctrl+Alt+Del offered in view only")
	}
	time.Sleep(300 * time.Millisecond)
	if evs := rec.Events(); len(evs) != 0 || w.sent != 0 {
		t.Fatalf("view only sent %d events: %+v", w.sent, evs)
	}

	// the picture quality is no input: chosen in view only, it reaches
	// the host, and the status line says it
	test.Tap(w.tb.actions)
	if !w.tb.actionMenu.Visible() {
		t.Fatal("the Actions menu did not open in view only")
	}
	w.tb.quality.SetSelected("Speed (smooth)")
	eventually(t, "the host encoding for speed", 5*time.Second, func() bool { return h.Stats().Quality == input.QualitySpeed })
	eventually(t, "the status line saying speed", 5*time.Second, func() bool {
		return strings.Contains(w.tb.status.Text, "Speed (smooth)")
	})
	if st := h.Stats(); st.Injected != 0 || st.Refused != 0 || len(rec.Events()) != 0 || w.sent != 0 {
		t.Fatalf("choosing the quality counted as input: %d injected, %d refused, %d sent", st.Injected, st.Refused, w.sent)
	}

	// control: keys and Ctrl+Alt+Del reach the injector
	w.tb.control.SetSelected("Control")
	if w.rv.ViewOnly() {
		t.Fatal("RemoteView still view only")
	}
	w.rv.OnInput(input.Event{Kind: input.KindKey, Key: "B", Down: true})
	w.rv.OnInput(input.Event{Kind: input.KindKey, Key: "B"})
	tapAction(t, w, w.tb.cad)
	eventually(t, "key and Ctrl+Alt+Del injected", 5*time.Second, func() bool {
		evs := rec.Events()
		return hasKind(evs, input.KindKey) && hasKind(evs, input.KindCtrlAltDel)
	})
	for _, ev := range rec.Events() {
		if ev.Kind == input.KindKey && ev.Key != "B" {
			t.Errorf("injected %+v", ev)
		}
	}

	// the picker lists the host's monitors and switches to the second
	eventually(t, "the host's monitors in the picker", 5*time.Second, func() bool {
		return len(w.tb.monitor.Options) >= 2 && !w.tb.monitor.Disabled()
	})
	if got := w.tb.monitor.Options[1]; got != "Monitor 2 · 400×300" {
		t.Errorf("second monitor %q", got)
	}
	w.tb.monitor.SetSelectedIndex(1)
	eventually(t, "the second monitor's picture", 10*time.Second, func() bool {
		w, h := w.rv.RemoteSize()
		return w == 400 && h == 300
	})

	// Copy from remote: the text another application put on the agent's
	// clipboard lands on mine
	other, err := input.NewClipboard(input.ClipboardConfig{Display: display})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Set("from the end user"); err != nil {
		t.Fatal(err)
	}
	tapAction(t, w, w.tb.clipFetch)
	eventually(t, "the end user's clipboard on mine", 5*time.Second, func() bool {
		return e.app.Clipboard().Content() == "from the end user"
	})
	if !strings.Contains(w.tb.status.Text, "is now in your clipboard") {
		t.Errorf("status %q", w.tb.status.Text)
	}

	// back to view only: further input stays here
	w.tb.control.SetSelected("View only")
	if !w.tb.clipFetch.Disabled() || !w.tb.monitor.Disabled() {
		t.Error("Copy from remote or the monitor picker offered in view only")
	}
	rec.Reset()
	w.rv.OnInput(input.Event{Kind: input.KindKey, Key: "C", Down: true})
	time.Sleep(200 * time.Millisecond)
	if evs := rec.Events(); slices.ContainsFunc(evs, func(e input.Event) bool { return e.Key == "C" }) {
		t.Fatalf("view only injected %+v", evs)
	}

	// a quality chosen on the end user's side shows in the picker
	if err := h.SetQuality(input.QualitySharp); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the host's quality in the picker", 5*time.Second, func() bool { return w.tb.quality.Selected == "Quality (sharp)" })

	// chat arrives live
	if _, err := agent.AgentPostMessage(ctx(), "the printer is still offline"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the end user's message in the chat", 5*time.Second, func() bool {
		return slices.Contains(w.cp.texts(), "the printer is still offline")
	})

	// End closes the connection, not the support session
	w.Close()
	s, err := tc.Session(ctx(), sid)
	if err != nil || s.State != "active" {
		t.Fatalf("support session after End: %+v, %v", s, err)
	}
}

// TestViewOnlyConsent: an end user who allows viewing only leaves no control
// to offer, whatever was asked.
func TestViewOnlyWithoutRight(t *testing.T) {
	e := newEnv(t)
	me := api.Account{ID: 5, Name: "Vera", Rights: []string{"take"}}
	sc := &fakeSignals{}
	w := newWindow(Config{App: e.app, Client: e.owner, Session: api.Session{ID: 1, Device: testDevice}, Me: me, Mode: ModeControl}, sc)
	defer w.Close()
	if !w.tb.control.Disabled() || w.canControl {
		t.Fatal("control offered without the remote_control right")
	}
	w.tb.control.SetSelected("Control")
	if !w.rv.ViewOnly() || w.send(input.Event{Kind: input.KindCtrlAltDel}) {
		t.Fatal("input sent without the right")
	}
	if got := w.tb.monitor.Selected; got != "Monitor 1 · 1920×1080 · primary" {
		t.Errorf("monitor %q", got)
	}
}

type fakeSignals struct{}

func (fakeSignals) Send(context.Context, []byte) error { return nil }
func (fakeSignals) RecvEnvelope(ctx context.Context) (api.Envelope, error) {
	<-ctx.Done()
	return api.Envelope{}, ctx.Err()
}
func (fakeSignals) Close() error { return nil }

func TestSignalerFilters(t *testing.T) {
	q := &queueSignals{}
	for _, env := range []api.Envelope{
		{From: "technician", FromID: 9, Data: json.RawMessage(`{"type":"answer","sdp":"x"}`)},
		{From: "agent", Data: json.RawMessage(`{"type":"offer","sdp":"for-7","to":7}`)},
		{From: "agent", To: 7, Data: json.RawMessage(`{"type":"offer","sdp":"envelope-for-7"}`)},
		{From: "agent", Data: json.RawMessage(`not json`)},
		{From: "agent", Data: json.RawMessage(`{"type":"offer","sdp":"mine","to":5}`)},
		{From: "agent", Data: json.RawMessage(`{"type":"candidate","candidate":{"candidate":"c"}}`)},
	} {
		q.envs = append(q.envs, env)
	}
	s := &signaler{ch: q, myID: 5}
	got, err := s.Recv(ctx())
	if err != nil || got.Type != rtc.SignalOffer || got.SDP != "mine" {
		t.Fatalf("first = %+v, %v", got, err)
	}
	got, err = s.Recv(ctx())
	if err != nil || got.Type != rtc.SignalCandidate || got.Candidate.Candidate != "c" {
		t.Fatalf("second = %+v, %v", got, err)
	}
}

type queueSignals struct{ envs []api.Envelope }

func (q *queueSignals) Send(context.Context, []byte) error { return nil }
func (q *queueSignals) RecvEnvelope(ctx context.Context) (api.Envelope, error) {
	if len(q.envs) == 0 {
		return api.Envelope{}, context.Canceled
	}
	e := q.envs[0]
	q.envs = q.envs[1:]
	return e, nil
}
func (q *queueSignals) Close() error { return nil }

func TestStatusText(t *testing.T) {
	got := statusText(rtc.Stats{Route: rtc.RouteRelayed, BitrateKbps: 2400, FPS: 29.6, RTT: 42 * time.Millisecond, PacketLoss: 0.01})
	if got != "Connected relayed through TURN · 2.4 Mbit/s · 30 fps · 42 ms round trip · 1.0% loss" {
		t.Errorf("status %q", got)
	}
}

// TestControlMovesToLaterAllowance: when the end user allows a collaborator
// control after me, the agent moves control to them; my window drops to
// watching and says so.
func TestControlMovesToLaterAllowance(t *testing.T) {
	e := newEnv(t)
	me := api.Account{ID: 5, Name: "Vera", Role: "technician"}
	w := newWindow(Config{App: e.app, Client: e.owner, Session: api.Session{ID: 1, Device: testDevice}, Me: me, Mode: ModeControl, ConsentID: 10}, fakeSignals{})
	defer w.Close()
	w.mu.Lock()
	w.canControl, w.viewOnly = true, false // allowed, in control
	w.mu.Unlock()
	if got := w.roleText(); got != "Controlling" {
		t.Fatalf("role %q", got)
	}
	answered := func(c api.Consent) {
		raw, _ := json.Marshal(c)
		w.HandleEvent(api.Envelope{Type: "consent.answered", SessionID: 1, Data: raw})
	}
	answered(api.Consent{ID: 9, SessionID: 1, TechnicianID: 6, Answer: "allow_control"})      // older
	answered(api.Consent{ID: 11, SessionID: 1, TechnicianID: 6, Answer: "allow_view"})        // view only
	answered(api.Consent{ID: 12, SessionID: 1, TechnicianID: me.ID, Answer: "allow_control"}) // mine
	if got := w.roleText(); got != "Controlling" {
		t.Fatalf("role after unrelated answers %q", got)
	}
	answered(api.Consent{ID: 13, SessionID: 1, TechnicianID: 6, Technician: "Tom", Answer: "allow_control"})
	if got := w.roleText(); got != "Watching" {
		t.Fatalf("role after a collaborator was allowed control %q", got)
	}
	if !w.rv.ViewOnly() || w.send(input.Event{Kind: input.KindCtrlAltDel}) {
		t.Fatal("input still sent after control moved")
	}
}
