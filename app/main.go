// Command tether is the technician app of Tether: the service desk console
// (app/console), the remote viewer (app/viewer) and the manager screens
// (app/manage) in one Fyne application.
//
//	tether [--broker https://support.example.com]
package main

import (
	"errors"
	"flag"
	"log/slog"
	"os"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"

	"github.com/tetherdesk/tether/app/console"
	"github.com/tetherdesk/tether/app/manage"
	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

func main() {
	broker := flag.String("broker", "", "broker address to prefill on the login screen, e.g. https://support.example.com")
	debug := flag.Bool("debug", false, "log broker requests and event connection changes to stderr")
	flag.Parse()

	level := slog.LevelWarn
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	a := app.NewWithID("io.tetherdesk.tether")
	w := a.NewWindow("Tether")
	w.Resize(fyne.NewSize(1280, 800))
	w.SetMaster()

	h := &hooks{app: a, win: w, log: log}
	c := console.New(console.Config{
		App: a, Window: w, DefaultBroker: *broker, Logger: log,
		NewClient: func(baseURL string) (console.Client, error) {
			cl, err := console.NewAPIClient(baseURL, apiclient.Options{Logger: log, UserAgent: "tether-app/0.1"})
			if err != nil {
				return nil, err
			}
			h.setClient(cl)
			return cl, nil
		},
		OpenViewer: h.openViewer,
		ExtraTabs:  h.extraTabs,
		OnEvent:    h.onEvent,
		OnLogout:   h.logout,
	})
	h.console = c
	w.SetOnClosed(c.Close)
	c.Start()
	w.ShowAndRun()
}

// hooks connects the console to the viewer and manager packages.
type hooks struct {
	app     fyne.App
	win     fyne.Window
	log     *slog.Logger
	console *console.Console

	mu     sync.Mutex // guards client
	client *console.APIClient

	// UI goroutine only.
	manage *manage.Screens
}

func (h *hooks) setClient(c *console.APIClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.client = c
}

func (h *hooks) apiClient() *console.APIClient {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.client
}

func (h *hooks) extraTabs(me api.Account) []*container.TabItem {
	cl := h.apiClient()
	if cl == nil {
		return nil
	}
	h.manage = manage.New(manage.Config{App: h.app, Window: h.win, Client: cl.C, Me: me})
	return h.manage.Tabs()
}

func (h *hooks) onEvent(env api.Envelope) {
	if h.manage != nil {
		h.manage.HandleEvent(env)
	}
	viewersHandleEvent(h, env)
}

func (h *hooks) logout() {
	h.manage = nil
	closeViewers(h)
}

func (h *hooks) openViewer(s api.Session, mode string, consentID int64) error {
	return openViewer(h, s, mode, consentID)
}

// Until app/viewer lands, the remote viewer is not available.

func openViewer(h *hooks, s api.Session, mode string, consentID int64) error {
	return errors.New("the remote viewer is not built into this version")
}

func viewersHandleEvent(h *hooks, env api.Envelope) {}

func closeViewers(h *hooks) {}
