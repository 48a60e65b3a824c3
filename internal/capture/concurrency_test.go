//go:build linux

package capture

import (
	"context"
	"errors"
	"image"
	"sync"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// TestConcurrentUse runs what the agent does at once: one source streams
// damage events while another is opened and closed (a monitor switch) and
// the monitor list is read (the cursor loop on every stream start). xgb's
// extension initialisation writes maps that every connection's event
// reader reads; under the race detector this test fails if any of it
// happens on a connection after the first.
func TestConcurrentUse(t *testing.T) {
	xvfbtest.Start(t, 320, 240)
	p := newPainter(t)
	a := openTest(t, Config{Backend: BackendX11, MinInterval: time.Millisecond})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var frames int
	wg.Add(2)
	go func() { // the stream loop
		defer wg.Done()
		for ctx.Err() == nil {
			if _, err := a.Next(ctx); err == nil {
				frames++
			} else if ctx.Err() == nil {
				t.Errorf("Next: %v", err)
				return
			}
		}
	}()
	go func() { // an application drawing: damage events on a's connection
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			p.fill(image.Rect(i%300, 10, i%300+20, 30), uint32(i*0x10101)&0xffffff)
			time.Sleep(time.Millisecond)
		}
	}()
	for i := 0; i < 20; i++ {
		b, err := Open(Config{Backend: BackendX11})
		if err != nil {
			t.Fatalf("Open #%d: %v", i, err)
		}
		if _, err := b.Monitors(); err != nil {
			t.Errorf("Monitors of a second source: %v", err)
		}
		if _, err := b.Cursor(); err != nil && !errors.Is(err, ErrCursorUnsupported) {
			t.Errorf("Cursor: %v", err)
		}
		b.Close()
		if _, err := a.Monitors(); err != nil {
			t.Errorf("Monitors while streaming: %v", err)
		}
	}
	cancel()
	wg.Wait()
	if frames == 0 {
		t.Error("the streaming source produced no frame while the painter drew")
	}
}

// TestCancelledWaitKeepsDamage: a Next cancelled while it paces, after it
// took the damage notification, must leave the damage for the next call.
// The server reports damage only once until it is fetched, so a lost
// notification would stall the stream until the (here: hour-long) refresh.
// The media host cancels Next on every keyframe request.
func TestCancelledWaitKeepsDamage(t *testing.T) {
	xvfbtest.Start(t, 320, 240)
	p := newPainter(t)
	s := openTest(t, Config{Backend: BackendX11, MinInterval: time.Second, Refresh: time.Hour})
	nextWithin(t, s, 5*time.Second)
	// Start from no pending notification (creating the damage object
	// reported the whole screen), then exactly one for the drawing.
	damaged := s.(*x11Source).damaged
	time.Sleep(100 * time.Millisecond)
	select {
	case <-damaged:
	default:
	}
	p.fill(image.Rect(10, 10, 40, 40), 0xabcdef)
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if f, err := s.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next while pacing = %v, %v; want it cancelled", f, err)
	}
	if n := len(damaged); n != 1 {
		t.Fatalf("%d damage notifications pending after the cancelled Next, want the taken one back", n)
	}
	f := nextWithin(t, s, 5*time.Second)
	if !covered(f.Changed, image.Rect(10, 10, 40, 40)) {
		t.Errorf("Changed = %v, want the drawing", f.Changed)
	}
}
