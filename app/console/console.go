// Package console is the service desk side of the technician app: the
// login screen, the header with availability, Home (my sessions),
// Channels with their live queues, session detail with chat, timeline and
// the actions the technician's rights allow, new support links and
// 9-digit codes, first-line timers and desktop notifications.
//
// It does not import fyne.io/fyne/v2/app, so its tests run on Fyne's test
// driver. The remote viewer and the manager screens live in other packages;
// app/main.go plugs them in through Config's hooks.
//
// Threading: widgets are touched only on the UI goroutine. Every broker
// call runs on its own goroutine and posts its result back with Config.Do
// (fyne.Do), so a slow broker never freezes the window.
package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// Preference keys: the broker address and e-mail are remembered, never the password.
const (
	PrefBroker = "broker_url"
	PrefEmail  = "email"
)

// Config configures a Console. App, Window and NewClient are required.
type Config struct {
	App    fyne.App
	Window fyne.Window
	// NewClient returns a client for the broker address typed on the login screen.
	NewClient func(baseURL string) (Client, error)
	// DefaultBroker prefills the address when none is remembered.
	DefaultBroker string

	// Do runs f on the UI goroutine; default fyne.Do.
	Do func(f func())
	// Now is the clock of timers; default time.Now.
	Now func() time.Time
	// TickInterval is how often timers are redrawn (default 1s); negative
	// disables the ticker (tests call Tick).
	TickInterval time.Duration
	Logger       *slog.Logger

	// OpenViewer opens the remote viewer once the end user allowed mode
	// ("view" or "control") for consent consentID.
	OpenViewer func(s api.Session, mode string, consentID int64) error
	// ExtraTabs returns more tabs after login (the manager screens allowed
	// by the rights), or nil.
	ExtraTabs func(me api.Account) []*container.TabItem
	// OnEvent receives every broker event after the console applied it
	// (for open viewer windows and the manager screens). It runs on the
	// UI goroutine.
	OnEvent func(api.Envelope)
	// OnLogin runs after login with the signed-in client; OnLogout after logout.
	OnLogin  func(c Client, me api.Account)
	OnLogout func()
}

// L translates an English UI text.
func L(s string) string { return lang.L(s) }

// Lf translates a text with {{.Name}} placeholders.
func Lf(s string, data map[string]any) string { return lang.L(s, data) }

// Console is the technician's service desk console in one window.
type Console struct {
	cfg   Config
	log   *slog.Logger
	m     *model
	prefs fyne.Preferences

	// Set at login; read on the UI goroutine, and by network goroutines
	// through session().
	mu     sync.Mutex // guards client, ctx, cancel, stream
	client Client
	ctx    context.Context
	cancel context.CancelFunc
	stream Stream
	wg     sync.WaitGroup // network goroutines

	// UI, touched on the UI goroutine only.
	login   *loginScreen
	main    *mainScreen
	details map[int64]*detailScreen
	conn    ConnState
	wasDown bool
	loading int // reloads in flight
}

// New returns a console; Start shows its login screen.
func New(cfg Config) *Console {
	if cfg.Do == nil {
		cfg.Do = fyne.Do
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TickInterval == 0 {
		cfg.TickInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Console{cfg: cfg, log: cfg.Logger, m: newModel(), prefs: cfg.App.Preferences(), details: map[int64]*detailScreen{}}
	return c
}

// Start shows the login screen. Call it on the UI goroutine.
func (c *Console) Start() {
	c.login = newLoginScreen(c)
	c.cfg.Window.SetContent(c.login.content)
	c.cfg.Window.Canvas().Focus(c.login.focusTarget())
}

// Client returns the signed-in client, nil before login.
func (c *Console) Client() Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.client
}

// Me returns the signed-in technician's account.
func (c *Console) Me() api.Account { return c.m.Me() }

// Close ends the events connection and waits for network goroutines.
func (c *Console) Close() {
	c.mu.Lock()
	cancel, stream := c.cancel, c.stream
	c.stream = nil
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if stream != nil {
		stream.Close()
	}
	c.wg.Wait()
}

// ui posts f to the UI goroutine.
func (c *Console) ui(f func()) { c.cfg.Do(f) }

// run calls the broker on a goroutine with the session's context and
// posts done back to the UI goroutine.
func (c *Console) run(call func(ctx context.Context, cl Client) error, done func(error)) {
	c.mu.Lock()
	cl, ctx := c.client, c.ctx
	c.mu.Unlock()
	if cl == nil {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		err := call(ctx, cl)
		if ctx.Err() != nil {
			return // logged out meanwhile
		}
		if done != nil {
			c.ui(func() { done(err) })
		}
	}()
}

// errText turns a broker error into a sentence for people.
func errText(err error) string {
	var e *apiclient.Error
	switch {
	case err == nil:
		return ""
	case apiclient.IsUnreachable(err):
		return L("The broker cannot be reached. Check the address and your network.")
	case errors.As(err, &e) && e.Code == apiclient.CodeRateLimited:
		return Lf("Too many attempts: try again in {{.N}} s.", map[string]any{"N": retrySeconds(e)})
	case errors.As(err, &e) && e.Message != "":
		return e.Message
	case errors.Is(err, context.DeadlineExceeded):
		return L("The broker did not answer in time.")
	}
	return err.Error()
}

// retrySeconds is the Retry-After of a rate-limited answer in whole seconds (at least 1).
func retrySeconds(e *apiclient.Error) int {
	secs := int((e.RetryAfter + time.Second - 1) / time.Second)
	if secs <= 0 {
		secs = 1
	}
	return secs
}

// loggedIn switches to the main screen; on the UI goroutine.
func (c *Console) loggedIn(cl Client, me api.Account) {
	ctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	c.client, c.ctx, c.cancel = cl, ctx, cancel
	c.mu.Unlock()
	c.m = newModel()
	c.m.setMe(me)
	c.details = map[int64]*detailScreen{}
	c.conn, c.loading = Connecting, 0
	c.main = newMainScreen(c)
	c.cfg.Window.SetContent(c.main.content)
	if c.cfg.OnLogin != nil {
		c.cfg.OnLogin(cl, me)
	}
	if c.cfg.ExtraTabs != nil {
		for _, t := range c.cfg.ExtraTabs(me) {
			c.main.tabs.Append(t)
		}
	}
	c.connect(ctx, cl)
	c.reload()
	if c.cfg.TickInterval > 0 {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			t := time.NewTicker(c.cfg.TickInterval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					c.ui(c.Tick)
				}
			}
		}()
	}
}

