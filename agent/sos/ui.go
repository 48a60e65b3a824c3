package sos

import (
	"fmt"
	"image/color"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
)

// Screen names, reported by App.Screen.
const (
	ScreenStart   = "start"
	ScreenBusy    = "busy"
	ScreenError   = "error"
	ScreenCode    = "code"
	ScreenSOSForm = "sos"
	ScreenQueue   = "queue"
	ScreenSession = "session"
	ScreenSurvey  = "survey"
	ScreenEnded   = "ended"
)

// Limits of the SOS Call form, as the broker checks them.
const (
	maxNameRunes    = 100
	maxProblemRunes = 4000
)

// ui holds the widgets; only the UI goroutine touches them.
type ui struct {
	screen string
	body   *fyne.Container

	linkBar  *fyne.Container
	linkText *canvas.Text

	indicator     *fyne.Container
	indicatorText *canvas.Text
	stop          *widget.Button

	banner   fyne.CanvasObject
	orgText  *widget.Label
	techText *widget.Label

	// start
	linkEntry *widget.Entry
	startErr  *widget.Label
	codeBtn   *widget.Button
	sosBtn    *widget.Button

	// error
	errText *widget.Label
	retry   *widget.Button

	// code
	codeText *canvas.Text
	copyBtn  *widget.Button

	// SOS form
	nameEntry    *widget.Entry
	problemEntry *widget.Entry
	channel      *widget.Select
	formErr      *widget.Label
	submit       *widget.Button

	// queue
	waitText  *widget.Label
	stopTimer func() bool

	// session
	session    fyne.CanvasObject
	chatBox    *fyne.Container
	chatScroll *container.Scroll
	chatEntry  *widget.Entry
	sendBtn    *widget.Button
	fileBtn    *widget.Button
	files      map[int64]*fileRow

	// survey
	survey     fyne.CanvasObject
	stars      [5]*widget.Button
	starText   [5]*canvas.Text
	starsGiven int
	comment    *widget.Entry
	surveySend *widget.Button
	surveyMsg  *widget.Label
}

// Screen returns the name of the screen shown (tests).
func (a *App) Screen() string { return a.ui.screen }

// buildFrame makes what stays on every screen: the connection bar and the
// sharing indicator above the screen's body.
func (a *App) buildFrame() {
	u := &a.ui
	u.files = map[int64]*fileRow{}
	u.linkText = canvas.NewText("", color.Black)
	u.linkText.TextStyle.Bold = true
	u.linkBar = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameWarning)),
		container.NewPadded(container.NewHBox(widget.NewIcon(theme.WarningIcon()), u.linkText)))
	u.linkBar.Hide()

	u.indicatorText = canvas.NewText("", color.White)
	u.indicatorText.TextStyle.Bold = true
	u.indicatorText.TextSize = theme.TextSize() + 1
	u.stop = widget.NewButtonWithIcon(lang.L("Stop sharing"), theme.MediaStopIcon(), func() { a.stopSharing(true) })
	u.indicator = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameError)),
		container.NewPadded(container.NewBorder(nil, nil, nil, u.stop, container.NewCenter(u.indicatorText))))
	u.indicator.Hide()

	u.orgText = widget.NewLabel("")
	u.orgText.TextStyle.Bold = true
	u.orgText.Wrapping = fyne.TextWrapWord
	u.techText = widget.NewLabel("")
	u.techText.Wrapping = fyne.TextWrapWord
	warn := widget.NewLabel(lang.L("If someone called you unexpectedly and told you to run this, close it now."))
	warn.Wrapping = fyne.TextWrapWord
	warn.Importance = widget.DangerImportance
	u.banner = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)),
		container.NewVBox(u.orgText, u.techText, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, warn)))

	u.body = container.NewStack()
	a.win.SetContent(container.NewBorder(container.NewVBox(u.linkBar, u.indicator), nil, nil, nil, u.body))
}

func (a *App) setBody(name string, obj fyne.CanvasObject) {
	u := &a.ui
	if u.stopTimer != nil && name != ScreenQueue {
		u.stopTimer()
		u.stopTimer = nil
	}
	u.screen = name
	u.body.Objects = []fyne.CanvasObject{obj}
	u.body.Refresh()
}

// page lays out a screen: a title, the body, and bottom buttons.
func page(title string, body fyne.CanvasObject, bottom ...fyne.CanvasObject) fyne.CanvasObject {
	t := canvas.NewText(title, theme.Color(theme.ColorNameForeground))
	t.TextStyle.Bold = true
	t.TextSize = theme.TextSize() * 1.6
	var foot fyne.CanvasObject
	if len(bottom) > 0 {
		foot = container.NewVBox(bottom...)
	}
	return container.NewPadded(container.NewBorder(container.NewVBox(t, widget.NewSeparator()), foot, nil, nil, body))
}

