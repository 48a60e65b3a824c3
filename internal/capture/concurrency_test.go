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
