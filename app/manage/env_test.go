package manage

import (
	"context"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/brokertest"
)

const password = brokertest.Password

var testDevice = brokertest.Device

// realApp, when set (screenshot runs), replaces Fyne's test app.
var realApp fyne.App

// env is a real broker (SQLite in a temp dir) on loopback HTTP, and a Fyne
// test app.
type env struct {
	t     *testing.T
	clock *brokertest.Clock
	url   string
	owner *apiclient.Client
	me    api.Account // the owner
	app   fyne.App
	b     *brokertest.Broker
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	b := brokertest.Start(t, brokertest.Options{})
	e := &env{t: t, clock: b.Clock, url: b.URL, b: b}
	e.owner, e.me = e.login(brokertest.OwnerEmail)
	e.app = realApp
	if e.app == nil {
		e.app = test.NewTempApp(t)
	}
	return e
}

func (e *env) login(email string) (*apiclient.Client, api.Account) {
	e.t.Helper()
	return e.b.Login(e.t, email)
}

func (e *env) createTech(email, role string, groups ...int64) api.Account {
	e.t.Helper()
	return brokertest.CreateTech(e.t, e.owner, email, role, groups...)
}

// screens builds the manager screens of a logged-in account in a test
// window, and waits for their first load.
func (e *env) screens(c *apiclient.Client, me api.Account) (*Screens, fyne.Window) {
	e.t.Helper()
	w := test.NewTempWindow(e.t, nil)
	s := New(Config{App: e.app, Window: w, Client: c, Me: me, Now: e.clock.Now})
	tabs := s.Tabs()
	// The first load already runs: lay out through the same serialized
	// path as its updates (here the test goroutine plays the UI goroutine).
	s.ui(func() {
		if len(tabs) > 0 {
			w.SetContent(containerOf(tabs))
		}
		w.Resize(fyne.NewSize(1200, 800))
	})
	s.wait()
	return s, w
}

func ctx() context.Context { return context.Background() }
