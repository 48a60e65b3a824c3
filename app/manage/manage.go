// Package manage holds the service desk lead's screens of the technician
// app: channels, groups, technicians, the lead dashboard and the audit log.
// The console embeds them as tabs (Screens.Tabs) and forwards broker events
// (Screens.HandleEvent); only the tabs the account's role allows are built.
//
// Every broker call runs on its own goroutine and comes back to the UI with
// fyne.Do, so a slow broker never freezes the window. The package imports
// Fyne widgets but not fyne.io/fyne/v2/app, so its tests run on Fyne's test
// driver without OpenGL.
package manage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/desk"
)

// Config is what the console hands the manager screens.
type Config struct {
	App    fyne.App
	Window fyne.Window // parent of dialogs (errors, confirmations, CSV save)
	Client *apiclient.Client
	Me     api.Account
	// Now is the clock that decides what "today" is on the dashboard;
	// nil means time.Now.
	Now func() time.Time
	// Timeout bounds each broker call; zero means 30 seconds.
	Timeout time.Duration
}

// Screens is the set of manager tabs of one logged-in technician.
type Screens struct {
	cfg  Config
	b    broker
	role desk.Role

	jobs sync.WaitGroup // every broker call in flight, so tests can wait
	uiMu sync.Mutex     // serializes background UI updates (see ui)

	channels *channelsTab
	groups   *groupsTab
	techs    *techsTab
	dash     *dashboardTab
	audit    *auditTab

	mu       sync.Mutex // guards the following fields
	dirty    map[string]bool
	flushing bool

	// lookups filled by reloads, on the UI goroutine only
	groupList []api.Group
	techList  []api.Account
	chanList  []api.Channel
}

// New builds the screens the account may use; nothing is fetched until the
// tabs are shown for the first time (Tabs).
func New(cfg Config) *Screens {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	s := &Screens{cfg: cfg, dirty: map[string]bool{}}
	if cfg.Client != nil {
		s.b = cfg.Client
	}
	s.role, _ = desk.ParseRole(cfg.Me.Role)
	return s
}

// newWithBroker is New over any broker implementation (tests).
func newWithBroker(cfg Config, b broker) *Screens {
	s := New(cfg)
	s.b = b
	return s
}

// canSeeReports mirrors desk.CanSeeReports: channel managers and above.
func (s *Screens) canSeeReports() bool {
	return !s.cfg.Me.Disabled && s.role >= desk.RoleChannelManager
}

// canManageAccounts mirrors desk.CanManageAccounts (and CanManageChannels):
// technical managers and owners create and delete channels, and manage
// technicians and groups.
func (s *Screens) canManageAccounts() bool {
	return !s.cfg.Me.Disabled && (s.role == desk.RoleTechManager || s.role == desk.RoleOwner)
}

// Tabs returns the tabs the account's role allows, in the order a lead
// uses them; none for a channel technician. The first call builds them
// and starts loading their data; later calls return the same tabs.
func (s *Screens) Tabs() []*container.TabItem {
	if !s.canSeeReports() || s.b == nil {
		return nil
	}
	var tabs []*container.TabItem
	if s.dash == nil {
		s.dash = newDashboardTab(s)
		s.channels = newChannelsTab(s)
		if s.canManageAccounts() {
			s.groups = newGroupsTab(s)
			s.techs = newTechsTab(s)
		}
		s.audit = newAuditTab(s)
		s.reload("lookups", "dashboard")
	}
	tabs = append(tabs, container.NewTabItem(lang.L("Dashboard"), s.dash.content))
	tabs = append(tabs, container.NewTabItem(lang.L("Channels"), s.channels.content))
	if s.groups != nil {
		tabs = append(tabs, container.NewTabItem(lang.L("Groups"), s.groups.content))
		tabs = append(tabs, container.NewTabItem(lang.L("Technicians"), s.techs.content))
	}
	tabs = append(tabs, container.NewTabItem(lang.L("Audit log"), s.audit.content))
	return tabs
}

// HandleEvent updates the screens after a broker event. It may be called
// from any goroutine and never blocks: reloads are coalesced and run in the
// background.
func (s *Screens) HandleEvent(e api.Envelope) {
	if s.dash == nil {
		return
	}
	switch desk.EventType(e.Type) {
	case desk.EventChannelChanged, desk.EventAccountChanged:
		s.reload("lookups", "dashboard")
	case desk.EventSessionCreated, desk.EventSessionUpdated, desk.EventSessionDeleted,
		desk.EventRatingSubmitted, desk.EventConsentAnswered:
		s.reload("dashboard")
	case api.TypeReady:
		// (re)connected: the console caught up, our figures may be stale
		s.reload("lookups", "dashboard")
	}
}

