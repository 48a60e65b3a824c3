// Package viewer is the technician's remote viewer window: the end user's
// screen (internal/ui.RemoteView fed by media.Viewer), a toolbar for
// control, scaling, Ctrl+Alt+Del, clipboard, files, picture quality, chat
// and collaborators, and a status line with the connection path and its
// figures.
//
// The console opens one Window per remote connection (Open) and forwards
// every broker event of the session (Window.HandleEvent). Network work
// runs on the Window's own goroutines and reaches widgets through fyne.Do.
// The package imports Fyne widgets but not fyne.io/fyne/v2/app, so its
// tests run on Fyne's test driver without OpenGL.
package viewer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/ui"
)

// Modes of Config.Mode.
const (
	ModeView    = "view"
	ModeControl = "control"
)

// Config is what the console hands the viewer.
type Config struct {
	App     fyne.App
	Client  *apiclient.Client
	Events  *apiclient.Events
	Session api.Session
	Me      api.Account
	// Mode is what was asked of the end user: "view" or "control".
	Mode string
	// ConsentID is the consent request this connection follows; the
	// viewer waits for the end user's answer and connects when allowed.
	// 0 connects at once (the consent was already granted).
	ConsentID int64
	Logger    *slog.Logger

	// RTC configures the peer connection (ICE and TURN servers); the zero
	// value uses rtc's defaults.
	RTC rtc.Config
	// ConsentTimeout bounds the wait for the end user's answer (default
	// 2 minutes); ConnectTimeout the WebRTC connection after it (default
	// 30 seconds).
	ConsentTimeout, ConnectTimeout time.Duration
	// StatsInterval is how often the status line is refreshed (default 1s).
	StatsInterval time.Duration
}

// ErrInvalidConfig is returned by Open for a config it cannot work with.
var ErrInvalidConfig = errors.New("viewer: invalid config")

func (c *Config) validate() error {
	switch {
	case c.App == nil:
		return fmt.Errorf("%w: App is required", ErrInvalidConfig)
	case c.Client == nil || c.Events == nil:
		return fmt.Errorf("%w: Client and Events are required", ErrInvalidConfig)
	case c.Session.ID <= 0:
		return fmt.Errorf("%w: Session is required", ErrInvalidConfig)
	case c.Mode != ModeView && c.Mode != ModeControl:
		return fmt.Errorf("%w: Mode must be %q or %q", ErrInvalidConfig, ModeView, ModeControl)
	}
	return nil
}

// defaults fills the zero fields.
func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ConsentTimeout <= 0 {
		c.ConsentTimeout = 2 * time.Minute
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 30 * time.Second
	}
	if c.StatsInterval <= 0 {
		c.StatsInterval = time.Second
	}
	if c.RTC.Logger == nil {
		c.RTC.Logger = c.Logger
	}
}

// Window is one remote viewer window.
type Window struct {
	cfg Config
	log *slog.Logger
	win fyne.Window
	rv  *ui.RemoteView
	tb  *toolbar
	cp  *chatPanel

	sig    signalChannel
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	inputs chan input.Event
	answer chan api.Consent // consent answers from HandleEvent

	mu         sync.Mutex // guards the following fields
	session    api.Session
	mv         *media.Viewer
	canControl bool // the end user allowed control and I have the right
	viewOnly   bool
	sent       uint64 // input events handed to media.Viewer
	ended      bool
	// quality is the picture quality the host encodes for, as it last
	// said, or as I chose until it answers; qualityWanted is my choice,
	// sent once connected (0: none yet).
	quality       input.Quality
	qualityWanted input.Quality

	closeOnce sync.Once
}

// Open shows the viewer window of a session and starts connecting: it waits
// for the end user's consent (ConsentID), then for the agent's WebRTC offer,
// which it answers. Close it (or let the technician close the window) to
// end the connection; the support session stays as it is.
func Open(cfg Config) (*Window, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	// Open the signal channel first: the agent sends its offer as soon as
	// the end user allows, and the broker does not keep signals.
	sig := cfg.Events.Signals(cfg.Session.ID)
	w := newWindow(cfg, sig)
	w.start(func(ctx context.Context) error { return w.connect(ctx) })
	w.win.Show()
	return w, nil
}

