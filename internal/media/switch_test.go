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
	var clips [3]clipEvents
	var announced [3]atomic.Int32
	viewers := addTwoViewers(ctx, t, h, func(id int64) ViewerConfig {
		return ViewerConfig{RTC: loop, OnEvent: clips[id].on, OnMonitors: func(Monitors) { announced[id].Add(1) }}
	})
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

// qualityEvents counts the quality announcements a viewer receives.
type qualityEvents struct{ n atomic.Int32 }

func (q *qualityEvents) on(ev input.Event) {
	if ev.Kind == input.KindQuality {
		q.n.Add(1)
	}
}

// TestViewersChooseQuality: while nobody controls, a watcher may choose
// the picture quality (it is no input); once someone controls, only the
// controller may, also while the end user allows viewing only. Every
// viewer is told the quality in force, a refused one again. The choice
// reaches the shared encoder from the next frame: Sharp paces frames to
// 20 a second where Speed keeps up with the screen, without a keyframe,
// and Speed keeps its rate ceiling. Nothing reaches the injector.
func TestViewersChooseQuality(t *testing.T) {
	display := xvfbtest.Start(t, testW, testH)
	pt, err := newPainter(display, testW, testH)
	if err != nil {
		t.Fatal(err)
	}
	defer pt.close()
	patternA.paint(t, pt)

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	loop := rtc.Config{ListenAddr: "127.0.0.1"}
	rec := &input.Recorder{}
	h, err := NewHost(ctx, HostConfig{RTC: loop, Capture: capture.Config{Display: display},
		NewInjector: func() (input.Injector, error) { return rec, nil }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var told [3]qualityEvents
	viewers := addTwoViewers(ctx, t, h, func(id int64) ViewerConfig {
		return ViewerConfig{RTC: loop, OnEvent: told[id].on}
	})
	if err := h.Allow(input.ModeViewOnly); err != nil {
		t.Fatal(err)
	}
	shown := func(id int, want input.Quality) func() bool {
		return func() bool { q, ok := viewers[id].Quality(); return ok && q == want }
	}
	for id := 1; id <= 2; id++ {
		waitPicture(t, viewers[id], patternA, 10*time.Second)
		waitUntil(t, "the quality announced", shown(id, input.QualityAuto))
	}
	if st := h.Stats(); st.Quality != input.QualityAuto {
		t.Fatalf("a new host's quality is %s", st.Quality)
	}

	// Nobody controls: the watcher chooses, everybody is told.
	if err := viewers[2].SetQuality(ctx, input.QualitySpeed); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the watcher's choice", func() bool { return h.Stats().Quality == input.QualitySpeed })
	for id := 1; id <= 2; id++ {
		waitUntil(t, "speed announced", shown(id, input.QualitySpeed))
	}
	if err := viewers[2].SetQuality(ctx, input.QualityUnknown); err == nil {
		t.Fatal("SetQuality(unknown) sent")
	}

	// Speed keeps up with a screen changing 60 times a second, under its
	// ceiling.
	drawn := paintEvery(t, pt, time.Second/60)
	fpsSpeed, speedStats := encodedRate(t, h, 1500*time.Millisecond)

	// Someone controls: the watcher is refused and told what stays.
	if err := h.Allow(input.ModeControl); err != nil {
		t.Fatal(err)
	}
	if err := h.SetController(1); err != nil {
		t.Fatal(err)
	}
	refused, toldWatcher := h.Stats().Refused, told[2].n.Load()
	if err := viewers[2].SetQuality(ctx, input.QualitySharp); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the watcher refused", func() bool { return h.Stats().Refused == refused+1 })
	waitUntil(t, "the watcher told again", func() bool { return told[2].n.Load() > toldWatcher })
	if q := h.Stats().Quality; q != input.QualitySpeed {
		t.Fatalf("a watcher changed the quality to %s while another viewer controls", q)
	}

	// The controller chooses Sharp: frames come at most 20 a second, and
	// the stream goes on without a keyframe.
	keyframes := h.Stats().Keyframes
	if err := viewers[1].SetQuality(ctx, input.QualitySharp); err != nil {
		t.Fatal(err)
	}
	for id := 1; id <= 2; id++ {
		waitUntil(t, "sharp announced", shown(id, input.QualitySharp))
	}
	time.Sleep(200 * time.Millisecond)
	fpsSharp, sharpStats := encodedRate(t, h, 1500*time.Millisecond)
	t.Logf("%.0f screen changes a second: %.1f frames a second in speed (encoder at %d kbit/s, congestion control at %d), %.1f in sharp (%d)",
		drawn(), fpsSpeed, speedStats.EncoderKbps, speedStats.TargetBitrateKbps, fpsSharp, sharpStats.EncoderKbps)
	if fpsSpeed < 30 || fpsSharp > 22 || fpsSharp < 10 {
		t.Errorf("%.1f frames a second in speed, %.1f in sharp: want ≥ 30 and 10..22", fpsSpeed, fpsSharp)
	}
	if speedStats.EncoderKbps <= 0 || speedStats.EncoderKbps > 2500 {
		t.Errorf("speed ran the encoder at %d kbit/s, want at most its ceiling of 2500", speedStats.EncoderKbps)
	}
	if n := h.Stats().Keyframes - keyframes; n != 0 {
		t.Errorf("%d keyframes after the change of quality", n)
	}

	// The end user allows viewing only again: the controller still chooses.
	if err := h.Allow(input.ModeViewOnly); err != nil {
		t.Fatal(err)
	}
	if err := viewers[1].SetQuality(ctx, input.QualityAuto); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the controller's choice in view only", func() bool { return h.Stats().Quality == input.QualityAuto })
	waitUntil(t, "auto announced", shown(2, input.QualityAuto))

	if st := h.Stats(); st.Injected != 0 || len(rec.Events()) != 0 || st.Malformed != 0 {
		t.Fatalf("quality requests counted as input: %d injected, %d malformed, recorded %+v", st.Injected, st.Malformed, rec.Events())
	}
}

// paintEvery flips a block of the test screen between two colours every
// interval until the test ends; the returned function says how many
// changes a second it made.
func paintEvery(t *testing.T, pt *painter, interval time.Duration) (rate func() float64) {
	t.Helper()
	done := make(chan struct{})
	stopped := make(chan struct{})
	var n atomic.Int64
	start := time.Now()
	go func() {
		defer close(stopped)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			pt.fill(image.Rect(0, 0, testW/2, testH/2), []uint32{0x2060c0, 0xc0c0c0}[i%2])
			if pt.sync() != nil {
				return
			}
			n.Add(1)
		}
	}()
	t.Cleanup(func() { close(done); <-stopped })
	return func() float64 { return float64(n.Load()) / time.Since(start).Seconds() }
}

// encodedRate returns how many frames a second h encoded over d, and its
// figures at the end.
func encodedRate(t *testing.T, h *Host, d time.Duration) (float64, HostStats) {
	t.Helper()
	before, start := h.Stats().Encoded, time.Now()
	time.Sleep(d)
	st := h.Stats()
	return float64(st.Encoded-before) / time.Since(start).Seconds(), st
}

// addTwoViewers connects viewers 1 (may control) and 2 (only watches) to
// h, with the configs cfg gives; they close when the test ends.
func addTwoViewers(ctx context.Context, t *testing.T, h *Host, cfg func(id int64) ViewerConfig) [3]*Viewer {
	t.Helper()
	var viewers [3]*Viewer
	for id := int64(1); id <= 2; id++ {
		hsig, vsig := rtc.NewPipeSignalers()
		t.Cleanup(func() { hsig.Close() })
		v, err := NewViewer(ctx, cfg(id), vsig)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		viewers[id] = v
		mode := map[int64]input.Mode{1: input.ModeControl, 2: input.ModeViewOnly}[id]
		if err := h.AddViewer(ctx, id, mode, hsig); err != nil {
			t.Fatal(err)
		}
	}
	return viewers
}
