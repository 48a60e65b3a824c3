package viewer

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/ui"
)

// toolbar holds the window's controls; every method runs on the UI
// goroutine.
type toolbar struct {
	w *Window

	control    *widget.RadioGroup // view only / control
	monitor    *widget.Select
	monitorBox *fyne.Container // the picker, as wide as its longest name
	scale      *widget.RadioGroup
	actions    *widget.Button // opens actionMenu
	actionMenu *widget.PopUp  // the buttons below, and the quality
	cad        *widget.Button
	clipSend   *widget.Button
	clipFetch  *widget.Button
	file       *widget.Button
	fileSep    *widget.Separator
	quality    *widget.RadioGroup // Auto / Speed / Quality, in the Actions menu
	chatToggle *widget.Button
	collab     *widget.Button
	end        *widget.Button
	status     *widget.Label
	phase      *widget.Label
	overlay    *fyne.Container
	split      *container.Split
	techNames  map[int64]string

	// hostMonitors is true once the host announced its monitors: only
	// then does the picker ask it for one (settingMonitor mutes the
	// picker while the host's choice is shown).
	hostMonitors   bool
	settingMonitor bool
	// clipAsked is true from Copy from remote until the host's answer:
	// clipboard text the host sends unasked is ignored, so the end user's
	// computer cannot overwrite the technician's clipboard.
	clipAsked bool
	// settingQuality mutes the quality picker while the host's choice is
	// shown; qualityAsked is what I chose until the host answers with
	// the quality in force (0: nothing asked).
	settingQuality bool
	qualityAsked   input.Quality
	// notice stays in the status line over the figures until noticeUntil.
	notice      string
	noticeUntil time.Time
	collabPopup *widget.PopUp
}