func newWindow(cfg Config, sig signalChannel) *Window {
	cfg.defaults()
	w := &Window{
		cfg: cfg, log: cfg.Logger.With("session_id", cfg.Session.ID), sig: sig,
		inputs: make(chan input.Event, 256), answer: make(chan api.Consent, 4),
		session: cfg.Session, viewOnly: true, quality: input.QualityAuto,
	}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.canControl = cfg.Mode == ModeControl && hasRight(cfg.Me, desk.RightRemoteControl)
	w.build()
	if cfg.ConsentID != 0 {
		w.tb.setPhase(lang.L("Waiting for the end user to allow the remote session…"))
	} else {
		w.tb.setPhase(lang.L("Connecting to the end user's computer…"))
	}
	return w
}

func hasRight(a api.Account, r desk.Right) bool { return slices.Contains(a.Rights, r.String()) }

// start runs f on an owned goroutine.
func (w *Window) start(f func(ctx context.Context) error) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if err := f(w.ctx); err != nil && w.ctx.Err() == nil {
			w.log.Warn("remote viewer", "err", err)
		}
	}()
}

// connect waits for consent, connects and runs until the window closes.
func (w *Window) connect(ctx context.Context) error {
	if w.cfg.ConsentID != 0 {
		w.setPhase(lang.L("Waiting for the end user to allow the remote session…"))
		c, err := w.waitConsent(ctx)
		if err != nil {
			w.setPhase(lang.L("No answer from the end user. Close this window and ask again."))
			return err
		}
		switch c.Answer {
		case "deny":
			w.setPhase(lang.L("The end user denied the remote session."))
			return nil
		case "allow_view":
			w.setControlAllowed(false)
		case "allow_control":
			w.setControlAllowed(w.cfg.Mode == ModeControl && hasRight(w.cfg.Me, desk.RightRemoteControl))
		}
	}
	w.setPhase(lang.L("Connecting to the end user's computer…"))
	mv, err := media.NewViewer(ctx, media.ViewerConfig{
		RTC:    w.cfg.RTC,
		Logger: w.log,
		OnCursor: func(c media.Cursor) {
			w.rv.SetCursor(c.X, c.Y, c.Visible, nil)
		},
		OnEvent: w.onHostEvent,
		OnMonitors: func(m media.Monitors) {
			fyne.Do(func() { w.tb.gotMonitors(m) })
		},
	}, &signaler{ch: w.sig, myID: w.cfg.Me.ID})
	if err != nil {
		w.setPhase(lang.L("The connection could not be set up: ") + err.Error())
		return err
	}
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		mv.Close()
		return nil
	}
	w.mv = mv
	wanted := w.qualityWanted
	w.mu.Unlock()
	if wanted != input.QualityUnknown {
		w.queue(input.Event{Kind: input.KindQuality, Quality: wanted}) // chosen while connecting
	}

	w.wg.Add(2)
	go func() { defer w.wg.Done(); w.frameLoop(ctx, mv) }()
	go func() { defer w.wg.Done(); w.inputLoop(ctx, mv) }()

	cctx, cancel := context.WithTimeout(ctx, w.cfg.ConnectTimeout)
	err = mv.WaitConnected(cctx)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			w.setPhase(lang.L("Could not reach the end user's computer. The end user may have stopped sharing."))
		}
		return err
	}
	w.setPhase("")
	w.statsLoop(ctx, mv)
	return nil
}

// waitConsent polls the consent once and then waits for its answer from
// HandleEvent, polling slowly in case an event was missed.
func (w *Window) waitConsent(ctx context.Context) (api.Consent, error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.ConsentTimeout)
	defer cancel()
	t := time.NewTicker(3 * time.Second)
	defer t.Stop()
	for {
		c, err := w.cfg.Client.Consent(ctx, w.cfg.ConsentID)
		if err == nil && c.Answer != "pending" {
			return *c, nil
		}
		if err != nil && ctx.Err() == nil {
			w.log.Debug("consent", "err", err)
		}
		select {
		case <-ctx.Done():
			return api.Consent{}, ctx.Err()
		case c := <-w.answer:
			if c.ID == w.cfg.ConsentID && c.Answer != "pending" {
				return c, nil
			}
		case <-t.C:
		}
	}
}

