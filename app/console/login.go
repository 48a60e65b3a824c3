package console

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// loginTimeout bounds one login attempt.
const loginTimeout = 20 * time.Second

type loginScreen struct {
	c        *Console
	content  fyne.CanvasObject
	broker   *widget.Entry
	email    *widget.Entry
	password *widget.Entry
	button   *widget.Button
	status   *widget.Label
	busy     *widget.ProgressBarInfinite
}

func newLoginScreen(c *Console) *loginScreen {
	l := &loginScreen{c: c}
	l.broker = widget.NewEntry()
	l.broker.SetPlaceHolder("https://support.example.com")
	l.broker.SetText(c.prefs.StringWithFallback(PrefBroker, c.cfg.DefaultBroker))
	l.email = widget.NewEntry()
	l.email.SetPlaceHolder("you@example.com")
	l.email.SetText(c.prefs.String(PrefEmail))
	l.password = widget.NewPasswordEntry()
	l.password.OnSubmitted = func(string) { l.submit() }
	l.email.OnSubmitted = func(string) { l.submit() }
	l.button = widget.NewButtonWithIcon(L("Log in"), theme.LoginIcon(), l.submit)
	l.button.Importance = widget.HighImportance
	l.status = widget.NewLabel("")
	l.status.Wrapping = fyne.TextWrapWord
	l.status.Importance = widget.DangerImportance
	l.busy = widget.NewProgressBarInfinite()
	l.busy.Stop()
	l.busy.Hide()

	title := canvas.NewText("Tether", theme.Color(theme.ColorNameForeground))
	title.TextSize = 28
	title.TextStyle.Bold = true
	sub := widget.NewLabel(L("Service desk console — sign in with your technician account"))
	form := widget.NewForm(
		widget.NewFormItem(L("Broker address"), l.broker),
		widget.NewFormItem(L("Email"), l.email),
		widget.NewFormItem(L("Password"), l.password),
	)
	box := container.NewVBox(container.NewCenter(title), container.NewCenter(sub), form, l.button, l.busy, l.status)
	sized := container.New(layout.NewGridWrapLayout(fyne.NewSize(460, 360)), box)
	l.content = container.NewCenter(sized)
	return l
}

func (l *loginScreen) focusTarget() fyne.Focusable {
	switch {
	case l.broker.Text == "":
		return l.broker
	case l.email.Text == "":
		return l.email
	}
	return l.password
}

// SignIn fills the login screen with email (and password) and, when a
// password is given, submits it as if typed: app/main.go's --email and
// --password-file, for demos and unattended set-ups. Call it on the UI
// goroutine after Start.
func (c *Console) SignIn(email, password string) {
	l := c.login
	if l == nil || c.main != nil {
		return
	}
	l.email.SetText(email)
	if password == "" {
		c.cfg.Window.Canvas().Focus(l.focusTarget())
		return
	}
	l.password.SetText(password)
	l.submit()
}

// normalizeBroker checks the typed address and adds https:// when no scheme is given.
func normalizeBroker(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New(L("Enter the broker address, e.g. https://support.example.com."))
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", errors.New(L("The broker address is not a valid http(s) address."))
	}
	return strings.TrimRight(s, "/"), nil
}

func (l *loginScreen) setBusy(b bool) {
	if b {
		l.button.Disable()
		l.busy.Show()
		l.busy.Start()
	} else {
		l.button.Enable()
		l.busy.Stop()
		l.busy.Hide()
	}
}

func (l *loginScreen) submit() {
	if l.button.Disabled() {
		return
	}
	addr, err := normalizeBroker(l.broker.Text)
	if err != nil {
		l.status.SetText(err.Error())
		return
	}
	email, pw := strings.TrimSpace(l.email.Text), l.password.Text
	if email == "" || pw == "" {
		l.status.SetText(L("Enter your email and password."))
		return
	}
	cl, err := l.c.cfg.NewClient(addr)
	if err != nil {
		l.status.SetText(err.Error())
		return
	}
	l.c.prefs.SetString(PrefBroker, addr)
	l.c.prefs.SetString(PrefEmail, email)
	l.status.SetText("")
	l.setBusy(true)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
		defer cancel()
		resp, err := cl.Login(ctx, email, pw)
		var me api.Account
		if err == nil {
			me = resp.Account
		}
		l.c.ui(func() {
			l.setBusy(false)
			if err != nil {
				l.status.SetText(loginError(err, addr))
				return
			}
			l.password.SetText("")
			l.c.loggedIn(cl, me)
		})
	}()
}

// loginError says why a login failed.
func loginError(err error, addr string) string {
	var e *apiclient.Error
	switch {
	case apiclient.IsUnreachable(err) || errors.Is(err, context.DeadlineExceeded):
		return Lf("Cannot reach the broker at {{.Addr}}. Check the address and your network connection.", map[string]any{"Addr": addr})
	case errors.As(err, &e) && e.Code == apiclient.CodeUnauthorized:
		return L("Wrong email or password.")
	case errors.As(err, &e) && e.Code == apiclient.CodeRateLimited:
		return Lf("Too many login attempts: try again in {{.N}} s.", map[string]any{"N": retrySeconds(e)})
	case errors.As(err, &e) && e.Code == apiclient.CodeForbidden:
		return L("This account cannot sign in:") + " " + e.Message
	}
	return L("Login failed:") + " " + errText(err)
}
