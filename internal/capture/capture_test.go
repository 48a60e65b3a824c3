// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package capture

import (
	"context"
	"errors"
	"image"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// pattern is a known picture: four coloured blocks on black.
var pattern = []struct {
	r   image.Rectangle
	rgb uint32
}{
	{image.Rect(0, 0, 640, 480), 0x000000},
	{image.Rect(10, 20, 110, 120), 0xff0000},
	{image.Rect(200, 20, 300, 120), 0x00ff00},
	{image.Rect(10, 300, 110, 400), 0x0000ff},
	{image.Rect(500, 300, 640, 480), 0x123456},
}

func drawPattern(p *painter) {
	for _, b := range pattern {
		p.fill(b.r, b.rgb)
	}
}

// checkPattern compares every pixel of the frame with the pattern.
func checkPattern(t *testing.T, f *Frame, origin image.Point) {
	t.Helper()
	bad := 0
	for y := 0; y < f.Height; y++ {
		for x := 0; x < f.Width; x++ {
			var want uint32
			pt := image.Pt(x, y).Add(origin)
			for _, b := range pattern {
				if pt.In(b.r) {
					want = b.rgb
				}
			}
			if got := pixel(f, x, y); got != want {
				if bad < 5 {
					t.Errorf("pixel (%d,%d) = %06x, want %06x", x, y, got, want)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d pixels differ", bad)
	}
}

func openTest(t *testing.T, cfg Config) Source {
	t.Helper()
	s, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func nextWithin(t *testing.T, s Source, d time.Duration) *Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	f, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return f
}

var backends = []Backend{BackendX11, BackendScreenshot}

func TestCapturePixelsExact(t *testing.T) {
	for _, b := range backends {
		t.Run(b.String(), func(t *testing.T) {
			xvfbtest.Start(t, 640, 480)
			p := newPainter(t)
			drawPattern(p)
			s := openTest(t, Config{Backend: b})
			f := nextWithin(t, s, 5*time.Second)
			if f.Width != 640 || f.Height != 480 || f.Stride < 640*4 || len(f.Data) < f.Stride*f.Height {
				t.Fatalf("frame geometry %dx%d stride %d len %d", f.Width, f.Height, f.Stride, len(f.Data))
			}
			if !f.Full() {
				t.Errorf("first frame Changed = %v, want the whole monitor", f.Changed)
			}
			checkPattern(t, f, image.Point{})
		})
	}
}

func TestStillScreenYieldsOnlyRefresh(t *testing.T) {
	for _, b := range backends {
		t.Run(b.String(), func(t *testing.T) {
			xvfbtest.Start(t, 640, 480)
			drawPattern(newPainter(t))
			const refresh = 700 * time.Millisecond
			s := openTest(t, Config{Backend: b, MinInterval: 10 * time.Millisecond, Refresh: refresh})
			first := nextWithin(t, s, 5*time.Second)
			start := first.Time

			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if f, err := s.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("still screen: Next = %v, %v; want no frame before the refresh", f, err)
			}
			f := nextWithin(t, s, 3*time.Second)
			if el := f.Time.Sub(start); el < refresh-50*time.Millisecond || el > refresh+700*time.Millisecond {
				t.Errorf("refresh frame after %v, want about %v", el, refresh)
			}
			if !f.Full() {
				t.Errorf("refresh frame Changed = %v, want whole monitor", f.Changed)
			}
			checkPattern(t, f, image.Point{})
		})
	}
}

func TestChangedCoversDrawing(t *testing.T) {
	for _, b := range backends {
		t.Run(b.String(), func(t *testing.T) {
			xvfbtest.Start(t, 640, 480)
			p := newPainter(t)
			drawPattern(p)
			s := openTest(t, Config{Backend: b, MinInterval: 5 * time.Millisecond, Refresh: 10 * time.Second})
			nextWithin(t, s, 5*time.Second)

			drawn := image.Rect(300, 200, 340, 230)
			go func() {
				time.Sleep(50 * time.Millisecond)
				p.fill(drawn, 0xabcdef)
			}()
			f := nextWithin(t, s, 5*time.Second)
			if f.Full() {
				t.Errorf("change reported as a full frame: %v", f.Changed)
			}
			if !covered(f.Changed, drawn) {
				t.Errorf("Changed %v does not cover drawn %v", f.Changed, drawn)
			}
			for _, c := range f.Changed {
				if !c.In(image.Rect(0, 0, 640, 480)) {
					t.Errorf("Changed rect %v outside the monitor", c)
				}
			}
			if got := pixel(f, 310, 210); got != 0xabcdef {
				t.Errorf("changed pixel = %06x, want abcdef", got)
			}
			if got := pixel(f, 20, 30); got != 0xff0000 {
				t.Errorf("unchanged pixel = %06x, want ff0000", got)
			}
		})
	}
}

func TestMonitorsAndSecondMonitor(t *testing.T) {
	display := xvfbtest.Start(t, 640, 480)
	p := newPainter(t)
	drawPattern(p)

	s := openTest(t, Config{Backend: BackendX11})
	mons, err := s.Monitors()
	if err != nil {
		t.Fatal(err)
	}
	if len(mons) != 1 || mons[0] != (Monitor{Index: 0, Width: 640, Height: 480, Primary: true}) {
		t.Fatalf("Monitors = %+v, want one 640x480 primary", mons)
	}
	s.Close()

	left, right := image.Rect(0, 0, 320, 480), image.Rect(320, 0, 640, 480)
	xvfbtest.SplitMonitors(t, display, left, right)
	s = openTest(t, Config{Backend: BackendX11, Monitor: 1, MinInterval: time.Millisecond})
	mons, err = s.Monitors()
	if err != nil {
		t.Fatal(err)
	}
	// Xvfb keeps its automatic whole-screen monitor after the two we set.
	if len(mons) < 2 || mons[0].Bounds() != left || mons[1].Bounds() != right || !mons[0].Primary || mons[1].Primary {
		t.Fatalf("Monitors = %+v, want %v primary and %v", mons, left, right)
	}
	f := nextWithin(t, s, 5*time.Second)
	if f.Width != 320 || f.Height != 480 {
		t.Fatalf("monitor 1 frame %dx%d, want 320x480", f.Width, f.Height)
	}
	checkPattern(t, f, right.Min)

	// Damage on the other monitor produces no frame; damage here does, in
	// monitor coordinates.
	p.fill(image.Rect(10, 10, 20, 20), 0xffffff)
	go func() {
		time.Sleep(100 * time.Millisecond)
		p.fill(image.Rect(330, 10, 340, 20), 0xffffff)
	}()
	f = nextWithin(t, s, 5*time.Second)
	if !covered(f.Changed, image.Rect(10, 10, 20, 20)) || covered(f.Changed, image.Rect(0, 0, 10, 10)) {
		t.Errorf("Changed = %v, want (10,10)-(20,20) in monitor coordinates", f.Changed)
	}
	if _, err := Open(Config{Backend: BackendX11, Monitor: 9}); !errors.Is(err, ErrNoMonitor) {
		t.Errorf("monitor 9: err = %v, want ErrNoMonitor", err)
	}
}

func TestCursorFollowsPointer(t *testing.T) {
	xvfbtest.Start(t, 640, 480)
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool not installed")
	}
	s := openTest(t, Config{Backend: BackendX11})
	c, err := s.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	if c.Shape == nil || c.Shape.Rect.Empty() {
		t.Fatalf("first Cursor has no shape: %+v", c)
	}
	if out, err := exec.Command("xdotool", "mousemove", "123", "45").CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v %s", err, out)
	}
	c, err = s.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	if c.X != 123 || c.Y != 45 || !c.Visible {
		t.Errorf("Cursor = (%d,%d) visible %v, want (123,45) visible", c.X, c.Y, c.Visible)
	}
	if c.Shape != nil {
		t.Errorf("unchanged cursor shape sent again")
	}
}

func TestCloseIdempotentAndWakesNext(t *testing.T) {
	for _, b := range backends {
		t.Run(b.String(), func(t *testing.T) {
			xvfbtest.Start(t, 320, 240)
			base := runtime.NumGoroutine()
			s, err := Open(Config{Backend: b, Refresh: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			nextWithin(t, s, 5*time.Second)
			errc := make(chan error, 1)
			go func() {
				_, err := s.Next(context.Background())
				errc <- err
			}()
			time.Sleep(50 * time.Millisecond)
			for i := 0; i < 3; i++ {
				if err := s.Close(); err != nil {
					t.Fatalf("Close #%d: %v", i+1, err)
				}
			}
			select {
			case err := <-errc:
				if !errors.Is(err, ErrClosed) {
					t.Errorf("blocked Next returned %v, want ErrClosed", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Close did not wake Next")
			}
			if _, err := s.Next(context.Background()); !errors.Is(err, ErrClosed) {
				t.Errorf("Next after Close = %v, want ErrClosed", err)
			}
			checkNoLeak(t, base)
		})
	}
}

// checkNoLeak waits for the goroutine count to return to base.
func checkNoLeak(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d before, %d after Close\n%s", base, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(Config{Backend: BackendX11, Display: ":" + strconv.Itoa(4000+time.Now().Nanosecond()%1000)}); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("missing display: err = %v, want ErrNoDisplay", err)
	}
	xvfbtest.Start(t, 320, 240)
	for _, b := range []Backend{BackendAuto, BackendX11, BackendScreenshot} {
		if _, err := Open(Config{Backend: b, Monitor: 5}); !errors.Is(err, ErrNoMonitor) {
			t.Errorf("%v: monitor 5: err = %v, want ErrNoMonitor", b, err)
		}
	}
}