// frameLoop hands every picture to the view; SetFrame copies it, so the
// picture goes back to the pool at once.
func (w *Window) frameLoop(ctx context.Context, mv *media.Viewer) {
	first := true
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-mv.Frames():
			w.rv.SetFrame(p.Image)
			p.Release()
			if first {
				first = false
				fyne.Do(w.tb.hideOverlay)
			}
		}
	}
}

// inputLoop sends the technician's input in order, off the UI goroutine:
// the reliable channel may wait while it opens.
func (w *Window) inputLoop(ctx context.Context, mv *media.Viewer) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-w.inputs:
			var err error
			if ev.Kind == input.KindQuality {
				err = mv.SetQuality(ctx, ev.Quality)
			} else {
				err = mv.SendInput(ctx, ev)
			}
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				w.log.Debug("send input", "kind", ev.Kind.String(), "err", err)
			}
		}
	}
}

// send queues an input event unless the window is view-only. It never
// blocks: a pointer move that finds the queue full is dropped (a newer one
// follows), anything else too but reported.
func (w *Window) send(ev input.Event) bool {
	w.mu.Lock()
	ok := !w.viewOnly && w.mv != nil && !w.ended
	if ok {
		w.sent++
	}
	w.mu.Unlock()
	if !ok {
		return false
	}
	return w.queue(ev)
}

// queue hands ev to the input loop without blocking.
func (w *Window) queue(ev input.Event) bool {
	select {
	case w.inputs <- ev:
		return true
	default:
		if ev.Kind != input.KindPointerMove {
			w.log.Warn("input queue full, event dropped", "kind", ev.Kind.String())
		}
		return false
	}
}

// setQuality asks the host for a smooth or a sharp picture. It is no
// input, so it goes in view only too; before the connection is up the
// choice waits for it.
func (w *Window) setQuality(q input.Quality) {
	w.mu.Lock()
	w.quality, w.qualityWanted = q, q
	connected := w.mv != nil && !w.ended
	w.mu.Unlock()
	if connected {
		w.queue(input.Event{Kind: input.KindQuality, Quality: q})
	}
}

// onHostEvent receives the host's messages: the end user's clipboard,
// in answer to Copy from remote, and the picture quality in force.
func (w *Window) onHostEvent(ev input.Event) {
	switch ev.Kind {
	case input.KindClipboard:
		fyne.Do(func() { w.tb.gotRemoteClipboard(ev.Text) })
	case input.KindQuality:
		w.mu.Lock()
		w.quality = ev.Quality
		w.mu.Unlock()
		fyne.Do(func() { w.tb.gotQuality(ev.Quality) })
	}
}