func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func errorLabel() *widget.Label {
	l := wrapLabel("")
	l.Importance = widget.DangerImportance
	l.TextStyle.Bold = true
	l.Hide()
	return l
}

func setError(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// showStart is the first screen without a link: paste a link, get a code,
// or make an SOS Call.
func (a *App) showStart(errMsg string) {
	u := &a.ui
	u.linkEntry = widget.NewEntry()
	u.linkEntry.SetPlaceHolder("https://…/s/…")
	connect := widget.NewButtonWithIcon(lang.L("Connect"), theme.LoginIcon(), func() { a.joinLink(u.linkEntry.Text) })
	connect.Importance = widget.HighImportance
	u.linkEntry.OnSubmitted = func(s string) { a.joinLink(s) }
	u.startErr = errorLabel()
	setError(u.startErr, errMsg)
	u.codeBtn = widget.NewButtonWithIcon(lang.L("Get a session code"), theme.ComputerIcon(), a.requestCode)
	u.sosBtn = widget.NewButtonWithIcon(lang.L("Request help (SOS Call)"), theme.HelpIcon(), a.openSOS)
	if a.cfg.BrokerURL == "" {
		u.codeBtn.Disable()
		u.sosBtn.Disable()
	}
	intro := wrapLabel(lang.L("Get help from your service desk. Nobody can see or control your screen until you allow it, and you can stop it at any time."))
	body := container.NewVBox(
		intro,
		u.startErr,
		widget.NewLabelWithStyle(lang.L("Did your technician send you a support link?"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, connect, u.linkEntry),
		widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("No link?"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		u.codeBtn,
		wrapLabel(lang.L("You get a 9-digit code to read to the technician on the phone.")),
		u.sosBtn,
		wrapLabel(lang.L("Describe your problem; the next free technician answers you here.")),
	)
	warn := wrapLabel(lang.L("If someone called you unexpectedly and told you to run this, close it now."))
	warn.Importance = widget.DangerImportance
	a.setBody(ScreenStart, page(lang.L("Tether SOS"), container.NewVScroll(body), warn))
}

func (a *App) showBusy(msg string) {
	bar := widget.NewProgressBarInfinite()
	a.setBody(ScreenBusy, page(lang.L("Tether SOS"), container.NewVBox(layout.NewSpacer(), wrapLabel(msg), bar, layout.NewSpacer())))
}

func (a *App) showError(msg string, retry func()) {
	u := &a.ui
	u.errText = wrapLabel(msg)
	u.errText.Importance = widget.DangerImportance
	u.errText.TextStyle.Bold = true
	back := widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), func() { a.showStart("") })
	u.retry = nil
	buttons := []fyne.CanvasObject{}
	if retry != nil {
		u.retry = widget.NewButtonWithIcon(lang.L("Try again"), theme.ViewRefreshIcon(), retry)
		u.retry.Importance = widget.HighImportance
		buttons = append(buttons, u.retry)
	}
	buttons = append(buttons, back)
	a.setBody(ScreenError, page(lang.L("Cannot join the session"), container.NewVBox(u.errText), buttons...))
}

// showEnded is the last screen when there is nothing to rate.
func (a *App) showEnded(msg string) {
	if a.ui.screen == ScreenEnded {
		return
	}
	closeBtn := widget.NewButtonWithIcon(lang.L("Close Tether SOS"), theme.CancelIcon(), func() { a.win.Close() })
	a.setBody(ScreenEnded, page(lang.L("Session ended"), container.NewVBox(wrapLabel(msg)), closeBtn))
}

// updateBanner shows who is on the other side, as the broker vouches for it.
func (a *App) updateBanner(s api.AgentSession) {
	u := &a.ui
	org := s.OrgName
	if org == "" {
		org = lang.L("your service desk")
	}
	u.orgText.SetText(lang.L("Support from {{.Org}}", map[string]string{"Org": org}))
	switch {
	case s.TechnicianName != "":
		u.techText.SetText(lang.L("Your technician: {{.Name}}", map[string]string{"Name": s.TechnicianName}))
	case s.State == "closed" || s.State == "expired":
		u.techText.SetText("")
	default:
		u.techText.SetText(lang.L("Waiting for a technician…"))
	}
}

// GroupCode formats a 9-digit code as "123 456 789".
func GroupCode(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (a *App) showCode(code string) {
	u := &a.ui
	if u.screen == ScreenCode {
		return
	}
	u.codeText = canvas.NewText(GroupCode(code), theme.Color(theme.ColorNamePrimary))
	u.codeText.TextSize = 44
	u.codeText.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	u.codeText.Alignment = fyne.TextAlignCenter
	u.copyBtn = widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		a.fa.Clipboard().SetContent(code)
		u.copyBtn.SetText(lang.L("Copied"))
	})
	body := container.NewVBox(
		u.banner,
		widget.NewLabelWithStyle(lang.L("Your session code"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		u.codeText,
		container.NewCenter(u.copyBtn),
		wrapLabel(lang.L("Read this code to the technician you are on the phone with. Nobody can see your screen until you allow it.")),
		layout.NewSpacer(),
		widget.NewLabel(lang.L("Waiting for the technician to enter the code…")),
		widget.NewProgressBarInfinite(),
	)
	a.setBody(ScreenCode, page(lang.L("Tether SOS"), body))
}

// showSOSForm is the SOS Call form: name, problem and, when the broker
// offers several, the channel.
func (a *App) showSOSForm(b Broker, chans []api.SOSChannel) {
	u := &a.ui
	back := widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), func() { a.showStart("") })
	if len(chans) == 0 {
		a.setBody(ScreenSOSForm, page(lang.L("Request help"),
			wrapLabel(lang.L("No help desk is taking requests here right now. Please call your service desk.")), back))
		return
	}
	u.nameEntry = widget.NewEntry()
	u.nameEntry.SetPlaceHolder(lang.L("First and last name"))
	u.problemEntry = widget.NewMultiLineEntry()
	u.problemEntry.SetPlaceHolder(lang.L("What is not working? What were you doing when it happened?"))
	u.problemEntry.Wrapping = fyne.TextWrapWord
	u.problemEntry.SetMinRowsVisible(5)
	u.formErr = errorLabel()
	items := []*widget.FormItem{
		{Text: lang.L("Your name"), Widget: u.nameEntry},
		{Text: lang.L("Problem"), Widget: u.problemEntry},
	}
	var chosen int64
	if len(chans) == 1 {
		chosen = chans[0].ID
	} else {
		names := make([]string, len(chans))
		for i, c := range chans {
			names[i] = c.Name
		}
		u.channel = widget.NewSelect(names, func(s string) {
			for _, c := range chans {
				if c.Name == s {
					chosen = c.ID
				}
			}
		})
		u.channel.PlaceHolder = lang.L("Choose…")
		for _, c := range chans {
			if c.ID == a.cfg.ChannelID {
				u.channel.SetSelected(c.Name)
			}
		}
		items = append(items, &widget.FormItem{Text: lang.L("Help desk"), Widget: u.channel})
	}
	form := widget.NewForm(items...)
	u.submit = widget.NewButtonWithIcon(lang.L("Send request"), theme.MailSendIcon(), nil)
	u.submit.Importance = widget.HighImportance
	u.submit.OnTapped = func() {
		req := api.SOSRequest{ChannelID: chosen, Name: strings.TrimSpace(u.nameEntry.Text), Problem: strings.TrimSpace(u.problemEntry.Text)}
		if msg := validateSOS(req, len(chans) > 1); msg != "" {
			setError(u.formErr, msg)
			return
		}
		setError(u.formErr, "")
		u.submit.Disable()
		u.submit.SetText(lang.L("Sending…"))
		a.submitSOS(b, req, func(err error) {
			u.submit.Enable()
			u.submit.SetText(lang.L("Send request"))
			msg := sentence(errText(err))
			if errCode(err) == "" || msg == "" {
				msg = lang.L("Your request could not be sent. Check your internet connection and try again.")
			}
			setError(u.formErr, msg)
		})
	}
	intro := wrapLabel(lang.L("Tell us who you are and what is wrong. The next free technician will answer you here."))
	a.setBody(ScreenSOSForm, page(lang.L("Request help"), container.NewVScroll(container.NewVBox(intro, form, u.formErr)),
		container.NewGridWithColumns(2, back, u.submit)))
}

