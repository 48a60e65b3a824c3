// Command tether is the technician app of Tether: the service desk console
// (app/console), the remote viewer (app/viewer) and the manager screens
// (app/manage) in one Fyne application.
//
//	tether [--broker https://support.example.com] [--lang en|de|pt|system]
//	       [--email you@example.com [--password-file FILE]]
//
// The OS language decides the language; --lang overrides it and is
// remembered (the "language" preference), --lang system forgets it.
//
// --email prefills the login screen; with --password-file (a file whose
// first line is the password) the app signs in at start, which `make demo`
// uses. There is deliberately no flag for the password itself: command
// lines are visible to every user of the machine.
package main

import (
	"cmp"
	"errors"
	"flag"
	"log/slog"
	"os"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"github.com/tetherdesk/tether/app/console"
	"github.com/tetherdesk/tether/app/manage"
	"github.com/tetherdesk/tether/app/viewer"
	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/ui"
)

func main() {
	broker := flag.String("broker", "", "broker address to prefill on the login screen, e.g. https://support.example.com")
	debug := flag.Bool("debug", false, "log broker requests and event connection changes to stderr")
	email := flag.String("email", "", "e-mail address to sign in with (prefilled on the login screen)")
	passwordFile := flag.String("password-file", "", "file whose first line is the password for --email: sign in at start without typing (demos, unattended set-ups)")
	pin := flag.String("pin", "", "trust exactly the broker certificate with this fingerprint (SHA256:AB:CD:…, as the broker prints for its self-signed certificate) instead of the system's CAs")
	language := flag.String("lang", "", "language: en, de or pt, remembered for later starts; system: the OS language again (default: the remembered one, else the OS language)")
	flag.Parse()

	level := slog.LevelWarn
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	a := app.NewWithID("io.tetherdesk.tether")
	uiLang := setupLanguage(a.Preferences(), *language, log)
	w := a.NewWindow("Tether")
	w.Resize(fyne.NewSize(1280, 800))
	w.SetMaster()

	h := &hooks{app: a, win: w, log: log, viewers: map[int64]*viewer.Window{}}
	c := console.New(console.Config{
		App: a, Window: w, DefaultBroker: *broker, Logger: log,
		NewClient: func(baseURL string) (console.Client, error) {
			cl, err := console.NewAPIClient(baseURL, apiclient.Options{Logger: log, UserAgent: "tether-app/0.1", PinSHA256: *pin, Language: uiLang})
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
	w.SetOnClosed(func() {
		closeViewers(h)
		c.Close()
	})
	c.Start()
	if *email != "" {
		password, err := readPasswordFile(*passwordFile)
		if err != nil {
			log.Error("password file: sign in by hand", "err", err)
		}
		c.SignIn(*email, password)
	}
	w.ShowAndRun()
}

// readPasswordFile returns the first line of path; "" for no path.
func readPasswordFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimRight(line, "\r"), nil
}

// setupLanguage loads the translations in the language the flag, the saved
// preference or the OS picks, in that order, and remembers a flag's choice.
// It returns that language for the broker's error messages.
func setupLanguage(p fyne.Preferences, flagLang string, log *slog.Logger) string {
	chosen := p.String(ui.PrefLanguage)
	if flagLang == "system" {
		chosen = ""
		p.RemoveValue(ui.PrefLanguage)
	} else if flagLang != "" {
		chosen = flagLang
	}
	for k, v := range ui.LocaleEnv(chosen, os.Getenv) {
		os.Setenv(k, v)
	}
	if err := ui.SetupLanguage(chosen); err != nil {
		log.Warn("language", "err", err)
		if err := ui.SetupLanguage(""); err != nil {
			log.Warn("language", "err", err)
		}
		return lang.SystemLocale().LanguageString()
	}
	if flagLang != "" && flagLang != "system" {
		p.SetString(ui.PrefLanguage, flagLang)
	}
	return cmp.Or(chosen, lang.SystemLocale().LanguageString())
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
	manage  *manage.Screens
	viewers map[int64]*viewer.Window
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

// openViewer opens the remote viewer of a session right after the consent
// request: the viewer listens for the agent's WebRTC offer before the end
// user answers (the broker does not keep signals) and connects once allowed.
// One viewer per session: a new request replaces the previous window.
func openViewer(h *hooks, s api.Session, mode string, consentID int64) error {
	cl := h.apiClient()
	if cl == nil || cl.Events() == nil {
		return errors.New("not connected to the broker")
	}
	if old := h.viewers[s.ID]; old != nil {
		old.Close()
	}
	w, err := viewer.Open(viewer.Config{
		App: h.app, Client: cl.C, Events: cl.Events(), Session: s, Me: h.console.Me(),
		Mode: mode, ConsentID: consentID, Logger: h.log,
	})
	if err != nil {
		return err
	}
	h.viewers[s.ID] = w
	return nil
}

func viewersHandleEvent(h *hooks, env api.Envelope) {
	if w := h.viewers[env.SessionID]; w != nil && env.SessionID != 0 {
		w.HandleEvent(env)
	}
}

func closeViewers(h *hooks) {
	for id, w := range h.viewers {
		w.Close()
		delete(h.viewers, id)
	}
}
