package sos

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/desk"
)

// Config configures the agent. NewBroker is required; everything else has
// a default or may stay empty.
type Config struct {
	// Link is a support link (https://broker/s/<token>): the agent joins
	// its session at once, and the end user types nothing.
	Link string
	// BrokerURL is the broker for the session code and SOS Call flows,
	// used when there is no link.
	BrokerURL string
	// ChannelID preselects the SOS Call channel; 0 lets the user choose
	// when the broker offers several.
	ChannelID int64
	// NewBroker returns a broker client for a broker address.
	NewBroker func(baseURL string) (Broker, error)
	// Host creates the screen-sharing host after consent. Nil refuses
	// sharing (the technician is told so) but chat still works.
	Host HostFactory
	// Downloads is the folder received files are saved in.
	Downloads string
	// Device returns this computer's description (default DeviceInfo(nil)).
	Device func() api.Device
	// Clock defaults to the system clock.
	Clock Clock
	// OpenFolder, when set, shows a folder to the user (the "Show in
	// folder" button of a received file).
	OpenFolder func(dir string)
	Logger     *slog.Logger
}

// App is the agent: its window, screens and the controller behind them.
type App struct {
	cfg Config
	fa  fyne.App
	win fyne.Window
	log *slog.Logger
	// do runs UI code on the Fyne goroutine (fyne.Do; tests serialise it).
	do func(func())

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the App starts

	mu        sync.Mutex // guards the following fields
	broker    Broker
	events    Events
	sess      api.AgentSession
	sessViews int64 // counts the views of the session applied to sess
	code      string
	wasActive bool // the session has been Active (released sessions keep the chat)
	link      LinkState
	share     *sharing
	shareSeq  int64 // numbers allowances as the end user gives them (answer)
	prompts   map[int64]*consentPrompt
	seen      map[int64]bool // chat messages shown
	rated     bool
	closed    bool

	ui ui // widgets; touched only in do

	shareOp sync.Mutex // serialises starting to share with a technician
}

// New builds the agent's window in fa. Call Start to begin, and Close when
// the window closes.
func New(fa fyne.App, cfg Config) (*App, error) {
	if cfg.NewBroker == nil {
		return nil, errors.New("sos: Config.NewBroker is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Device == nil {
		cfg.Device = func() api.Device { return DeviceInfo(nil) }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{
		cfg: cfg, fa: fa, log: cfg.Logger, do: fyne.Do, ctx: ctx, cancel: cancel,
		prompts: map[int64]*consentPrompt{}, seen: map[int64]bool{},
	}
	a.win = fa.NewWindow(lang.L("Tether SOS – remote support"))
	a.win.Resize(fyne.NewSize(440, 600))
	a.buildFrame()
	return a, nil
}

// Window is the agent's window.
func (a *App) Window() fyne.Window { return a.win }

// Start shows the first screen: it joins the support link when there is
// one, and offers the code and SOS Call flows otherwise. Call it on the UI
// goroutine.
func (a *App) Start() {
	if a.cfg.Link != "" {
		a.joinLink(a.cfg.Link)
		return
	}
	a.showStart("")
}

// Close stops sharing, closes the events connection and waits for every
// goroutine. It is idempotent and does not close the window.
func (a *App) Close() {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	a.closed = true
	ev := a.events
	sh := a.share
	a.share = nil
	var restarts []*iceRestart
	if sh != nil {
		restarts = sh.stopRestartsLocked()
	}
	for _, p := range a.prompts {
		p.stopTimer()
	}
	a.mu.Unlock()
	if sh != nil {
		for _, r := range restarts {
			<-r.done
		}
		sh.host.Stop()
		sh.host.Close()
		sh.mux.Close()
	}
	a.cancel()
	if ev != nil {
		ev.Close()
	}
	a.wg.Wait()
}

// goroutine runs f on a goroutine the App waits for in Close; after
// Close it runs nothing and reports false.
func (a *App) goroutine(f func(ctx context.Context)) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f(a.ctx)
	}()
	return true
}

// ParseLink splits a support link into the broker's address and the
// link token (apiclient.ParseLink), with an error meant for the end user.
func ParseLink(link string) (base, token string, err error) {
	base, token, err = apiclient.ParseLink(link)
	if err != nil {
		return "", "", errors.New(lang.L("This is not a valid support link. Copy the whole link your technician sent you; it starts with https:// and contains /s/."))
	}
	return base, token, nil
}

