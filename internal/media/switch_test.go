// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package media

import (
	"context"
	"image"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// clipEvents records the clipboard texts a viewer receives.
type clipEvents struct {
	n    atomic.Int32
	last atomic.Pointer[string]
}

func (c *clipEvents) on(ev input.Event) {
	if ev.Kind == input.KindClipboard {
		text := ev.Text
		c.last.Store(&text)
		c.n.Add(1)
	}
}

// TestControllerSwitchesMonitorAndFetchesClipboard: on a desktop of two
// monitors, viewers learn the monitor list; a watcher can neither switch
// the monitor nor read the clipboard; the controller switches to the
// second monitor (its pattern arrives, for the watcher too, and a click
// lands on it) and fetches the end user's clipboard, which another X
// client owns.
func TestControllerSwitchesMonitorAndFetchesClipboard(t *testing.T) {
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool not installed")
	}
	display := xvfbtest.Start(t, 2*testW, testH)
	xvfbtest.SplitMonitors(t, display, image.Rect(0, 0, testW, testH), image.Rect(testW, 0, 2*testW, testH))
	left, err := newPainterAt(display, 0, 0, testW, testH)
	if err != nil {
		t.Fatal(err)
	}
	defer left.close()
	right, err := newPainterAt(display, testW, 0, testW, testH)
	if err != nil {
		t.Fatal(err)
	}
	defer right.close()
	patternA.paint(t, left)
	patternB.paint(t, right)

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	loop := rtc.Config{ListenAddr: "127.0.0.1"}
	h, err := NewHost(ctx, HostConfig{RTC: loop, Capture: capture.Config{Display: display},
		NewInjector: func() (input.Injector, error) {
			return input.NewRobotgoInjector(input.RobotgoConfig{Display: display, Monitors: []input.Rect{
				{Width: testW, Height: testH}, {X: testW, Width: testW, Height: testH}}})
		}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var viewers [3]*Viewer // technician 1 controls, 2 watches
	var clips [3]clipEvents
	var announced [3]atomic.Int32
	for id := int64(1); id <= 2; id++ {
		hsig, vsig := rtc.NewPipeSignalers()
		defer hsig.Close()
		v, err := NewViewer(ctx, ViewerConfig{RTC: loop, OnEvent: clips[id].on,
			OnMonitors: func(Monitors) { announced[id].Add(1) }}, vsig)
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
	if err := h.Allow(input.ModeControl); err != nil {
		t.Fatal(err)
	}
	if err := h.SetController(1); err != nil {
		t.Fatal(err)
	}
	current := func(id int) int {
		m, ok := viewers[id].Monitors()
		if !ok {
			return -1
		}
		return m.Current
	}
	for id := 1; id <= 2; id++ {
		waitPicture(t, viewers[id], patternA, 10*time.Second)
		waitUntil(t, "the monitor list", func() bool { return current(id) == 0 })
		m, _ := viewers[id].Monitors()
		want := []MonitorInfo{{Width: testW, Height: testH, Primary: true}, {X: testW, Width: testW, Height: testH}}
		if len(m.List) < 2 || m.List[0] != want[0] || m.List[1] != want[1] {
			t.Fatalf("viewer %d: monitors %+v, want %+v", id, m.List, want)
		}
	}

	// The watcher's requests are refused.
	refused := h.Stats().Refused
	sendUntil(ctx, t, viewers[2], input.Event{Kind: input.KindSelectMonitor, Monitor: 1})
	sendUntil(ctx, t, viewers[2], input.Event{Kind: input.KindClipboardRequest})
	waitUntil(t, "the watcher refused", func() bool { return h.Stats().Refused >= refused+2 })
	time.Sleep(300 * time.Millisecond)
	if current(1) != 0 || current(2) != 0 || clips[2].n.Load() != 0 {
		t.Fatalf("a watcher switched the monitor (%d) or got the clipboard (%d)", current(2), clips[2].n.Load())
	}

	// The controller switches: everybody sees the second monitor.
	sendUntil(ctx, t, viewers[1], input.Event{Kind: input.KindSelectMonitor, Monitor: 1})
	for id := 1; id <= 2; id++ {
		waitPicture(t, viewers[id], patternB, 10*time.Second)
		waitUntil(t, "the new monitor announced", func() bool { return current(id) == 1 })
	}
	// Pointer coordinates are on the second monitor now.
	sendUntil(ctx, t, viewers[1], input.Event{Kind: input.KindPointerMove, X: 0.25, Y: 0.75})
	sendUntil(ctx, t, viewers[1], input.Event{Kind: input.KindButton, Button: input.ButtonLeft, Down: true})
	sendUntil(ctx, t, viewers[1], input.Event{Kind: input.KindButton, Button: input.ButtonLeft})
	waitUntil(t, "the click on the second monitor", func() bool {
		x, y := mouseLocation(t)
		return x == testW+160 && y == 359
	})
	// And the picture follows the second monitor's changes.
	patternA.paint(t, right)
	waitPicture(t, viewers[1], patternA, 5*time.Second)

	// The controller fetches the clipboard another application owns.
	other, err := input.NewClipboard(input.ClipboardConfig{Display: display})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Set("the end user's secret"); err != nil {
		t.Fatal(err)
	}
	sendUntil(ctx, t, viewers[1], input.Event{Kind: input.KindClipboardRequest})
	waitUntil(t, "the clipboard text", func() bool { return clips[1].n.Load() == 1 })
	if got := *clips[1].last.Load(); got != "the end user's secret" {
		t.Fatalf("clipboard %q", got)
	}
	if clips[2].n.Load() != 0 {
		t.Fatal("the watcher received the controller's clipboard text")
	}
	// An unknown monitor changes nothing.
	sendUntil(ctx, t, viewers[1], input.Event{Kind: input.KindSelectMonitor, Monitor: 7})
	time.Sleep(300 * time.Millisecond)
	if current(1) != 1 {
		t.Fatalf("monitor %d after asking for a missing one", current(1))
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}