// reload marks parts stale and refreshes them in the background; while a
// refresh runs, further requests are merged into one follow-up refresh, so
// a burst of events costs at most two rounds of calls.
func (s *Screens) reload(parts ...string) {
	s.mu.Lock()
	for _, p := range parts {
		s.dirty[p] = true
	}
	if s.flushing {
		s.mu.Unlock()
		return
	}
	s.flushing = true
	s.mu.Unlock()
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		for {
			s.mu.Lock()
			todo := s.dirty
			s.dirty = map[string]bool{}
			if len(todo) == 0 {
				s.flushing = false
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			if todo["lookups"] {
				s.loadLookups()
			}
			if todo["dashboard"] {
				s.dash.load()
			}
		}
	}()
}

// loadLookups fetches channels, groups and technicians, which several tabs
// show, and hands them to every tab.
func (s *Screens) loadLookups() {
	ctx, cancel := s.ctx()
	defer cancel()
	chans, err := s.b.ListChannels(ctx)
	if err != nil {
		s.fail(lang.L("Could not load the channels"), err)
		return
	}
	groups, err := s.b.ListGroups(ctx)
	if err != nil {
		s.fail(lang.L("Could not load the groups"), err)
		return
	}
	techs, err := s.b.ListTechnicians(ctx)
	if err != nil {
		s.fail(lang.L("Could not load the technicians"), err)
		return
	}
	s.ui(func() {
		s.chanList, s.groupList, s.techList = chans, groups, techs
		s.channels.setData()
		if s.groups != nil {
			s.groups.setData()
			s.techs.setData()
		}
		s.audit.setData()
	})
}

func (s *Screens) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.cfg.Timeout)
}

// do runs work off the UI goroutine and then done (on success) on it; a
// failure is shown in an error dialog that says what failed.
func (s *Screens) do(what string, work func(ctx context.Context) error, done func()) {
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		ctx, cancel := s.ctx()
		defer cancel()
		if err := work(ctx); err != nil {
			s.fail(what, err)
			return
		}
		if done != nil {
			s.ui(done)
		}
	}()
}

// fail shows an error; callable from any goroutine.
func (s *Screens) fail(what string, err error) {
	msg := errorText(err)
	s.ui(func() {
		if s.cfg.Window != nil {
			dialog.ShowError(errors.New(what+": "+msg), s.cfg.Window)
		}
	})
}

// errorText turns a broker error into a sentence for a lead.
func errorText(err error) string {
	var ae *apiclient.Error
	switch {
	case apiclient.IsUnreachable(err):
		return lang.L("the broker cannot be reached; check the network and try again")
	case apiclient.IsCode(err, apiclient.CodeForbidden):
		return lang.L("your account is not allowed to do this")
	case errors.As(err, &ae) && ae.Message != "":
		return ae.Message
	}
	return err.Error()
}

// wait blocks until every broker call started so far has finished (tests).
func (s *Screens) wait() { s.jobs.Wait() }

// lookup helpers, UI goroutine only

func (s *Screens) groupName(id int64) string {
	for _, g := range s.groupList {
		if g.ID == id {
			return g.Name
		}
	}
	return fmt.Sprintf(lang.L("group %d"), id)
}

func (s *Screens) techName(id int64) string {
	for _, a := range s.techList {
		if a.ID == id {
			return a.Name
		}
	}
	return fmt.Sprintf(lang.L("technician %d"), id)
}

func (s *Screens) channelName(id int64) string {
	for _, c := range s.chanList {
		if c.ID == id {
			return c.Name
		}
	}
	if id == 0 {
		return ""
	}
	return fmt.Sprintf(lang.L("channel %d"), id)
}

// techLabel is how a technician appears in pickers: names may repeat,
// e-mail addresses do not.
func techLabel(a api.Account) string { return a.Name + " <" + a.Email + ">" }

// ui runs f on the UI goroutine and waits for it. Updates from background
// goroutines are serialized here as well: the real driver runs them one
// at a time on the main goroutine, but Fyne's test driver runs them on the
// calling goroutine, where two at once corrupt widget caches.
func (s *Screens) ui(f func()) {
	s.uiMu.Lock()
	defer s.uiMu.Unlock()
	fyne.DoAndWait(f)
}