// statsLoop refreshes the status line until ctx ends.
func (w *Window) statsLoop(ctx context.Context, mv *media.Viewer) {
	t := time.NewTicker(w.cfg.StatsInterval)
	defer t.Stop()
	for {
		st := mv.Stats()
		text := w.roleText() + " · " + w.qualityText() + statusText(st.Stats)
		fyne.Do(func() { w.tb.setStats(text) })
		if st.State == rtc.StateClosed || st.State == rtc.StateFailed {
			w.setPhase(lang.L("The connection ended. The end user may have stopped sharing."))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// roleText says whether my input reaches the end user's computer:
// several technicians may watch one session, and exactly one controls.
func (w *Window) roleText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.ended || !w.canControl:
		return lang.L("Watching")
	case w.viewOnly:
		// Control is mine to take: say so, so that View only is not
		// mistaken for a collaborator holding control.
		return lang.L("View only (control allowed)")
	}
	return lang.L("Controlling")
}

// qualityText names the picture quality for the status line, with its
// separator; nothing for Auto.
func (w *Window) qualityText() string {
	w.mu.Lock()
	q := w.quality
	w.mu.Unlock()
	if q == input.QualitySpeed || q == input.QualitySharp {
		return qualityLabel(q) + " · "
	}
	return ""
}

// statusText is the status line: how media travels and how well.
func statusText(st rtc.Stats) string {
	var path string
	switch st.Route {
	case rtc.RouteDirect:
		path = lang.L("Connected direct (peer to peer)")
	case rtc.RouteRelayed:
		path = lang.L("Connected relayed through TURN")
	default:
		path = lang.L("Connecting")
	}
	return fmt.Sprintf(lang.L("%s · %s · %.0f fps · %s round trip · %.1f%% loss"),
		path, formatBitrate(st.BitrateKbps), st.FPS, formatRTT(st.RTT), st.PacketLoss*100)
}

func formatBitrate(kbps float64) string {
	if kbps >= 1000 {
		return fmt.Sprintf("%.1f Mbit/s", kbps/1000)
	}
	return fmt.Sprintf("%.0f kbit/s", kbps)
}

func formatRTT(d time.Duration) string {
	if d <= 0 {
		return "– ms"
	}
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}

// setPhase shows where the connection stands over the picture; "" hides it.
func (w *Window) setPhase(text string) {
	fyne.Do(func() { w.tb.setPhase(text) })
}

// setControlAllowed records what the end user allowed.
func (w *Window) setControlAllowed(ok bool) {
	w.mu.Lock()
	w.canControl = ok
	w.mu.Unlock()
	fyne.Do(w.tb.updateControl)
}

// setViewOnly switches between watching and controlling.
func (w *Window) setViewOnly(on bool) {
	w.mu.Lock()
	if !on && !w.canControl {
		on = true
	}
	w.viewOnly = on
	w.mu.Unlock()
	w.rv.SetViewOnly(on)
}

// HandleEvent takes a broker event of the session: chat messages, consent
// answers and session changes (collaborators, the end of the session).
// It may be called from any goroutine and does not block.
func (w *Window) HandleEvent(e api.Envelope) {
	if e.SessionID != 0 && e.SessionID != w.cfg.Session.ID {
		return
	}
	switch desk.EventType(e.Type) {
	case desk.EventChatMessage:
		var m api.Message
		if json.Unmarshal(e.Data, &m) == nil {
			fyne.Do(func() { w.cp.add(m) })
		}
	case desk.EventConsentAnswered:
		var c api.Consent
		if json.Unmarshal(e.Data, &c) == nil {
			w.controlMoved(c)
			select {
			case w.answer <- c:
			default:
			}
		}
	case desk.EventSessionUpdated:
		var s api.Session
		if json.Unmarshal(e.Data, &s) == nil {
			w.mu.Lock()
			w.session = s
			w.mu.Unlock()
			fyne.Do(func() {
				w.tb.sessionChanged(s)
				if s.State == "closed" || s.State == "expired" {
					w.tb.setPhase(lang.L("The support session was closed."))
				}
			})
			if s.State == "closed" || s.State == "expired" {
				go w.endConnection()
			}
		}
	case desk.EventSessionDeleted:
		fyne.Do(func() { w.tb.setPhase(lang.L("The support session was deleted.")) })
		go w.endConnection()
	}
}

// controlMoved drops me to watching when the end user allowed a
// collaborator control after me: the agent gives control to the latest
// allow_control, so exactly one technician controls.
func (w *Window) controlMoved(c api.Consent) {
	if c.Answer != "allow_control" || c.TechnicianID == w.cfg.Me.ID || w.cfg.ConsentID == 0 || c.ID <= w.cfg.ConsentID {
		return
	}
	w.mu.Lock()
	was := w.canControl
	w.canControl = false
	w.mu.Unlock()
	if !was {
		return
	}
	w.setViewOnly(true)
	name := c.Technician
	fyne.Do(func() {
		w.tb.updateControl()
		w.tb.setStatus(fmt.Sprintf(lang.L("%s controls now; you are watching."), name))
	})
}

// endConnection ends the WebRTC connection but keeps the window (to read
// the chat); Close also closes the window.
func (w *Window) endConnection() {
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		return
	}
	w.ended = true
	w.viewOnly = true
	mv := w.mv
	w.mu.Unlock()
	w.rv.SetViewOnly(true)
	w.cancel()
	if mv != nil {
		if err := mv.Close(); err != nil {
			w.log.Debug("close viewer", "err", err)
		}
	}
	w.sig.Close()
}

// Close ends the remote connection (the support session stays as it is),
// waits for the window's goroutines and closes the window. Idempotent; call
// it from the UI goroutine or any other.
func (w *Window) Close() {
	w.closeOnce.Do(func() {
		w.endConnection()
		w.wg.Wait()
		w.cp.stop()
		fyne.Do(func() {
			w.win.SetOnClosed(nil)
			w.win.Close()
		})
	})
}

// Session returns the session as last seen.
func (w *Window) Session() api.Session {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.session
}