// validateSOS returns what is wrong with the form, or "".
func validateSOS(req api.SOSRequest, needChannel bool) string {
	switch {
	case req.Name == "":
		return lang.L("Please enter your name.")
	case utf8.RuneCountInString(req.Name) > maxNameRunes:
		return lang.L("Your name is too long.")
	case req.Problem == "":
		return lang.L("Please describe your problem.")
	case utf8.RuneCountInString(req.Problem) > maxProblemRunes:
		return lang.L("The description is too long; please shorten it.")
	case needChannel && req.ChannelID == 0:
		return lang.L("Please choose who should help you.")
	}
	return ""
}

// showQueue shows that the SOS Call waits in the queue, and for how long.
func (a *App) showQueue(s api.AgentSession) {
	u := &a.ui
	if u.screen == ScreenQueue {
		return
	}
	u.waitText = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	since := a.cfg.Clock.Now()
	where := s.ChannelName
	if where == "" {
		where = lang.L("the service desk")
	}
	body := container.NewVBox(
		u.banner,
		widget.NewLabelWithStyle(lang.L("Your request has been sent."), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		wrapLabel(lang.L("You are in the queue of {{.Channel}}. A technician will answer you here; keep this window open.", map[string]string{"Channel": where})),
		u.waitText,
		widget.NewProgressBarInfinite(),
	)
	a.setBody(ScreenQueue, page(lang.L("Tether SOS"), body))
	var tick func()
	tick = func() {
		d := a.cfg.Clock.Now().Sub(since)
		u.waitText.SetText(lang.L("Waiting for {{.Time}}", map[string]string{"Time": mmss(d)}))
		stop := a.cfg.Clock.AfterFunc(time.Second, func() { a.do(tick) })
		if u.screen != ScreenQueue {
			stop()
			return
		}
		u.stopTimer = stop
	}
	tick()
}

func mmss(d time.Duration) string {
	s := int(d / time.Second)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

func (a *App) showLinkState(s LinkState) {
	u := &a.ui
	switch s {
	case LinkReconnecting:
		u.linkText.Text = lang.L("Connection lost. Reconnecting…")
	case LinkFailed:
		u.linkText.Text = lang.L("The support server ended the connection.")
	default:
		u.linkBar.Hide()
		return
	}
	u.linkText.Refresh()
	u.linkBar.Show()
}

// showIndicator shows, above every screen, who sees or controls the
// screen (see indicatorText), with the Stop button.
func (a *App) showIndicator(text string) {
	a.setIndicator(text)
	a.addNotice(text+". "+lang.L("Press “Stop sharing” at the top to end it at any time."), false)
}

// setIndicator shows the indicator with text, without a notice.
func (a *App) setIndicator(text string) {
	u := &a.ui
	u.indicatorText.Text = text
	u.indicatorText.Refresh()
	u.indicator.Show()
}

func (a *App) hideIndicator() { a.ui.indicator.Hide() }

// Indicator returns the sharing indicator's text, "" when hidden (tests).
func (a *App) Indicator() string {
	if !a.ui.indicator.Visible() {
		return ""
	}
	return a.ui.indicatorText.Text
}

// showConsent opens the consent dialog.
func (a *App) showConsent(p *consentPrompt, deadline time.Time) {
	name := p.c.Technician
	if name == "" {
		name = lang.L("The technician")
	}
	var q string
	if p.c.Mode == "control" {
		q = lang.L("{{.Name}} asks to see and control your screen.", map[string]string{"Name": name})
	} else {
		q = lang.L("{{.Name}} asks to see your screen.", map[string]string{"Name": name})
	}
	title := widget.NewLabelWithStyle(q, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	explain := wrapLabel(lang.L("Allow only if you asked for help and know who this is. You can stop at any time."))
	p.countdown = widget.NewLabel("")
	p.allowView = widget.NewButtonWithIcon(lang.L("Allow viewing"), theme.VisibilityIcon(), func() { a.answer(p.c.ID, answerView) })
	p.deny = widget.NewButtonWithIcon(lang.L("Deny"), theme.CancelIcon(), func() { a.answer(p.c.ID, answerDeny) })
	p.deny.Importance = widget.DangerImportance
	buttons := []fyne.CanvasObject{p.allowView}
	if p.c.Mode == "control" {
		p.allowControl = widget.NewButtonWithIcon(lang.L("Allow control"), theme.ComputerIcon(), func() { a.answer(p.c.ID, answerControl) })
		buttons = append(buttons, p.allowControl)
	}
	buttons = append(buttons, p.deny)
	content := container.NewVBox(title, explain, p.countdown, container.NewGridWithColumns(len(buttons), buttons...))
	p.dlg = dialog.NewCustomWithoutButtons(lang.L("Allow access to your screen?"), content, a.win)
	p.dlg.Resize(fyne.NewSize(420, 0))
	var tick func()
	tick = func() {
		if p.dlg == nil {
			return
		}
		left := secondsLeft(a.cfg.Clock.Now(), deadline)
		p.countdown.SetText(lang.L("Denied automatically in {{.N}} s.", map[string]any{"N": left}))
		if left > 0 {
			a.cfg.Clock.AfterFunc(time.Second, func() { a.do(tick) })
		}
	}
	tick()
	p.dlg.Show()
	a.win.RequestFocus()
}

func (a *App) hideConsent(p *consentPrompt) {
	if p.dlg != nil {
		p.dlg.Hide()
		p.dlg = nil
	}
}
