// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package media

import (
	"context"
	"fmt"
	"image"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

const testW, testH = 640, 480

// pattern is a grid of coloured blocks covering the test screen.
type pattern struct {
	cols, rows int
	colours    []uint32 // 0xRRGGBB, row by row
}

func (pt pattern) block(i int) image.Rectangle {
	bw, bh := testW/pt.cols, testH/pt.rows
	x, y := i%pt.cols, i/pt.cols
	return image.Rect(x*bw, y*bh, (x+1)*bw, (y+1)*bh)
}

func (pt pattern) paint(t *testing.T, p *painter) {
	t.Helper()
	for i, c := range pt.colours {
		p.fill(pt.block(i), c)
	}
	if err := p.sync(); err != nil {
		t.Fatal(err)
	}
}

// mismatch compares the mean colour of the middle half of every block of
// img with the pattern and describes the first block off by more than tol
// per channel ("" when all match). VP8's 4:2:0 chroma and quantisation
// blur edges, hence the margins and the tolerance.
func (pt pattern) mismatch(img *image.RGBA, tol int) string {
	for i, c := range pt.colours {
		r := pt.block(i)
		in := image.Rect(r.Min.X+r.Dx()/4, r.Min.Y+r.Dy()/4, r.Max.X-r.Dx()/4, r.Max.Y-r.Dy()/4)
		got := meanRGB(img, in)
		want := [3]int{int(c >> 16 & 0xff), int(c >> 8 & 0xff), int(c & 0xff)}
		for k := range 3 {
			if d := got[k] - want[k]; d > tol || -d > tol {
				return fmt.Sprintf("block %d: mean %v, want %v", i, got, want)
			}
		}
	}
	return ""
}

func meanRGB(img *image.RGBA, r image.Rectangle) [3]int {
	var sum [3]int
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[y*img.Stride:]
		for x := r.Min.X; x < r.Max.X; x++ {
			sum[0] += int(row[4*x])
			sum[1] += int(row[4*x+1])
			sum[2] += int(row[4*x+2])
			n++
		}
	}
	return [3]int{sum[0] / n, sum[1] / n, sum[2] / n}
}

var (
	patternA = pattern{cols: 4, rows: 3, colours: []uint32{
		0xff0000, 0x00ff00, 0x0000ff, 0xffffff,
		0x000000, 0xffff00, 0x00ffff, 0xff00ff,
		0x808080, 0x804000, 0x2060c0, 0xc0c0c0,
	}}
	patternB = pattern{cols: 4, rows: 3, colours: []uint32{
		0x000000, 0xc0c0c0, 0xff00ff, 0x00ffff,
		0x2060c0, 0x804000, 0xffffff, 0xff0000,
		0x0000ff, 0x00ff00, 0x808080, 0xffff00,
	}}
)

// waitPicture takes pictures from v until one matches pt or the timeout
// passes.
func waitPicture(t *testing.T, v *Viewer, pt pattern, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	last := "no picture"
	for {
		select {
		case p := <-v.Frames():
			last = pt.mismatch(p.Image, 24)
			p.Release()
			if last == "" {
				return
			}
		case <-deadline:
			t.Fatalf("no matching picture within %v; last: %s", timeout, last)
		}
	}
}

// startPair connects a Host sharing the test display and a Viewer in
// process, over loopback and a pipe signaler.
func startPair(t *testing.T, display string, inj input.Injector) (*Host, *Viewer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	hsig, vsig := rtc.NewPipeSignalers()
	loop := rtc.Config{ListenAddr: "127.0.0.1"}
	v, err := NewViewer(ctx, ViewerConfig{RTC: loop}, vsig)
	if err != nil {
		t.Fatalf("NewViewer: %v", err)
	}
	h, err := NewHost(ctx, HostConfig{RTC: loop, Capture: capture.Config{Display: display}, Injector: inj}, hsig)
	if err != nil {
		v.Close()
		if inj != nil {
			inj.Close()
		}
		t.Fatalf("NewHost: %v", err)
	}
	t.Cleanup(func() {
		h.Close()
		v.Close()
		hsig.Close()
	})
	if err := h.WaitConnected(ctx); err != nil {
		t.Fatalf("host WaitConnected: %v", err)
	}
	if err := v.WaitConnected(ctx); err != nil {
		t.Fatalf("viewer WaitConnected: %v", err)
	}
	return h, v
}

func noPicture(t *testing.T, v *Viewer, h *Host, when string) {
	t.Helper()
	select {
	case p := <-v.Frames():
		p.Release()
		t.Fatalf("%s: the viewer got a picture", when)
	default:
	}
	if st := v.Stats(); st.Frames != 0 || st.BitrateKbps != 0 {
		t.Fatalf("%s: viewer received %d frames at %.1f kbit/s", when, st.Frames, st.BitrateKbps)
	}
	if st := h.Stats(); st.Captured != 0 || st.Encoded != 0 {
		t.Fatalf("%s: host captured %d and encoded %d frames", when, st.Captured, st.Encoded)
	}
}

