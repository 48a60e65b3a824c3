// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package media

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// sendUntil sends ev until the viewer's input channel is open.
func sendUntil(ctx context.Context, t *testing.T, v *Viewer, ev input.Event) {
	t.Helper()
	for v.SendInput(ctx, ev) != nil {
		if ctx.Err() != nil {
			t.Fatal("input channel never opened")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// buttons returns the button events of evs (pointer moves may arrive more
// than once: the viewer resends them while the channel opens).
func buttons(evs []input.Event) []input.Event {
	var out []input.Event
	for _, ev := range evs {
		if ev.Kind == input.KindButton {
			out = append(out, ev)
		}
	}
	return out
}

// movesAt fails unless every pointer move in evs is at x.
func movesAt(t *testing.T, evs []input.Event, x float32) {
	t.Helper()
	for _, ev := range evs {
		if ev.Kind == input.KindPointerMove && ev.X != x {
			t.Fatalf("a move at %v was injected, want only %v: %+v", ev.X, x, evs)
		}
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCollaborators: one Host, one capture and one encoder serve two
// viewers; only the controller's input is injected; control moves only to
// a viewer allowed to control, releasing what the previous one held;
// removing a viewer leaves the other streaming; nothing leaks.
func TestCollaborators(t *testing.T) {
	display := xvfbtest.Start(t, testW, testH)
	pt, err := newPainter(display, testW, testH)
	if err != nil {
		t.Fatal(err)
	}
	defer pt.close()
	patternA.paint(t, pt)
	base := runtime.NumGoroutine()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	loop := rtc.Config{ListenAddr: "127.0.0.1"}
	rec := &input.Recorder{}
	var injectors atomic.Int32
	h, err := NewHost(ctx, HostConfig{RTC: loop, Capture: capture.Config{Display: display},
		NewInjector: func() (input.Injector, error) { injectors.Add(1); return rec, nil }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()

	var viewers [3]*Viewer // by technician id 1 and 2
	var pipes []*rtc.PipeSignaler
	for id := int64(1); id <= 2; id++ {
		hsig, vsig := rtc.NewPipeSignalers()
		pipes = append(pipes, hsig)
		v, err := NewViewer(ctx, ViewerConfig{RTC: loop}, vsig)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		viewers[id] = v
		mode := map[int64]input.Mode{1: input.ModeControl, 2: input.ModeViewOnly}[id]
		if err := h.AddViewer(ctx, id, mode, hsig); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.AddViewer(ctx, 1, input.ModeViewOnly, pipes[0]); !errors.Is(err, ErrViewerExists) {
		t.Fatalf("second AddViewer(1) = %v", err)
	}
	if err := h.Allow(input.ModeControl); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 2; id++ {
		if err := h.WaitViewer(ctx, id); err != nil {
			t.Fatal(err)
		}
		waitPicture(t, viewers[id], patternA, 10*time.Second)
	}
	if injectors.Load() != 0 {
		t.Fatal("an injector was made before anyone was given control")
	}

	// Control: only for a viewer allowed it.
	if err := h.SetController(2); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("SetController(view-only viewer) = %v", err)
	}
	if err := h.SetController(1); err != nil {
		t.Fatal(err)
	}
	if id, ok := h.Controller(); !ok || id != 1 || injectors.Load() != 1 {
		t.Fatalf("controller %d %v, %d injectors", id, ok, injectors.Load())
	}
	at := func(x float32) input.Event { return input.Event{Kind: input.KindPointerMove, X: x, Y: 0.5} }
	down := input.Event{Kind: input.KindButton, Button: input.ButtonLeft, Down: true}
	up := input.Event{Kind: input.KindButton, Button: input.ButtonLeft}
	for _, ev := range []input.Event{at(0.25), down, up} {
		sendUntil(ctx, t, viewers[1], ev)
	}
	for _, ev := range []input.Event{at(0.75), down, up} {
		sendUntil(ctx, t, viewers[2], ev)
	}
	waitUntil(t, "input handled", func() bool { st := h.Stats(); return st.Injected >= 3 && st.Refused >= 3 })
	time.Sleep(100 * time.Millisecond)
	movesAt(t, rec.Events(), 0.25)
	if n := len(buttons(rec.Events())); n != 2 {
		t.Fatalf("injected %d button events, want the controller's 2: %+v", n, rec.Events())
	}

	// The watcher is allowed control (a new consent) and takes it over;
	// the previous controller's held button is released first.
	sendUntil(ctx, t, viewers[1], down)
	waitUntil(t, "held button", func() bool { return len(buttons(rec.Events())) == 3 })
	if err := h.SetViewerMode(2, input.ModeControl); err != nil {
		t.Fatal(err)
	}
	if err := h.SetController(2); err != nil {
		t.Fatal(err)
	}
	if bs := buttons(rec.Events()); len(bs) != 4 || bs[3].Down {
		t.Fatalf("moving control did not release the held button: %+v", rec.Events())
	}
	rec.Reset()
	sendUntil(ctx, t, viewers[1], at(0.25))
	sendUntil(ctx, t, viewers[1], down)
	sendUntil(ctx, t, viewers[2], at(0.75))
	waitUntil(t, "the new controller's move", func() bool { return len(rec.Events()) >= 1 })
	time.Sleep(100 * time.Millisecond)
	movesAt(t, rec.Events(), 0.75)
	if bs := buttons(rec.Events()); len(bs) != 0 {
		t.Fatalf("the former controller's click was injected: %+v", rec.Events())
	}
	if vs := h.Viewers(); len(vs) != 2 || vs[0].Controlling || !vs[1].Controlling || vs[1].Mode != input.ModeControl {
		t.Fatalf("viewers = %+v", vs)
	}

	// Removing the controller: nobody controls, the other keeps streaming.
	sendUntil(ctx, t, viewers[2], down)
	waitUntil(t, "held button", func() bool { return len(buttons(rec.Events())) == 1 })
	if err := h.RemoveViewer(2); err != nil {
		t.Fatal(err)
	}
	if bs := buttons(rec.Events()); len(bs) != 2 || bs[1].Down {
		t.Fatalf("removing the controller did not release its button: %+v", rec.Events())
	}
	if _, ok := h.Controller(); ok {
		t.Fatal("a removed viewer still controls")
	}
	patternB.paint(t, pt)
	waitPicture(t, viewers[1], patternB, 5*time.Second)
	if err := h.RemoveViewer(2); !errors.Is(err, ErrNoViewer) {
		t.Fatalf("RemoveViewer twice = %v", err)
	}

	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	for _, v := range viewers[1:] {
		v.Close()
	}
	for _, p := range pipes {
		p.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d before, %d after Close\n%s", base, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