// joinLink joins a support link's session (also used by a restarted agent:
// joining again with the same link rejoins the session).
func (a *App) joinLink(link string) {
	base, token, err := ParseLink(link)
	if err != nil {
		a.showStart(err.Error())
		return
	}
	a.showBusy(lang.L("Connecting to your support session…"))
	a.goroutine(func(ctx context.Context) {
		b, err := a.cfg.NewBroker(base)
		if err != nil {
			a.do(func() { a.showStart(err.Error()) })
			return
		}
		resp, err := b.JoinLink(ctx, token, a.cfg.Device())
		if err != nil {
			a.failed(err, func() { a.joinLink(link) })
			return
		}
		a.joined(ctx, b, resp)
	})
}

// requestCode registers for a 9-digit session code.
func (a *App) requestCode() {
	if a.cfg.BrokerURL == "" {
		a.showStart(lang.L("No support server is configured. Ask your technician for a support link."))
		return
	}
	a.showBusy(lang.L("Getting your session code…"))
	a.goroutine(func(ctx context.Context) {
		b, err := a.cfg.NewBroker(a.cfg.BrokerURL)
		if err != nil {
			a.do(func() { a.showStart(err.Error()) })
			return
		}
		resp, err := b.RequestCode(ctx, "", a.cfg.Device())
		if err != nil {
			a.failed(err, a.requestCode)
			return
		}
		a.joined(ctx, b, resp)
	})
}

// openSOS loads the channels that take SOS Calls and shows the form.
func (a *App) openSOS() {
	if a.cfg.BrokerURL == "" {
		a.showStart(lang.L("No support server is configured. Ask your technician for a support link."))
		return
	}
	a.showBusy(lang.L("Loading…"))
	a.goroutine(func(ctx context.Context) {
		b, err := a.cfg.NewBroker(a.cfg.BrokerURL)
		if err != nil {
			a.do(func() { a.showStart(err.Error()) })
			return
		}
		chans, err := b.SOSChannels(ctx)
		if err != nil {
			a.failed(err, a.openSOS)
			return
		}
		a.do(func() { a.showSOSForm(b, chans) })
	})
}

// submitSOS sends the SOS Call; the form has validated it.
func (a *App) submitSOS(b Broker, req api.SOSRequest, done func(err error)) {
	a.goroutine(func(ctx context.Context) {
		req.Device = a.cfg.Device()
		resp, err := b.SubmitSOS(ctx, req)
		if err != nil {
			a.do(func() { done(err) })
			return
		}
		a.joined(ctx, b, resp)
	})
}

// failed shows why a join failed, with a way to retry when retrying can
// help (the broker was unreachable or busy).
func (a *App) failed(err error, retry func()) {
	a.log.Warn("join failed", "err", err)
	code := errCode(err)
	msg := errText(err)
	switch {
	case code == "":
		msg = lang.L("The support server cannot be reached. Check your internet connection and try again.")
	case code == desk.EGONE || code == desk.ENOTFOUND:
		retry = nil
		if msg == "" {
			msg = lang.L("This support link is no longer valid. Ask your technician for a new one.")
		}
	case msg == "":
		msg = lang.L("Something went wrong. Please try again.")
	}
	a.do(func() { a.showError(sentence(msg), retry) })
}

// sentence starts the broker's messages (lower case, meant to be embedded)
// with a capital and ends them with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

// joined takes over after a successful join: it connects the events,
// loads the chat and shows the session's screen. It runs on a goroutine.
func (a *App) joined(ctx context.Context, b Broker, resp *api.AgentJoinResponse) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	old := a.events
	a.broker, a.sess, a.code = b, resp.Session, resp.Code
	a.events = nil
	a.mu.Unlock()
	if old != nil {
		old.Close()
	}
	a.log.Info("joined session", "session_id", resp.Session.SessionID, "state", resp.Session.State)
	a.onSession(resp.Session)
	// Resume after the join's own event: a consent request made before the
	// connection is up is replayed, not lost.
	ev, err := b.Connect(ctx, EventsConfig{Since: resp.Seq, OnEvent: a.onEvent, OnState: a.onLinkState})
	if err != nil {
		a.log.Warn("events", "err", err)
		a.onLinkState(LinkReconnecting)
		return
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		ev.Close()
		return
	}
	a.events = ev
	a.mu.Unlock()
	a.loadMessages(ctx)
}

