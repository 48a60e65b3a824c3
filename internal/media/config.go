package media

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
)

// DefaultCursorInterval is how often a sharing Host looks at the pointer
// while it moves. The pointer moves without damaging the screen, so it is
// polled: 50 Hz is smooth enough for a cursor drawn by the viewer.
const DefaultCursorInterval = 20 * time.Millisecond

// Once the pointer has rested for cursorIdleAfter, it is polled only every
// cursorIdleInterval: a poll costs ~0.4 ms of CPU (an X round trip and the
// goroutine wake-ups around it), so 50 Hz alone was 2.2 % of a core on a
// still screen, more than the whole budget of 1 %.
const (
	cursorIdleAfter    = time.Second
	cursorIdleInterval = 200 * time.Millisecond
)

// DefaultMinInterval is the capture pacing a Host uses when
// Capture.MinInterval is zero: at most 72 frames a second. Pacing at
// exactly 60 Hz beats against a 60 Hz application whose updates jitter by
// a millisecond or two: measured on the desktop benchmark, ~10 % of its
// updates were merged into the next frame (53 fps of 60 drawn) and p50
// latency rose by ~8 ms. At 72 Hz every update of a 60 Hz app gets its own
// frame while faster content is still capped.
const DefaultMinInterval = time.Second / 72

// HostConfig configures the end user's side.
type HostConfig struct {
	// RTC configures the peer connection (ICE servers, sockets). Its
	// Logger defaults to Logger.
	RTC rtc.Config
	// Capture chooses the display, monitor and frame pacing. Its Logger
	// defaults to Logger.
	Capture capture.Config
	// Encoder tunes VP8 (CPUUsed, Threads, FPS, BitrateKbps as the start
	// rate). Width and Height are ignored: they follow the monitor.
	Encoder codec.EncoderConfig
	// Bitrate bounds for the congestion controller (rtc's defaults when 0).
	MinBitrateKbps, MaxBitrateKbps int
	// Injector replays the technician's input. The Host wraps it in an
	// input.GatedInjector, owns it and closes it on Close. Nil makes a
	// view-only host that refuses all input. Its monitor table must match
	// capture's (Host.Monitors): events are injected on the shared monitor.
	Injector input.Injector
	// NewInjector, when set and Injector is nil, makes the injector the
	// first time a viewer is given control (SetController), so a Host
	// that only ever shows the screen never holds one. The Host owns what
	// it returns.
	NewInjector func() (input.Injector, error)
	// Clipboard reads the end user's clipboard when the controlling
	// viewer asks (input.KindClipboardRequest). The Host owns it and
	// closes it on Close. Nil opens input.NewClipboard on Capture.Display
	// at the first request. (Setting the clipboard is the injector's:
	// input.KindClipboard.)
	Clipboard input.Clipboard
	// OnViewerState, when set, is called with a viewer's id on every
	// change of its connection's state, from a pion goroutine. It must not
	// block and must not call into the Host. (RTC.OnState is called too,
	// without the id.)
	OnViewerState func(id int64, s rtc.ConnState)
	// CursorInterval is how often the pointer is polled while sharing
	// (default DefaultCursorInterval).
	CursorInterval time.Duration
	// Quality is the picture the Host starts with (default
	// input.QualityAuto); viewers change it with input.KindQuality
	// events (Viewer.SetQuality), and the app with Host.SetQuality.
	Quality input.Quality
	// Logger receives diagnostics, never input contents. Nil discards.
	Logger *slog.Logger
}

func (c *HostConfig) validate() error {
	if c.CursorInterval < 0 {
		return fmt.Errorf("%w: negative cursor interval", ErrInvalidConfig)
	}
	if c.Quality == input.QualityUnknown {
		c.Quality = input.QualityAuto
	}
	if !c.Quality.Valid() {
		return fmt.Errorf("%w: unknown quality %d", ErrInvalidConfig, c.Quality)
	}
	if c.MinBitrateKbps < 0 || c.MaxBitrateKbps < 0 || c.Encoder.BitrateKbps < 0 {
		return fmt.Errorf("%w: negative bitrate", ErrInvalidConfig)
	}
	if c.CursorInterval == 0 {
		c.CursorInterval = DefaultCursorInterval
	}
	if c.Capture.MinInterval == 0 {
		c.Capture.MinInterval = DefaultMinInterval
	}
	c.Logger = orDiscard(c.Logger)
	if c.RTC.Logger == nil {
		c.RTC.Logger = c.Logger
	}
	if c.Capture.Logger == nil {
		c.Capture.Logger = c.Logger
	}
	return nil
}

// ViewerConfig configures the technician's side.
type ViewerConfig struct {
	// RTC configures the peer connection. Its Logger defaults to Logger.
	RTC rtc.Config
	// PLIInterval throttles keyframe requests (rtc's default when 0).
	PLIInterval time.Duration
	// OnCursor, when set, receives the remote pointer whenever it moves,
	// appears or hides, on a pion goroutine. It must not block or call
	// Close. Viewer.Cursor returns the latest one too.
	OnCursor func(Cursor)
	// OnEvent, when set, receives input events the host sends (the end
	// user's clipboard, in answer to input.KindClipboardRequest; the
	// host's input.KindQuality when it connects, changes, or refuses a
	// change), on a pion goroutine. It must not block or call Close.
	OnEvent func(input.Event)
	// OnMonitors, when set, receives the host's monitor list when the
	// connection opens and after every monitor switch, on a pion
	// goroutine. It must not block or call Close. Viewer.Monitors returns
	// the latest one too.
	OnMonitors func(Monitors)
	// Logger receives diagnostics. Nil discards.
	Logger *slog.Logger
}

func (c *ViewerConfig) validate() error {
	if c.PLIInterval < 0 {
		return fmt.Errorf("%w: negative PLI interval", ErrInvalidConfig)
	}
	c.Logger = orDiscard(c.Logger)
	if c.RTC.Logger == nil {
		c.RTC.Logger = c.Logger
	}
	return nil
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return l
}
