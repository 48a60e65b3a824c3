//go:build linux

package sos

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// techWindow is one technician's viewer window, as far as signaling and
// media go: an events connection, the session's signal channel and a
// media.Viewer on it.
type techWindow struct {
	ev     *apiclient.Events
	sigs   *apiclient.SignalChannel
	viewer *media.Viewer
}

func openWindow(ctx context.Context, t *testing.T, c *apiclient.Client, sessionID int64) *techWindow {
	t.Helper()
	ready := make(chan struct{})
	var once sync.Once
	ev := c.Connect(ctx, apiclient.EventsConfig{OnState: func(s apiclient.State) {
		if s.Status == apiclient.StatusConnected {
			once.Do(func() { close(ready) })
		}
	}})
	<-ready
	w := &techWindow{ev: ev, sigs: ev.Signals(sessionID)}
	v, err := media.NewViewer(ctx, media.ViewerConfig{RTC: rtc.Config{ListenAddr: "127.0.0.1"}}, techSignaler{w.sigs})
	if err != nil {
		t.Fatal(err)
	}
	w.viewer = v
	t.Cleanup(w.close)
	return w
}

func (w *techWindow) close() {
	w.viewer.Close()
	w.sigs.Close()
	w.ev.Close()
}

// click sends a move to x and a left click.
func (w *techWindow) click(ctx context.Context, t *testing.T, x float32) {
	t.Helper()
	for _, ev := range []input.Event{
		{Kind: input.KindPointerMove, X: x, Y: 0.5},
		{Kind: input.KindButton, Button: input.ButtonLeft, Down: true},
		{Kind: input.KindButton, Button: input.ButtonLeft},
	} {
		for w.viewer.SendInput(ctx, ev) != nil {
			if ctx.Err() != nil {
				t.Fatal("input channel never opened")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// framesFlow waits until the viewer receives new frames.
func framesFlow(t *testing.T, what string, v *media.Viewer) {
	t.Helper()
	n := v.Stats().Frames
	waitFor(t, what, func() bool { return v.Stats().Frames > n })
}

// collab is an agent on a real broker's session with two technicians,
// Tess (rb.tech) and Tom, invited, sharing through the real media path.
type collab struct {
	rb    *realBroker
	ctx   context.Context
	sid   int64
	tom   *api.Account
	tomc  *apiclient.Client
	h     *harness
	rec   *input.Recorder
	hmu   sync.Mutex
	hosts []*media.Host
}

func startCollab(t *testing.T) *collab {
	t.Helper()
	display := xvfbtest.Start(t, 320, 240)
	c := &collab{rb: startBroker(t), ctx: tctx(t), rec: &input.Recorder{}}
	rb, ctx := c.rb, c.ctx
	tom, err := rb.owner.CreateTechnician(ctx, api.CreateTechnicianRequest{Email: "tom@example.com", Name: "Tom Tech",
		Role: "technician", Password: testPassword, GroupIDs: []int64{rb.group}, Availability: "available"})
	if err != nil {
		t.Fatal(err)
	}
	c.tom = tom
	c.tomc = client(t, rb.url)
	if _, err := c.tomc.Login(ctx, "tom@example.com", testPassword); err != nil {
		t.Fatal(err)
	}
	link, err := rb.tech.CreateLink(ctx, api.CreateLinkRequest{ChannelID: rb.channel.ID})
	if err != nil {
		t.Fatal(err)
	}
	c.sid = link.Session.ID

	factory := MediaHost(media.HostConfig{RTC: rtc.Config{ListenAddr: "127.0.0.1"}, Capture: capture.Config{Display: display}},
		func([]input.Rect) (input.Injector, error) { return c.rec, nil })
	c.h = newHarness(t, Config{Link: link.LinkURL, NewBroker: realNewBroker,
		Host: func(ctx context.Context, req ShareRequest, sig rtc.Signaler) (Sharer, error) {
			s, err := factory(ctx, req, sig)
			if err == nil {
				c.hmu.Lock()
				c.hosts = append(c.hosts, s.(*media.Host))
				c.hmu.Unlock()
			}
			return s, err
		}})
	h := c.h
	h.screen(ScreenSession)
	h.wait("agent connected", func() bool { h.app.mu.Lock(); defer h.app.mu.Unlock(); return h.app.link == LinkConnected })
	if _, err := rb.tech.Invite(ctx, c.sid, tom.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

// allow has technician c ask for the screen and the end user allow it.
func (c *collab) allow(t *testing.T, tc *apiclient.Client, mode string) {
	t.Helper()
	h := c.h
	con, err := tc.RequestRemote(c.ctx, c.sid, mode)
	if err != nil {
		t.Fatal(err)
	}
	h.wait("consent dialog", func() bool { p := h.app.promptFor(con.ID); return p != nil && p.dlg != nil })
	h.ui(func() {
		p := h.app.promptFor(con.ID)
		if mode == "control" {
			test.Tap(p.allowControl)
		} else {
			test.Tap(p.allowView)
		}
	})
}

// host returns the one sharing host made so far.
func (c *collab) host(t *testing.T) *media.Host {
	t.Helper()
	c.hmu.Lock()
	defer c.hmu.Unlock()
	if len(c.hosts) != 1 {
		t.Fatalf("%d hosts, want one for both technicians", len(c.hosts))
	}
	return c.hosts[0]
}

// TestCollaboratorsThroughBroker: two technicians watch one agent through
// the real broker's addressed signaling; the agent captures and encodes
// once; only the controller's clicks are injected; control moves to the
// collaborator once the end user allows them control; Stop ends both.
func TestCollaboratorsThroughBroker(t *testing.T) {
	c := startCollab(t)
	rb, ctx, h, rec, tom, tomc, sid := c.rb, c.ctx, c.h, c.rec, c.tom, c.tomc, c.sid
	allow := func(tc *apiclient.Client, mode string) { t.Helper(); c.allow(t, tc, mode) }

	// Tess controls, Tom watches.
	tess := openWindow(ctx, t, rb.tech, sid)
	allow(rb.tech, "control")
	if err := tess.viewer.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	framesFlow(t, "Tess's picture", tess.viewer)
	tomw := openWindow(ctx, t, tomc, sid)
	allow(tomc, "view")
	if err := tomw.viewer.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	framesFlow(t, "Tom's picture", tomw.viewer)
	h.wait("indicator lists both", func() bool {
		return h.app.Indicator() == "Tess Tech is controlling your screen; also viewing: Tom Tech"
	})
	host := c.host(t)

	tess.click(ctx, t, 0.25)
	tomw.click(ctx, t, 0.75)
	waitFor(t, "input handled", func() bool { st := host.Stats(); return st.Injected >= 3 && st.Refused >= 3 })
	time.Sleep(100 * time.Millisecond)
	onlyFrom(t, rec.Events(), 0.25, 2)

	// Tom asks for control (a new viewer window) and the end user allows
	// it: control moves to him; Tess keeps watching, undisturbed.
	rec.Reset()
	tomw.close()
	tomw = openWindow(ctx, t, tomc, sid)
	allow(tomc, "control")
	if err := tomw.viewer.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	h.wait("indicator: Tom controls", func() bool {
		return h.app.Indicator() == "Tom Tech is controlling your screen; also viewing: Tess Tech"
	})
	if id, ok := host.Controller(); !ok || id != tom.ID {
		t.Fatalf("controller %d %v, want Tom (%d)", id, ok, tom.ID)
	}
	framesFlow(t, "Tom's new picture", tomw.viewer)
	tess.click(ctx, t, 0.25)
	tomw.click(ctx, t, 0.75)
	waitFor(t, "Tom's click", func() bool { return len(rec.Events()) >= 3 })
	time.Sleep(200 * time.Millisecond)
	onlyFrom(t, rec.Events(), 0.75, 2)
	me, err := rb.tech.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := host.ViewerStats(me.ID); err != nil || st.Frames == 0 {
		t.Fatalf("Tess's connection: %+v, %v", st, err)
	}

	// Stop ends it for both.
	h.ui(func() { test.Tap(h.app.ui.stop) })
	time.Sleep(200 * time.Millisecond)
	a, b := tess.viewer.Stats().Frames, tomw.viewer.Stats().Frames
	time.Sleep(500 * time.Millisecond)
	if tess.viewer.Stats().Frames != a || tomw.viewer.Stats().Frames != b {
		t.Fatal("frames after Stop")
	}
	h.wait("indicator hidden", func() bool { return h.app.Indicator() == "" })
}

// TestCollaboratorClosesViewerThroughBroker: a technician closing their
// viewer window (its goodbye reaches the agent through the broker) leaves
// the indicator at once and the other keeps the picture; when the last
// one closes theirs, sharing ends without the end user pressing Stop.
func TestCollaboratorClosesViewerThroughBroker(t *testing.T) {
	c := startCollab(t)
	ctx, h := c.ctx, c.h
	tess := openWindow(ctx, t, c.rb.tech, c.sid)
	c.allow(t, c.rb.tech, "control")
	tomw := openWindow(ctx, t, c.tomc, c.sid)
	c.allow(t, c.tomc, "view")
	for _, w := range []*techWindow{tess, tomw} {
		if err := w.viewer.WaitConnected(ctx); err != nil {
			t.Fatal(err)
		}
	}
	h.wait("indicator lists both", func() bool {
		return h.app.Indicator() == "Tess Tech is controlling your screen; also viewing: Tom Tech"
	})
	host := c.host(t)

	// Tess, in control, closes her window: Tom keeps watching.
	tess.close()
	h.wait("indicator: Tom alone", func() bool { return h.app.Indicator() == "Tom Tech is viewing your screen" })
	if vs := host.Viewers(); len(vs) != 1 || vs[0].ID != c.tom.ID {
		t.Fatalf("host viewers %+v, want Tom's only", vs)
	}
	if id, ok := host.Controller(); ok {
		t.Fatalf("%d controls after Tess left", id)
	}
	framesFlow(t, "Tom's picture", tomw.viewer)

	// Tom closes his: nobody is left.
	tomw.close()
	h.wait("indicator hidden", func() bool { return h.app.Indicator() == "" })
	if _, _, ok := h.app.Sharing(); ok {
		t.Fatal("still sharing with nobody")
	}
	if vs := host.Viewers(); len(vs) != 0 {
		t.Fatalf("host viewers %+v after both left", vs)
	}
	waitFor(t, "host closed", func() bool { return errors.Is(host.ReleaseControl(), media.ErrClosed) })
	h.ui(func() {
		if s := h.app.Screen(); s != ScreenSession {
			t.Fatalf("screen %q: the session must go on", s)
		}
	})
}

// onlyFrom fails unless evs holds only pointer moves at x and the given
// number of button events.
func onlyFrom(t *testing.T, evs []input.Event, x float32, buttons int) {
	t.Helper()
	n := 0
	for _, ev := range evs {
		switch ev.Kind {
		case input.KindPointerMove:
			if ev.X != x {
				t.Fatalf("a move at %v was injected, want only the controller's at %v: %+v", ev.X, x, evs)
			}
		case input.KindButton:
			n++
		}
	}
	if n != buttons {
		t.Fatalf("%d button events injected, want the controller's %d: %+v", n, buttons, evs)
	}
}
