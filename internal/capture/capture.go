// Package capture produces pictures of one monitor of the local desktop for
// the video pipeline: a persistent X11 MIT-SHM source driven by XDamage on
// Linux (nothing is captured while the screen is still), and a polling
// source built on kbinani/screenshot for other systems and as a fallback.
// Sources reuse their buffers: no frame-sized allocation per frame.
package capture

import (
	"context"
	"fmt"
	"image"
	"io"
	"log/slog"
	"time"
)

// Monitor is one physical screen in root-window (virtual desktop) pixels.
type Monitor struct {
	Index         int
	X, Y          int
	Width, Height int
	Primary       bool
}

// Bounds is the monitor's rectangle on the virtual desktop.
func (m Monitor) Bounds() image.Rectangle {
	return image.Rect(m.X, m.Y, m.X+m.Width, m.Y+m.Height)
}

// Frame is one picture of the captured monitor.
type Frame struct {
	// Data holds Height rows of Stride bytes, 4 bytes a pixel in X11 BGRX
	// memory order (blue first); the fourth byte is not meaningful alpha.
	Data          []byte
	Stride        int
	Width, Height int
	// Changed lists the regions (monitor coordinates) that differ from the
	// previous frame. The first frame and the periodic refresh frames carry
	// the whole monitor, so a consumer can treat them as keyframe hints.
	Changed []image.Rectangle
	Time    time.Time
}

// Full reports whether Changed covers the whole frame (first frame or a
// periodic refresh).
func (f *Frame) Full() bool {
	return len(f.Changed) == 1 && f.Changed[0] == image.Rect(0, 0, f.Width, f.Height)
}

// Cursor is the pointer as seen on the captured monitor.
type Cursor struct {
	// X, Y is the pointer position relative to the monitor's top left corner
	// (the hot spot's position, not the image's corner).
	X, Y int
	// Visible is false when the pointer is on another monitor or the cursor
	// image is fully transparent (hidden).
	Visible bool
	// Serial changes whenever the cursor image changes.
	Serial uint32
	// Shape is the cursor image (premultiplied RGBA), set only when it
	// changed since the previous call to Source.Cursor; nil otherwise. The
	// caller owns it.
	Shape      *image.RGBA
	HotX, HotY int
}

// Source captures one monitor.
//
// Next and Cursor may be called from different goroutines; Next itself is
// not reentrant (one consumer goroutine owns the frames).
type Source interface {
	// Monitors lists the monitors of the desktop, in server order.
	Monitors() ([]Monitor, error)
	// Next blocks until the picture changed (or the refresh interval passed
	// without change) and returns the new frame, paced to at most one frame
	// per Config.MinInterval. The frame and its Data are reused: they are
	// valid only until the next call to Next or Close.
	Next(ctx context.Context) (*Frame, error)
	// Cursor returns the current pointer position and, when it changed since
	// the last call, the cursor image. The pointer moves without damaging the
	// screen, so callers poll it (e.g. once per frame interval) instead of
	// waiting in Next. Sources that cannot see the cursor return
	// ErrCursorUnsupported.
	Cursor() (Cursor, error)
	// Close releases the display connection and shared memory. It wakes a
	// blocked Next (which returns ErrClosed), waits for it, and is
	// idempotent. The last frame's Data must not be used after Close.
	Close() error
}

// Backend selects a capture implementation.
type Backend uint8

const (
	// BackendAuto picks the best available: X11 SHM on Linux, falling back
	// to screenshot polling when MIT-SHM is unusable.
	BackendAuto Backend = iota
	// BackendX11 is the persistent X11 MIT-SHM + XDamage source (Linux).
	BackendX11
	// BackendScreenshot polls kbinani/screenshot and diffs frames.
	BackendScreenshot
	backendEnd
)

var backendNames = [...]string{"auto", "x11", "screenshot"}

func (b Backend) String() string {
	if b >= backendEnd {
		return "unknown"
	}
	return backendNames[b]
}

// Default values of Config fields left zero.
const (
	DefaultMinInterval = time.Second / 60
	DefaultRefresh     = time.Second
)

// Config chooses the monitor and the pacing. The zero value captures the
// first monitor of the default display at up to 60 fps with a full frame at
// least once a second.
type Config struct {
	// Monitor is the index into Source.Monitors (0 = first).
	Monitor int
	// MinInterval is the shortest time between two frames (frame pacing);
	// damage arriving sooner is merged into the next frame. Default 1/60 s.
	MinInterval time.Duration
	// Refresh is the longest time without a frame: a still screen still
	// yields a full frame this often, so a lost keyframe heals. Default 1 s.
	Refresh time.Duration
	// Display is the X11 display name (":0"); empty means the X library's
	// default. Ignored by the screenshot backend, which always uses the
	// default display.
	Display string
	// Backend forces an implementation; default BackendAuto.
	Backend Backend
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

func (c *Config) validate() error {
	if c.Monitor < 0 {
		return fmt.Errorf("%w: monitor index %d is negative", ErrInvalidConfig, c.Monitor)
	}
	if c.MinInterval < 0 || c.Refresh < 0 {
		return fmt.Errorf("%w: negative interval", ErrInvalidConfig)
	}
	if c.MinInterval == 0 {
		c.MinInterval = DefaultMinInterval
	}
	if c.Refresh == 0 {
		c.Refresh = DefaultRefresh
	}
	if c.Refresh < c.MinInterval {
		return fmt.Errorf("%w: refresh %v is shorter than min interval %v", ErrInvalidConfig, c.Refresh, c.MinInterval)
	}
	if c.Backend >= backendEnd {
		return fmt.Errorf("%w: unknown backend %d", ErrInvalidConfig, c.Backend)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Open starts capturing the configured monitor with the best backend.
func Open(cfg Config) (Source, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return open(cfg)
}

func pickMonitor(mons []Monitor, index int) (Monitor, error) {
	if index >= len(mons) {
		return Monitor{}, fmt.Errorf("%w: index %d, the display has %d monitor(s)", ErrNoMonitor, index, len(mons))
	}
	return mons[index], nil
}

// waitUntil sleeps until t, returning early with an error when ctx ends or
// done is closed.
func waitUntil(ctx context.Context, done <-chan struct{}, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-done:
		return ErrClosed
	}
}