// connect starts the events stream.
func (c *Console) connect(ctx context.Context, cl Client) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		st, err := cl.Connect(ctx,
			func(env api.Envelope) { c.ui(func() { c.handleEvent(env) }) },
			func(s ConnState) { c.ui(func() { c.setConn(s) }) })
		if err != nil {
			c.log.Warn("events", "err", err)
			c.ui(func() { c.setConn(Reconnecting) })
			return
		}
		c.mu.Lock()
		if c.ctx != ctx || ctx.Err() != nil {
			c.mu.Unlock()
			st.Close()
			return
		}
		c.stream = st
		c.mu.Unlock()
	}()
}

// reload fetches the account, channels and open sessions. Events keep them
// current afterwards; reload runs again after a broker restart.
func (c *Console) reload() {
	m := c.m
	since := m.Gen()
	c.loading++
	c.run(func(ctx context.Context, cl Client) error {
		me, err := cl.Me(ctx)
		if err != nil {
			return err
		}
		m.setMe(me)
		chans, err := cl.ListChannels(ctx)
		if err != nil {
			return err
		}
		m.setChannels(chans)
		if techs, err := cl.ListTechnicians(ctx); err == nil {
			m.setTechnicians(techs)
		}
		open, err := cl.ListSessions(ctx, SessionQuery{States: openStates, Limit: 2000})
		if err != nil {
			return err
		}
		m.merge(open, since)
		mine, err := cl.ListSessions(ctx, SessionQuery{Mine: true, States: openStates, Limit: 500})
		if err != nil {
			return err
		}
		m.merge(mine, since)
		return nil
	}, func(err error) {
		c.loading--
		if c.main == nil {
			return
		}
		if err != nil {
			c.main.setError(fmt.Sprintf("%s %s", L("Could not load the lists:"), errText(err)))
			return
		}
		c.main.setError("")
		c.refresh(true, true)
	})
}

func (c *Console) setConn(s ConnState) {
	if c.main == nil {
		return
	}
	prev := c.conn
	c.conn = s
	c.main.setBanner(s)
	if s == Reconnecting || s == Stopped {
		c.wasDown = true
	}
	if s == Connected && prev != Connected {
		// Events flow from now on: (re)load the lists, which may have
		// changed in ways events do not replay (a restarted broker).
		c.wasDown = false
		c.reload()
	}
}

// handleEvent applies one event on the UI goroutine.
func (c *Console) handleEvent(env api.Envelope) {
	if c.main == nil {
		return
	}
	sessions, channels, meChanged, notices := c.m.Apply(env)
	if meChanged {
		c.main.updateMe()
	}
	if sessions || channels {
		c.refresh(channels, sessions)
	}
	if d := c.details[env.SessionID]; d != nil && env.SessionID != 0 {
		d.handleEvent(env)
	}
	if c.m.Me().Availability == "available" {
		for _, n := range notices {
			c.cfg.App.SendNotification(fyne.NewNotification(n.Title, n.Body))
		}
	}
	if c.cfg.OnEvent != nil {
		c.cfg.OnEvent(env)
	}
}

// refresh redraws the lists.
func (c *Console) refresh(channels, sessions bool) {
	if c.main == nil {
		return
	}
	if channels {
		c.main.refreshChannels()
	}
	c.main.refreshSessions()
	for _, d := range c.details {
		d.refreshSession()
	}
}

// Tick redraws the timers (first-line timer, waiting times).
func (c *Console) Tick() {
	if c.main == nil {
		return
	}
	c.main.tick()
	for _, d := range c.details {
		d.tick()
	}
}

// logout ends the session and returns to the login screen.
func (c *Console) logout() {
	c.mu.Lock()
	cl, cancel, stream := c.client, c.cancel, c.stream
	c.client, c.stream, c.cancel = nil, nil, nil
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	for _, d := range c.details {
		d.win.Close()
	}
	c.details = map[int64]*detailScreen{}
	c.main = nil
	go func() {
		if stream != nil {
			stream.Close()
		}
		if cl != nil {
			ctx, done := context.WithTimeout(context.Background(), 5*time.Second)
			cl.Logout(ctx)
			done()
		}
	}()
	if c.cfg.OnLogout != nil {
		c.cfg.OnLogout()
	}
	c.Start()
}

func isCode(err error, code string) bool { return apiclient.IsCode(err, code) }