func TestScreenReachesViewer(t *testing.T) {
	display := xvfbtest.Start(t, testW, testH)
	p, err := newPainter(display, testW, testH)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	patternA.paint(t, p)
	h, v := startPair(t, display, nil)

	time.Sleep(300 * time.Millisecond)
	noPicture(t, v, h, "before consent")

	if err := h.Allow(input.ModeViewOnly); err != nil {
		t.Fatal(err)
	}
	waitPicture(t, v, patternA, 10*time.Second)
	patternB.paint(t, p)
	waitPicture(t, v, patternB, 5*time.Second)

	if _, err := exec.LookPath("xdotool"); err == nil {
		if out, err := exec.Command("xdotool", "mousemove", "160", "360").CombinedOutput(); err != nil {
			t.Fatalf("xdotool: %v: %s", err, out)
		}
		want := Cursor{X: normalise(160, testW), Y: normalise(360, testH), Visible: true}
		deadline := time.Now().Add(5 * time.Second)
		for c, _ := v.Cursor(); c != want; c, _ = v.Cursor() {
			if time.Now().After(deadline) {
				t.Fatalf("cursor %+v, want %+v", c, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := h.Allow(input.ModeViewOnly); err == nil {
		t.Fatal("Allow after Stop succeeded")
	}
	time.Sleep(200 * time.Millisecond) // packets in flight land
	before, captured := v.Stats().Frames, h.Stats().Captured
	patternA.paint(t, p)
	time.Sleep(700 * time.Millisecond)
	if got := v.Stats().Frames; got != before {
		t.Fatalf("viewer got %d frames after Stop", got-before)
	}
	if got := h.Stats().Captured; got != captured {
		t.Fatalf("host captured %d frames after Stop", got-captured)
	}
}

func mouseLocation(t *testing.T) (int, int) {
	t.Helper()
	out, err := exec.Command("xdotool", "getmouselocation", "--shell").Output()
	if err != nil {
		t.Fatalf("xdotool getmouselocation: %v", err)
	}
	var x, y int
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "X="); ok {
			x, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(line, "Y="); ok {
			y, _ = strconv.Atoi(v)
		}
	}
	return x, y
}

// TestInputFollowsConsent sends a move and a click from the viewer and
// checks, with xdotool, whether the display's real pointer moved.
func TestInputFollowsConsent(t *testing.T) {
	display := xvfbtest.Start(t, testW, testH)
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool not installed")
	}
	tests := []struct {
		name     string
		mode     input.Mode // set with Allow unless ModeNone
		stop     bool       // Stop after Allow
		wantMove bool
	}{
		{name: "before consent"},
		{name: "view only", mode: input.ModeViewOnly},
		{name: "control", mode: input.ModeControl, wantMove: true},
		{name: "after stop", mode: input.ModeControl, stop: true},
	}
	// 0.25*(640-1) and 0.75*(480-1), rounded: the injector's mapping.
	const wantX, wantY = 160, 359
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out, err := exec.Command("xdotool", "mousemove", "5", "5").CombinedOutput(); err != nil {
				t.Fatalf("xdotool: %v: %s", err, out)
			}
			inj, err := input.NewRobotgoInjector(input.RobotgoConfig{Display: display})
			if err != nil {
				t.Fatal(err)
			}
			h, v := startPair(t, display, inj) // the Host owns inj
			if tt.mode != input.ModeNone {
				if err := h.Allow(tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			if tt.stop {
				if err := h.Stop(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(100 * time.Millisecond)
			}
			framesBefore := v.Stats().Frames

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			move := input.Event{Kind: input.KindPointerMove, X: 0.25, Y: 0.75}
			for v.SendInput(ctx, move) != nil { // the pointer channel opens after the connection
				if ctx.Err() != nil {
					t.Fatal("pointer channel never opened")
				}
				time.Sleep(10 * time.Millisecond)
			}
			for _, down := range []bool{true, false} {
				if err := v.SendInput(ctx, input.Event{Kind: input.KindButton, Button: input.ButtonLeft, Down: down}); err != nil {
					t.Fatal(err)
				}
			}

			if tt.wantMove {
				for {
					if x, y := mouseLocation(t); x == wantX && y == wantY {
						break
					}
					if ctx.Err() != nil {
						x, y := mouseLocation(t)
						t.Fatalf("pointer at (%d,%d), want (%d,%d); stats %+v", x, y, wantX, wantY, h.Stats())
					}
					time.Sleep(10 * time.Millisecond)
				}
				return
			}
			// The reliable move before the button, the press and the
			// release must all have been refused.
			for h.Stats().Refused < 3 {
				if ctx.Err() != nil {
					t.Fatalf("input never refused; stats %+v", h.Stats())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if x, y := mouseLocation(t); x != 5 || y != 5 {
				t.Fatalf("pointer moved to (%d,%d) in %s", x, y, tt.name)
			}
			if st := h.Stats(); st.Injected != 0 {
				t.Fatalf("%d events injected", st.Injected)
			}
			if tt.mode != input.ModeViewOnly {
				time.Sleep(200 * time.Millisecond)
				if got := v.Stats().Frames; got != framesBefore {
					t.Fatalf("%d frames arrived without sharing", got-framesBefore)
				}
			}
			if tt.mode == input.ModeNone {
				noPicture(t, v, h, tt.name)
			}
		})
	}
}

// TestCloseLeavesNoGoroutines streams, closes both sides and checks that
// every goroutine they started has ended.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	display := xvfbtest.Start(t, testW, testH)
	p, err := newPainter(display, testW, testH)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	patternA.paint(t, p)
	base := runtime.NumGoroutine()

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	hsig, vsig := rtc.NewPipeSignalers()
	loop := rtc.Config{ListenAddr: "127.0.0.1"}
	v, err := NewViewer(ctx, ViewerConfig{RTC: loop}, vsig)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHost(ctx, HostConfig{RTC: loop, Capture: capture.Config{Display: display}}, hsig)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Allow(input.ModeViewOnly); err != nil {
		t.Fatal(err)
	}
	waitPicture(t, v, patternA, 10*time.Second)
	for range 2 { // Close is idempotent
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
	}
	hsig.Close()
	if err := h.Allow(input.ModeControl); err == nil {
		t.Fatal("Allow after Close succeeded")
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