func (a *App) loadMessages(ctx context.Context) {
	b := a.currentBroker()
	if b == nil {
		return
	}
	msgs, err := b.AgentMessages(ctx)
	if err != nil {
		a.log.Warn("load messages", "err", err)
		return
	}
	for _, m := range msgs {
		a.onMessage(m, false)
	}
}

func (a *App) currentBroker() Broker {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.broker
}

// onEvent runs on the events goroutine.
func (a *App) onEvent(env api.Envelope) {
	switch env.Type {
	case string(desk.EventSessionCreated), string(desk.EventSessionUpdated):
		var s api.AgentSession
		if json.Unmarshal(env.Data, &s) == nil {
			a.onSession(s)
		}
	case string(desk.EventSessionDeleted):
		a.onDeleted()
	case string(desk.EventChatMessage):
		var m api.Message
		if json.Unmarshal(env.Data, &m) == nil {
			a.onMessage(m, true)
		}
	case string(desk.EventConsentRequested):
		var c api.Consent
		if json.Unmarshal(env.Data, &c) == nil {
			a.onConsent(c)
		}
	case string(desk.EventConsentAnswered):
		var c api.Consent
		if json.Unmarshal(env.Data, &c) == nil {
			a.onConsentAnswered(c)
		}
	}
}

func (a *App) onLinkState(s LinkState) {
	a.mu.Lock()
	prev := a.link
	a.link = s
	a.mu.Unlock()
	a.log.Info("broker connection", "state", s.String())
	a.do(func() { a.showLinkState(s) })
	if s == LinkConnected && prev != LinkConnected {
		// Events between the join and the first connection are not
		// replayed, and a reconnection's catch-up may have been cut short:
		// refresh the session so the screen and banner are right.
		a.goroutine(a.refreshSession)
	}
}

// refreshSession asks the broker for the session and applies its answer,
// unless an event brought a view of the session while the request was on
// its way: the answer may be older than that (the technician took the
// session after the broker answered), so it asks again. Events keep
// coming only while the connection is up, and each brings the whole
// session: after a few tries, they are left to tell.
func (a *App) refreshSession(ctx context.Context) {
	for range 3 {
		b := a.currentBroker()
		if b == nil {
			return
		}
		a.mu.Lock()
		views := a.sessViews
		a.mu.Unlock()
		s, err := b.AgentSession(ctx)
		if err != nil {
			a.log.Warn("refresh session", "err", err)
			return
		}
		if a.applySession(*s, views) {
			return
		}
		a.log.Debug("session changed while refreshing: refreshing again")
	}
}

// onSession applies a new view of the session: the trust banner, the
// screen for its state, and the end of sharing when it is no longer Active.
func (a *App) onSession(s api.AgentSession) { a.applySession(s, -1) }

// applySession is onSession; when views is not negative, only while no
// other view was applied since sessViews was views. It reports false when
// such a view superseded s.
func (a *App) applySession(s api.AgentSession, views int64) bool {
	a.mu.Lock()
	if a.sess.SessionID != 0 && s.SessionID != a.sess.SessionID {
		a.mu.Unlock()
		return true // another session's: nothing to ask again
	}
	if views >= 0 && a.sessViews != views {
		a.mu.Unlock()
		return false
	}
	a.sessViews++
	view := a.sessViews
	a.sess = s
	if s.State == "active" {
		a.wasActive = true
	}
	wasActive, code := a.wasActive, a.code
	a.mu.Unlock()
	if s.State != "active" {
		a.stopSharing(false)
		a.cancelPrompts()
	}
	a.do(func() {
		// Views applied on two goroutines (an event's and the refresh's)
		// may queue their screens in the other order: show the latest.
		a.mu.Lock()
		latest := a.sessViews == view
		a.mu.Unlock()
		if !latest {
			return
		}
		a.updateBanner(s)
		switch {
		case s.State == "closed":
			a.showSurvey()
		case s.State == "expired":
			a.showEnded(lang.L("This support request has expired. Start again if you still need help."))
		case s.State == "active" || wasActive:
			a.showSession()
		case s.State == "queued":
			a.showQueue(s)
		case code != "":
			a.showCode(code)
		default:
			a.showSession()
		}
	})
	return true
}

func (a *App) onDeleted() {
	a.stopSharing(false)
	a.cancelPrompts()
	a.do(func() { a.showEnded(lang.L("This support session has ended.")) })
}

// State returns the session as last seen (tests, diagnostics).
func (a *App) State() api.AgentSession {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sess
}