func (w *Window) build() {
	s := w.cfg.Session
	title := fmt.Sprintf(lang.L("Remote session #%d · %s"), s.ID, endUserName(s))
	w.win = w.cfg.App.NewWindow(title)
	w.rv = ui.NewRemoteView()
	w.rv.SetViewOnly(true)
	w.rv.OnInput = func(ev input.Event) { w.send(ev) }
	t := &toolbar{w: w, techNames: map[int64]string{}}
	w.tb = t
	w.cp = newChatPanel(w)

	viewOnly, control := lang.L("View only"), lang.L("Control")
	t.control = widget.NewRadioGroup([]string{viewOnly, control}, func(sel string) {
		w.setViewOnly(sel != control)
		t.updateControl()
	})
	t.control.Horizontal = true
	t.control.Required = true
	t.control.SetSelected(viewOnly)

	// The device's screens until the host announces its monitors; the
	// picker asks the host for one only once it did (gotMonitors).
	t.monitor = widget.NewSelect(monitorNames(s.Device.Screens), func(string) { t.selectMonitor() })
	if len(t.monitor.Options) > 0 {
		t.settingMonitor = true
		t.monitor.SetSelectedIndex(primaryIndex(s.Device.Screens))
		t.settingMonitor = false
	}
	t.monitorBox = container.New(&fitSelect{s: t.monitor}, t.monitor)

	fit, actual := lang.L("Fit"), lang.L("1:1")
	t.scale = widget.NewRadioGroup([]string{fit, actual}, func(sel string) {
		if sel == actual {
			w.rv.SetMode(ui.ViewModeActual)
		} else {
			w.rv.SetMode(ui.ViewModeFit)
		}
	})
	t.scale.Horizontal = true
	t.scale.Required = true
	t.scale.SetSelected(fit)

	// The occasional actions share one menu, so that the toolbar fits a
	// 1200 px window without scrolling (TestToolbarFits).
	t.cad = t.actionButton(lang.L("Ctrl+Alt+Del"), theme.LoginIcon(), func() { w.send(input.Event{Kind: input.KindCtrlAltDel}) })
	t.clipSend = t.actionButton(lang.L("Paste to remote"), theme.ContentPasteIcon(), t.sendClipboard)
	t.clipFetch = t.actionButton(lang.L("Copy from remote"), theme.ContentCopyIcon(), t.fetchClipboard)
	t.file = t.actionButton(lang.L("Send file…"), theme.UploadIcon(), w.cp.pickFile)
	t.fileSep = widget.NewSeparator()
	if !hasRight(w.cfg.Me, desk.RightFileTransfer) {
		t.file.Hide()
		t.fileSep.Hide()
	}
	// The picture quality is no input: it is offered in view only too
	// (the host obeys the technician in control, or anyone while nobody
	// controls).
	t.quality = widget.NewRadioGroup(qualityLabels(), func(sel string) { t.chooseQuality(sel) })
	t.quality.Required = true
	t.settingQuality = true
	t.quality.SetSelected(qualityLabel(input.QualityAuto))
	t.settingQuality = false
	pictureHeading := widget.NewLabelWithStyle(lang.L("Picture"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.actionMenu = widget.NewPopUp(container.NewVBox(
		t.cad, widget.NewSeparator(), t.clipSend, t.clipFetch, t.fileSep, t.file,
		widget.NewSeparator(), pictureHeading, t.quality,
	), w.win.Canvas())
	t.actions = widget.NewButtonWithIcon(lang.L("Actions"), theme.MenuDropDownIcon(), t.showActions)
	t.actions.IconPlacement = widget.ButtonIconTrailingText
	t.chatToggle = widget.NewButtonWithIcon(lang.L("Chat"), theme.MailComposeIcon(), t.toggleChat)
	t.collab = widget.NewButtonWithIcon(lang.L("Collaborators"), theme.AccountIcon(), t.showCollaborators)
	t.end = widget.NewButtonWithIcon(lang.L("End"), theme.CancelIcon(), func() { go w.Close() })
	t.end.Importance = widget.DangerImportance

	t.status = widget.NewLabel(lang.L("Not connected"))
	t.status.Truncation = fyne.TextTruncateEllipsis
	t.phase = widget.NewLabel("")
	t.phase.Alignment = fyne.TextAlignCenter
	t.phase.TextStyle.Bold = true
	t.overlay = container.NewCenter(container.NewPadded(t.phase))

	bar := container.NewHBox(
		t.control, widget.NewSeparator(),
		t.monitorBox, t.scale, widget.NewSeparator(),
		t.actions, widget.NewSeparator(),
		t.chatToggle, t.collab,
	)
	view := container.NewStack(w.rv, t.overlay)
	t.split = container.NewHSplit(view, w.cp.content)
	t.split.Offset = 0.75
	w.cp.content.Hide()
	// The bar scrolls sideways rather than widen a window narrower than
	// the 1200 px it opens with.
	top := container.NewBorder(nil, nil, nil, t.end, container.NewHScroll(bar))
	content := container.NewBorder(container.NewPadded(top), container.NewPadded(t.status), nil, nil, t.split)
	w.win.SetContent(content)
	w.win.Resize(fyne.NewSize(1200, 760))
	w.win.SetOnClosed(func() { go w.Close() })
	t.updateControl()
	t.sessionChanged(s)
}

func endUserName(s api.Session) string {
	if strings.TrimSpace(s.EndUserName) != "" {
		return s.EndUserName
	}
	if s.Device.Hostname != "" {
		return s.Device.Hostname
	}
	return lang.L("end user")
}

func monitorNames(screens []api.Screen) []string {
	var out []string
	for i, sc := range screens {
		name := fmt.Sprintf(lang.L("Monitor %d · %d×%d"), i+1, sc.Width, sc.Height)
		if sc.Primary {
			name += " · " + lang.L("primary")
		}
		out = append(out, name)
	}
	return out
}

func primaryIndex(screens []api.Screen) int {
	for i, s := range screens {
		if s.Primary {
			return i
		}
	}
	return 0
}

// updateControl offers control only when the end user allowed it and my
// rights include it, and enables what only makes sense in control.
func (t *toolbar) updateControl() {
	if t.cad == nil {
		return // still building
	}
	w := t.w
	w.mu.Lock()
	can, viewOnly := w.canControl, w.viewOnly
	w.mu.Unlock()
	if !can {
		t.control.SetSelected(t.control.Options[0])
		t.control.Disable()
		viewOnly = true
	} else {
		t.control.Enable()
	}
	// Only the controller may switch the monitor or read the end user's
	// clipboard (the host refuses watchers too).
	for _, b := range []*widget.Button{t.cad, t.clipSend, t.clipFetch} {
		if viewOnly {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	// Sending a file needs no control, only the right, and the picture
	// quality neither: the menu always has something to offer.
	t.actions.Enable()
	if viewOnly || !t.hostMonitors || len(t.monitor.Options) < 2 {
		t.monitor.Disable()
	} else {
		t.monitor.Enable()
	}
	// a single monitor leaves nothing to pick
	if len(t.monitor.Options) < 2 {
		t.monitorBox.Hide()
	} else {
		t.monitorBox.Show()
	}
}

// actionButton is an item of the Actions menu: a flat, leading-aligned
// button that closes the menu when tapped.
func (t *toolbar) actionButton(label string, icon fyne.Resource, tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon(label, icon, func() {
		t.actionMenu.Hide()
		tapped()
	})
	b.Importance = widget.LowImportance
	b.Alignment = widget.ButtonAlignLeading
	return b
}

// showActions opens the Actions menu below its button.
func (t *toolbar) showActions() {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(t.actions)
	t.actionMenu.ShowAtPosition(pos.AddXY(0, t.actions.Size().Height))
}

// fitSelect lays out a select as wide as its longest option, so that the
// chosen monitor's name shows whole (a Select alone is only as wide as its
// placeholder).
type fitSelect struct{ s *widget.Select }

func (l *fitSelect) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *fitSelect) MinSize([]fyne.CanvasObject) fyne.Size {
	min := l.s.MinSize()
	style, size := fyne.TextStyle{}, theme.TextSize()
	// the select's own width beyond its placeholder: padding and icon
	chrome := min.Width - fyne.MeasureText(l.s.PlaceHolder, size, style).Width
	for _, o := range l.s.Options {
		min.Width = max(min.Width, fyne.MeasureText(o, size, style).Width+chrome)
	}
	return min
}

// qualityLabels are the picker's options, in input.Quality order.
func qualityLabels() []string {
	return []string{qualityLabel(input.QualityAuto), qualityLabel(input.QualitySpeed), qualityLabel(input.QualitySharp)}
}

func qualityLabel(q input.Quality) string {
	switch q {
	case input.QualitySpeed:
		return lang.L("Speed (smooth)")
	case input.QualitySharp:
		return lang.L("Quality (sharp)")
	}
	return lang.L("Auto")
}

// chooseQuality asks the host for the quality the technician picked.
func (t *toolbar) chooseQuality(sel string) {
	if t.settingQuality {
		return
	}
	t.actionMenu.Hide()
	q := input.QualityAuto
	for _, c := range []input.Quality{input.QualitySpeed, input.QualitySharp} {
		if sel == qualityLabel(c) {
			q = c
		}
	}
	t.qualityAsked = q
	t.w.setQuality(q)
}

// gotQuality shows the quality the host encodes for, and says so when
// it is not what I asked: another technician controls.
func (t *toolbar) gotQuality(q input.Quality) {
	t.settingQuality = true
	t.quality.SetSelected(qualityLabel(q))
	t.settingQuality = false
	if t.qualityAsked != input.QualityUnknown && t.qualityAsked != q {
		t.notify(lang.L("Only the technician in control can change the picture quality."))
	}
	t.qualityAsked = input.QualityUnknown
}

// gotMonitors shows the host's monitors and which one it shares.
func (t *toolbar) gotMonitors(m media.Monitors) {
	screens := make([]api.Screen, 0, len(m.List))
	for _, mi := range m.List {
		screens = append(screens, api.Screen{Width: mi.Width, Height: mi.Height, Primary: mi.Primary})
	}
	t.settingMonitor = true
	t.monitor.SetOptions(monitorNames(screens))
	t.monitor.SetSelectedIndex(m.Current)
	t.settingMonitor = false
	t.hostMonitors = true
	t.updateControl()
	t.monitorBox.Refresh() // its width follows the names
}

// selectMonitor asks the host to share the monitor the technician picked.
func (t *toolbar) selectMonitor() {
	if t.settingMonitor || !t.hostMonitors {
		return
	}
	if i := t.monitor.SelectedIndex(); i >= 0 {
		t.w.send(input.Event{Kind: input.KindSelectMonitor, Monitor: uint8(i)})
	}
}

func (t *toolbar) setStatus(text string) { t.status.SetText(text) }

// noticeFor is how long a notice (clipboard copied) outlasts the figures.
const noticeFor = 5 * time.Second

// notify shows text in the status line for a few seconds.
func (t *toolbar) notify(text string) {
	t.notice, t.noticeUntil = text, time.Now().Add(noticeFor)
	t.setStatus(text)
}

// setStats shows the connection figures unless a notice is still fresh.
func (t *toolbar) setStats(text string) {
	if time.Now().Before(t.noticeUntil) {
		return
	}
	t.setStatus(text)
}

func (t *toolbar) setPhase(text string) {
	t.phase.SetText(text)
	if text == "" {
		t.overlay.Hide()
	} else {
		t.overlay.Show()
	}
}

func (t *toolbar) hideOverlay() {
	if t.phase.Text != "" && !strings.Contains(t.phase.Text, lang.L("Connecting")) {
		return // keep an error or an end notice
	}
	t.setPhase("")
}

func (t *toolbar) sendClipboard() {
	cb := t.w.cfg.App.Clipboard()
	text := ""
	if cb != nil {
		text = cb.Content()
	}
	if text == "" {
		t.setStatus(lang.L("Your clipboard holds no text to send."))
		return
	}
	if t.w.send(input.Event{Kind: input.KindClipboard, Text: text}) {
		t.notify(fmt.Sprintf(lang.L("Sent %d characters to the end user's clipboard."), len([]rune(text))))
	}
}

// fetchClipboard asks the host for the end user's clipboard text; it
// arrives in gotRemoteClipboard.
func (t *toolbar) fetchClipboard() {
	if t.w.send(input.Event{Kind: input.KindClipboardRequest}) {
		t.clipAsked = true
		t.notify(lang.L("Asking for the end user's clipboard…"))
	}
}

// gotRemoteClipboard puts the end user's clipboard text, which I asked
// for, on my clipboard. The text is never logged.
func (t *toolbar) gotRemoteClipboard(text string) {
	if !t.clipAsked {
		return
	}
	t.clipAsked = false
	if text == "" {
		t.notify(lang.L("The end user's clipboard holds no text."))
		return
	}
	if cb := t.w.cfg.App.Clipboard(); cb != nil {
		cb.SetContent(text)
	}
	// The host cuts longer texts to the wire limit on a character
	// boundary, which leaves at most 3 bytes unused.
	if len(text) > input.MaxTextLen-utf8.UTFMax {
		t.notify(lang.L("The end user's clipboard text was too long; only its beginning was copied."))
		return
	}
	t.notify(lang.L("The end user's clipboard text is now in your clipboard."))
}

func (t *toolbar) toggleChat() {
	c := t.w.cp.content
	if c.Visible() {
		c.Hide()
	} else {
		c.Show()
		t.w.cp.focus()
	}
	t.split.Refresh()
}

// sessionChanged updates what depends on the session: collaborators.
func (t *toolbar) sessionChanged(s api.Session) {
	n := len(participants(s))
	t.collab.SetText(fmt.Sprintf(lang.L("Collaborators (%d)"), n))
	if n <= 1 {
		t.collab.SetText(lang.L("Collaborators"))
	}
}

// participants are the technicians of a session: assignee first.
func participants(s api.Session) []int64 {
	var out []int64
	if s.AssigneeID != 0 {
		out = append(out, s.AssigneeID)
	}
	for _, id := range s.Collaborators {
		if id != s.AssigneeID {
			out = append(out, id)
		}
	}
	return out
}

// showCollaborators lists the session's technicians; the one controlling
// (me, while connected in control) may hand control to another.
func (t *toolbar) showCollaborators() {
	w := t.w
	go func() {
		ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
		defer cancel()
		techs, err := w.cfg.Client.ListTechnicians(ctx)
		names := map[int64]string{}
		if err == nil {
			for _, a := range techs {
				names[a.ID] = a.Name
			}
		}
		fyne.Do(func() {
			for id, n := range names {
				t.techNames[id] = n
			}
			t.collaboratorsDialog()
		})
	}()
}

func (t *toolbar) name(id int64) string {
	if n := t.techNames[id]; n != "" {
		return n
	}
	return fmt.Sprintf(lang.L("technician %d"), id)
}

func (t *toolbar) collaboratorsDialog() {
	w := t.w
	s := w.Session()
	me := w.cfg.Me.ID
	w.mu.Lock()
	controlling := !w.viewOnly && w.mv != nil && !w.ended
	w.mu.Unlock()
	rows := container.NewVBox()
	var d dialog.Dialog
	for _, id := range participants(s) {
		role := lang.L("collaborator")
		if id == s.AssigneeID {
			role = lang.L("assignee")
		}
		label := fmt.Sprintf("%s (%s)", t.name(id), role)
		switch {
		case id == me && controlling:
			label += " · " + lang.L("you, in control")
		case id == me:
			label += " · " + lang.L("you, watching")
		}
		row := container.NewHBox(widget.NewIcon(theme.AccountIcon()), widget.NewLabel(label))
		if id != me && controlling {
			target := id
			row.Add(widget.NewButton(lang.L("Hand control"), func() {
				d.Hide()
				t.confirmHandover(target)
			}))
		}
		rows.Add(row)
	}
	if len(participants(s)) <= 1 {
		rows.Add(widget.NewLabel(lang.L("Nobody else works on this session. Invite a colleague from the session page.")))
	}
	note := widget.NewLabel(lang.L("One technician controls at a time; the others watch. To hand control, your colleague requests control and the end user allows it; you keep watching."))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	d = dialog.NewCustom(lang.L("Collaborators"), lang.L("Close"), container.NewVBox(rows, note), w.win)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
}

func (t *toolbar) confirmHandover(to int64) {
	w := t.w
	name := t.name(to)
	dialog.ShowConfirm(lang.L("Hand control"),
		fmt.Sprintf(lang.L("Ask %s to take remote control? They request control, the end user allows it, and you keep watching."), name),
		func(ok bool) {
			if ok {
				go w.handOver(to, name)
			}
		}, w.win)
}

// handOver asks the collaborator in the chat to request control. The
// connection stays: once the end user allows them control, the agent moves
// it and this window drops to watching (controlMoved).
func (w *Window) handOver(to int64, name string) {
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	text := fmt.Sprintf(lang.L("%s hands remote control to %s."), w.cfg.Me.Name, name) + " " +
		fmt.Sprintf(lang.L("%s, please request control; the end user will be asked."), name)
	if _, err := w.cfg.Client.PostMessage(ctx, w.cfg.Session.ID, text); err != nil {
		w.log.Warn("hand over: chat", "err", err)
		return
	}
	fyne.Do(func() {
		w.tb.setStatus(fmt.Sprintf(lang.L("%s was asked to take control. You control until the end user allows it."), name))
	})
}
