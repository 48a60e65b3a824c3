//go:build linux && cgo

package input

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"

	"github.com/go-vgo/robotgo"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// robotgoOpen is set while a robotgo injector exists: robotgo drives one
// process-wide X connection.
var robotgoOpen atomic.Bool

// robotgoInjector injects through robotgo (XTest on X11). robotgo's C code
// calls exit() when its display goes away and is not thread-safe, so calls
// are serialised and the display is checked before robotgo sees it.
//
// Ctrl+Alt+Del is sent as the key combination: on X11 that is all there
// is. Windows needs SendSAS (a service, with the SoftwareSASGeneration
// policy), which a robotgo key combination cannot trigger.
//
// GTK3 applications may ignore XTest key events; plain X clients get them.
type robotgoInjector struct {
	cfg  RobotgoConfig
	log  *slog.Logger
	clip Clipboard // ours when RobotgoConfig.SetClipboard was nil; closed on Close

	mu     sync.Mutex // guards the following fields and every robotgo call
	held   held
	closed bool
}

// NewRobotgoInjector checks that the display can be opened (robotgo would
// crash the process otherwise) and returns an injector for it. Only one may
// be open at a time (ErrBusy).
func NewRobotgoInjector(cfg RobotgoConfig) (Injector, error) {
	conn, err := xgb.NewConnDisplay(cfg.Display)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrNoDisplay, cfg.Display, err)
	}
	screen := xproto.Setup(conn).DefaultScreen(conn)
	rootW, rootH := int(screen.WidthInPixels), int(screen.HeightInPixels)
	conn.Close()
	if len(cfg.Monitors) == 0 {
		cfg.Monitors = []Rect{{Width: rootW, Height: rootH}}
	}
	for i, m := range cfg.Monitors {
		if m.Width <= 0 || m.Height <= 0 {
			return nil, fmt.Errorf("input: monitor %d has no area: %+v", i, m)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if !robotgoOpen.CompareAndSwap(false, true) {
		return nil, ErrBusy
	}
	var clip Clipboard
	if cfg.SetClipboard == nil {
		var err error
		if clip, err = NewClipboard(ClipboardConfig{Display: cfg.Display, Logger: cfg.Logger}); err == nil {
			cfg.SetClipboard = clip.Set
		} else {
			cfg.Logger.Warn("X11 clipboard unavailable, falling back to xclip/xsel", "err", err)
			cfg.SetClipboard = robotgo.WriteAll
		}
	}
	if cfg.Display != "" {
		if err := robotgo.SetXDisplayName(cfg.Display); err != nil {
			if clip != nil {
				clip.Close()
			}
			robotgoOpen.Store(false)
			return nil, fmt.Errorf("%w %q: robotgo: %v", ErrNoDisplay, cfg.Display, err)
		}
	}
	// robotgo sleeps 10 ms after every key by default: latency for nothing.
	robotgo.KeySleep = 0
	robotgo.MouseSleep = 0
	cfg.Logger.Info("input injector opened", "backend", "robotgo", "monitors", len(cfg.Monitors))
	return &robotgoInjector{cfg: cfg, log: cfg.Logger, clip: clip}, nil
}

func (r *robotgoInjector) Inject(ev Event) error {
	if ev.Kind == KindReleaseAll {
		return r.ReleaseAll()
	}
	if err := validate(&ev); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	switch ev.Kind {
	case KindPointerMove:
		if int(ev.Monitor) >= len(r.cfg.Monitors) {
			return fmt.Errorf("%w: monitor %d of %d", ErrUnsupported, ev.Monitor, len(r.cfg.Monitors))
		}
		x, y := toPixel(r.cfg.Monitors[ev.Monitor], ev.X, ev.Y)
		robotgo.Move(x, y)
	case KindButton:
		if err := robotgo.Toggle(buttonName(ev.Button), upDown(ev.Down)); err != nil {
			return fmt.Errorf("input: %s button: %w", ev.Button, err)
		}
		r.held.note(ev)
	case KindWheel:
		// robotgo: positive x scrolls left, positive y up; ours are right, down.
		robotgo.Scroll(-clamp(int(ev.DX)), -clamp(int(ev.DY)), 0)
	case KindKey:
		return r.key(ev)
	case KindText:
		robotgo.Type(ev.Text)
	case KindClipboard:
		if err := r.cfg.SetClipboard(ev.Text); err != nil {
			return fmt.Errorf("input: set clipboard: %w", err)
		}
	case KindCtrlAltDel:
		for _, k := range []string{"ctrll", "altl", "delete"} {
			robotgo.KeyToggle(k, "down")
		}
		for _, k := range []string{"delete", "altl", "ctrll"} {
			robotgo.KeyToggle(k, "up")
		}
	}
	return nil
}

// key presses or releases one key; r.mu is held.
func (r *robotgoInjector) key(ev Event) error {
	name, char, ok := robotgoKey(ev.Key)
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownKey, ev.Key)
	}
	if char {
		if ev.Down {
			robotgo.Type(name)
		}
		return nil
	}
	if err := robotgo.KeyToggle(name, upDown(ev.Down)); err != nil {
		return fmt.Errorf("input: key %q: %w", ev.Key, err)
	}
	r.held.note(ev)
	return nil
}

func (r *robotgoInjector) ReleaseAll() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.releaseLocked()
}

func (r *robotgoInjector) releaseLocked() error {
	if r.closed {
		return nil
	}
	var first error
	for _, ev := range r.held.releases() {
		var err error
		if ev.Kind == KindButton {
			err = robotgo.Toggle(buttonName(ev.Button), "up")
		} else {
			name, _, _ := robotgoKey(ev.Key)
			err = robotgo.KeyToggle(name, "up")
		}
		if err != nil && first == nil {
			first = fmt.Errorf("input: release %s: %w", ev.Kind, err)
		}
	}
	return first
}

func (r *robotgoInjector) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	err := r.releaseLocked()
	r.closed = true
	// Hang up robotgo's connection while the server is alive: reusing or
	// closing it after the server is gone would exit the process.
	robotgo.CloseMainDisplay()
	robotgoOpen.Store(false)
	if r.clip != nil {
		// The end user's clipboard loses the technician's text here: X11
		// keeps none without an owner.
		r.clip.Close()
	}
	return err
}

// toPixel maps normalised coordinates to the monitor's pixels: 0 is the
// first pixel, 1 the last.
func toPixel(m Rect, x, y float32) (int, int) {
	px := m.X + int(math.Round(float64(x)*float64(m.Width-1)))
	py := m.Y + int(math.Round(float64(y)*float64(m.Height-1)))
	return px, py
}

func buttonName(b Button) string {
	switch b {
	case ButtonMiddle:
		return "center"
	case ButtonRight:
		return "right"
	}
	return "left"
}

func upDown(down bool) string {
	if down {
		return "down"
	}
	return "up"
}

func clamp(n int) int { return max(-maxWheel, min(maxWheel, n)) }
