package capture

import (
	"context"
	"fmt"
	"image"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbinani/screenshot"
)

// shotSource polls kbinani/screenshot. The library opens a new connection
// (and on X11 a new SHM segment) per call and allocates the picture, so it
// costs far more than the X11 source (~26 ms at 1080p on Linux); it is the
// portable fallback. Changes are found by comparing with the previous frame.
type shotSource struct {
	cfg  Config
	mon  Monitor
	done chan struct{} // closed by Close

	closed    atomic.Bool
	closeOnce sync.Once

	mu sync.Mutex // guards the following fields; held for the whole of Next
	// cur is the frame last returned, scratch receives the next capture.
	cur, scratch []byte
	frame        Frame
	changed      [1]image.Rectangle
	first        bool
	last         time.Time // when the last frame was returned
}

func shotMonitors() ([]Monitor, error) {
	n := screenshot.NumActiveDisplays()
	if n <= 0 {
		return nil, fmt.Errorf("%w: screenshot found no active display", ErrNoDisplay)
	}
	mons := make([]Monitor, 0, n)
	for i := 0; i < n; i++ {
		r := screenshot.GetDisplayBounds(i)
		mons = append(mons, Monitor{Index: i, X: r.Min.X, Y: r.Min.Y, Width: r.Dx(), Height: r.Dy(), Primary: i == 0})
	}
	return mons, nil
}

func openScreenshot(cfg Config) (*shotSource, error) {
	mons, err := shotMonitors()
	if err != nil {
		return nil, err
	}
	mon, err := pickMonitor(mons, cfg.Monitor)
	if err != nil {
		return nil, err
	}
	size := mon.Width * mon.Height * 4
	s := &shotSource{
		cfg:     cfg,
		mon:     mon,
		done:    make(chan struct{}),
		cur:     make([]byte, size),
		scratch: make([]byte, size),
		first:   true,
	}
	s.frame = Frame{Stride: mon.Width * 4, Width: mon.Width, Height: mon.Height}
	cfg.Logger.Info("capture opened", "backend", BackendScreenshot.String(), "monitor", mon.Index,
		"width", mon.Width, "height", mon.Height)
	return s, nil
}

func (s *shotSource) Monitors() ([]Monitor, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	return shotMonitors()
}

func (s *shotSource) Cursor() (Cursor, error) { return Cursor{}, ErrCursorUnsupported }

// grab captures the monitor into s.scratch as BGRX.
func (s *shotSource) grab() error {
	img, err := screenshot.CaptureRect(s.mon.Bounds())
	if err != nil {
		return fmt.Errorf("capture: screenshot: %w", err)
	}
	rgbaToBGRX(s.scratch, s.frame.Stride, img)
	return nil
}

func rgbaToBGRX(dst []byte, stride int, img *image.RGBA) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := 0; y < h; y++ {
		src := img.Pix[y*img.Stride : y*img.Stride+w*4]
		d := dst[y*stride : y*stride+w*4]
		for i := 0; i < len(src); i += 4 {
			d[i], d[i+1], d[i+2], d[i+3] = src[i+2], src[i+1], src[i], 255
		}
	}
}

func (s *shotSource) Next(ctx context.Context) (*Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil, ErrClosed
	}
	for {
		if !s.first {
			if err := waitUntil(ctx, s.done, s.last.Add(s.cfg.MinInterval)); err != nil {
				return nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := s.grab(); err != nil {
			return nil, err
		}
		now := time.Now()
		full := s.first || now.Sub(s.last) >= s.cfg.Refresh
		var r image.Rectangle
		if full {
			r = image.Rect(0, 0, s.mon.Width, s.mon.Height)
		} else {
			r = diffBounds(s.cur, s.scratch, s.frame.Stride, s.mon.Width, s.mon.Height)
		}
		if r.Empty() {
			// Nothing changed: keep pacing from the last poll, not the last
			// frame, so a still screen is polled once per MinInterval.
			if err := waitUntil(ctx, s.done, now.Add(s.cfg.MinInterval)); err != nil {
				return nil, err
			}
			continue
		}
		s.first = false
		s.last = now
		s.cur, s.scratch = s.scratch, s.cur
		s.changed[0] = r
		s.frame.Data = s.cur
		s.frame.Changed = s.changed[:]
		s.frame.Time = now
		return &s.frame, nil
	}
}

func (s *shotSource) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.done)
		s.mu.Lock() // wait for a running Next
		s.mu.Unlock()
	})
	return nil
}
