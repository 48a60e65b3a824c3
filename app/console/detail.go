package console

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
)

// detailScreen is one session's window: device, actions, chat, timeline.
type detailScreen struct {
	c   *Console
	id  int64
	win fyne.Window
	s   api.Session

	title      *widget.Label
	facts      *widget.Label
	timer      *widget.Label
	overBox    *fyne.Container
	overText   *widget.Label
	suggest    *widget.Button
	remote     *widget.Label
	remoteBusy *widget.Activity
	status     *widget.Label
	buttons    map[Action]*widget.Button
	device     *widget.Form
	problem    *widget.Label
	tabs       *container.AppTabs

	msgs     []api.Message
	msgList  *widget.List
	entry    *widget.Entry
	send     *widget.Button
	attach   *widget.Button
	progress *widget.ProgressBar
	progText *widget.Label
	chatBox  *fyne.Container
	noMsgs   *widget.Label

	timeline []api.AuditRecord
	tlList   *widget.List

	consentID int64                 // the pending remote request
	answered  map[int64]api.Consent // answers seen before the request returned
	busy      bool
}

// openDetail opens (or raises) a session's window.
func (c *Console) openDetail(id int64) *detailScreen {
	if d, ok := c.details[id]; ok {
		d.win.RequestFocus()
		return d
	}
	d := newDetailScreen(c, id)
	c.details[id] = d
	d.win.SetOnClosed(func() {
		if c.details[id] == d {
			delete(c.details, id)
		}
	})
	d.win.Show()
	d.load()
	return d
}

func newDetailScreen(c *Console, id int64) *detailScreen {
	d := &detailScreen{c: c, id: id, buttons: map[Action]*widget.Button{}, answered: map[int64]api.Consent{}}
	d.s, _ = c.m.Session(id)
	d.win = c.cfg.App.NewWindow(fmt.Sprintf("%s #%d", L("Session"), id))
	d.win.Resize(fyne.NewSize(1040, 720))

	d.title = widget.NewLabel("")
	d.title.TextStyle.Bold = true
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.facts = widget.NewLabel("")
	d.facts.Wrapping = fyne.TextWrapWord
	d.timer = widget.NewLabel("")
	d.overText = widget.NewLabel("")
	d.overText.Importance = widget.DangerImportance
	d.overText.Wrapping = fyne.TextWrapWord
	d.suggest = widget.NewButtonWithIcon(L("Transfer to second line…"), theme.MailForwardIcon(), d.showTransfer)
	d.overBox = container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), d.suggest, d.overText)
	d.overBox.Hide()
	d.remote = widget.NewLabel("")
	d.remote.TextStyle.Bold = true
	d.remote.Hide()
	d.remoteBusy = widget.NewActivity()
	d.remoteBusy.Hide()
	d.status = widget.NewLabel("")
	d.status.Importance = widget.DangerImportance
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Hide()

	add := func(a Action, label string, icon fyne.Resource, f func()) {
		b := widget.NewButtonWithIcon(label, icon, f)
		b.Hide()
		d.buttons[a] = b
	}
	add(ActRemote, L("Start remote session"), theme.ComputerIcon(), d.showRemote)
	add(ActTake, L("Assign to me"), theme.ConfirmIcon(), d.take)
	add(ActRelease, L("Release"), theme.MediaReplayIcon(), d.release)
	add(ActTransfer, L("Transfer…"), theme.MailForwardIcon(), d.showTransfer)
	add(ActInvite, L("Invite technician…"), theme.AccountIcon(), d.showInvite)
	add(ActClose, L("Close"), theme.CancelIcon(), d.close)
	add(ActDelete, L("Delete…"), theme.DeleteIcon(), d.confirmDelete)
	d.buttons[ActRemote].Importance = widget.HighImportance
	d.buttons[ActTake].Importance = widget.HighImportance
	d.buttons[ActDelete].Importance = widget.DangerImportance
	actions := container.NewHBox()
	for _, a := range []Action{ActRemote, ActTake, ActRelease, ActTransfer, ActInvite, ActClose, ActDelete} {
		actions.Add(d.buttons[a])
	}

	d.device = widget.NewForm()
	d.problem = widget.NewLabel("")
	d.problem.Wrapping = fyne.TextWrapWord
	left := container.NewVBox(
		widget.NewLabelWithStyle(L("Device"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		d.device,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(L("Problem"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		d.problem,
	)

	d.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(L("Chat"), theme.MailComposeIcon(), d.newChat()),
		container.NewTabItemWithIcon(L("Timeline"), theme.HistoryIcon(), d.newTimeline()),
	)

	top := container.NewVBox(d.title, d.facts, container.NewHBox(widget.NewIcon(theme.HistoryIcon()), d.timer),
		d.overBox, actions, container.NewHBox(d.remoteBusy, d.remote), d.status, widget.NewSeparator())
	split := container.NewHSplit(container.NewVScroll(left), d.tabs)
	split.Offset = 0.32
	d.win.SetContent(container.NewPadded(container.NewBorder(top, nil, nil, nil, split)))
	d.refreshSession()
	return d
}

func (d *detailScreen) newChat() fyne.CanvasObject {
	d.msgList = widget.NewList(
		func() int { return len(d.msgs) },
		func() fyne.CanvasObject {
			head := widget.NewLabel("")
			head.TextStyle.Bold = true
			text := widget.NewLabel("")
			text.Wrapping = fyne.TextWrapWord
			dl := widget.NewButtonWithIcon(L("Download"), theme.DownloadIcon(), nil)
			return container.NewBorder(head, nil, nil, dl, text)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(d.msgs) {
				return
			}
			m := d.msgs[id]
			b := o.(*fyne.Container)
			text, head, dl := b.Objects[0].(*widget.Label), b.Objects[1].(*widget.Label), b.Objects[2].(*widget.Button)
			from := m.FromName
			if m.From == "agent" {
				from += " (" + L("end user") + ")"
			}
			head.SetText(m.At.Local().Format("15:04") + "  " + from)
			if a := m.Attachment; a != nil {
				text.SetText(fmt.Sprintf("📎 %s (%s)", a.Name, byteSize(a.Size)))
				dl.OnTapped = func() { d.download(*a) }
				dl.Show()
			} else {
				text.SetText(m.Text)
				dl.Hide()
			}
			d.msgList.SetItemHeight(id, b.MinSize().Height)
		})
	d.entry = widget.NewEntry()
	d.entry.SetPlaceHolder(L("Message to the end user"))
	d.entry.OnSubmitted = func(string) { d.sendMessage() }
	d.send = widget.NewButtonWithIcon(L("Send"), theme.MailSendIcon(), d.sendMessage)
	d.attach = widget.NewButtonWithIcon(L("Send file…"), theme.UploadIcon(), d.pickFile)
	d.progress = widget.NewProgressBar()
	d.progText = widget.NewLabel("")
	prog := container.NewBorder(nil, nil, d.progText, nil, d.progress)
	d.chatBox = container.NewVBox(prog, container.NewBorder(nil, nil, nil, container.NewHBox(d.attach, d.send), d.entry))
	prog.Hide()
	d.noMsgs = widget.NewLabel(L("No messages yet. Write to the end user below; they see it in their Tether agent."))
	d.noMsgs.Wrapping = fyne.TextWrapWord
	d.noMsgs.Importance = widget.LowImportance
	return container.NewBorder(nil, d.chatBox, nil, nil, container.NewStack(d.msgList, container.NewVBox(d.noMsgs)))
}

func (d *detailScreen) refreshChat() {
	if len(d.msgs) == 0 {
		d.noMsgs.Show()
	} else {
		d.noMsgs.Hide()
	}
	d.msgList.Refresh()
	d.msgList.ScrollToBottom()
}

func (d *detailScreen) newTimeline() fyne.CanvasObject {
	d.tlList = widget.NewList(
		func() int { return len(d.timeline) },
		func() fyne.CanvasObject {
			at := widget.NewLabel("00:00:00")
			text := widget.NewLabel("")
			text.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, at, nil, text)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(d.timeline) {
				return
			}
			r := d.timeline[id]
			b := o.(*fyne.Container)
			text, at := b.Objects[0].(*widget.Label), b.Objects[1].(*widget.Label)
			at.SetText(r.At.Local().Format("Jan 2 15:04:05"))
			text.SetText(timelineText(r))
		})
	return d.tlList
}

var actionTitles = map[string]string{
	"create": "created the session", "agent_join": "started the agent", "take": "took the session",
	"claim_code": "connected by code", "release": "released the session back to the queue", "transfer": "transferred the session",
	"invite": "invited", "respond": "responded", "connect": "connected", "close": "closed the session",
	"expire": "— the session expired", "delete": "deleted the session", "sos_call": "sent an SOS Call",
	"code_issued": "got a session code", "chat_message": "wrote in the chat", "file_sent": "sent a file",
	"consent_requested": "asked for remote access", "consent_granted": "allowed remote access",
	"consent_denied": "denied remote access", "rated": "rated the session",
}

func timelineText(r api.AuditRecord) string {
	who := r.ActorName
	if r.ActorKind == "agent" || r.ActorKind == "system" || who == "" {
		switch r.ActorKind {
		case "agent":
			who = L("End user")
		case "system":
			who = L("System")
		default:
			who = r.ActorKind
		}
	}
	act := r.Action
	if t, ok := actionTitles[act]; ok {
		act = L(t)
	} else {
		act = strings.ReplaceAll(act, "_", " ")
	}
	s := who + " " + act
	detail := r.Detail
	switch r.Action {
	case "chat_message", "consent_denied", "consent_granted":
		detail = "" // a message number or the answer again: nothing for people
	case "file_sent":
		detail, _, _ = strings.Cut(detail, ", sha256")
		detail += ")"
	case "invite", "transfer":
		detail = strings.TrimPrefix(detail, "to ")
	case "consent_requested":
		detail = map[string]string{"view": L("view only"), "control": L("control")}[detail]
	}
	if detail != "" {
		s += " — " + detail
	}
	return s
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// load fetches the session, its messages and timeline.
func (d *detailScreen) load() {
	var (
		s    api.Session
		msgs []api.Message
		tl   []api.AuditRecord
	)
	m := d.c.m
	since := m.Gen()
	d.c.run(func(ctx context.Context, cl Client) error {
		var err error
		if s, err = cl.Session(ctx, d.id); err != nil {
			return err
		}
		m.merge([]api.Session{s}, since)
		if msgs, err = cl.Messages(ctx, d.id); err != nil {
			return err
		}
		tl, err = cl.Timeline(ctx, d.id)
		return err
	}, func(err error) {
		if err != nil {
			d.setStatus(errText(err))
			return
		}
		d.msgs = mergeMessages(d.msgs, msgs)
		d.refreshChat()
		d.timeline = tl
		d.tlList.Refresh()
		d.refreshSession()
	})
}

func (d *detailScreen) loadTimeline() {
	var tl []api.AuditRecord
	d.c.run(func(ctx context.Context, cl Client) error {
		var err error
		tl, err = cl.Timeline(ctx, d.id)
		return err
	}, func(err error) {
		if err == nil {
			d.timeline = tl
			d.tlList.Refresh()
		}
	})
}

func mergeMessages(have, more []api.Message) []api.Message {
	seen := map[int64]bool{}
	for _, m := range have {
		seen[m.ID] = true
	}
	for _, m := range more {
		if !seen[m.ID] {
			have = append(have, m)
			seen[m.ID] = true
		}
	}
	return have
}

func (d *detailScreen) setStatus(msg string) {
	d.status.SetText(msg)
	if msg == "" {
		d.status.Hide()
	} else {
		d.status.Show()
	}
}

// refreshSession redraws from the model's copy of the session.
func (d *detailScreen) refreshSession() {
	s, ok := d.c.m.Session(d.id)
	if ok {
		d.s = s
	}
	s = d.s
	if s.ID == 0 {
		d.title.SetText(L("Loading…"))
		return
	}
	ch := d.c.m.Channel(s.ChannelID)
	chName := d.c.m.channelName(s)
	if chName != "" {
		d.title.SetText(fmt.Sprintf("%s — %s", endUser(s), chName))
	} else {
		d.title.SetText(endUser(s))
	}
	d.win.SetTitle(fmt.Sprintf("%s #%d: %s", L("Session"), s.ID, endUser(s)))
	kinds := map[string]string{"link": "support link", "code": "9-digit code", "sos": "SOS Call"}
	facts := []string{L("State:") + " " + StateText(s.State), L("Assignee:") + " " + d.c.assigneeText(s),
		L("Started by:") + " " + L(kinds[s.Kind]), L("Created:") + " " + s.CreatedAt.Local().Format("Jan 2 15:04")}
	if len(s.Collaborators) > 0 {
		var names []string
		for _, id := range s.Collaborators {
			if n := d.c.m.techName(id); n != "" {
				names = append(names, n)
			}
		}
		facts = append(facts, L("Collaborators:")+" "+strings.Join(names, ", "))
	}
	if !ok && s.ID != 0 {
		facts = append(facts, L("Channel:")+" "+chName)
		d.setStatus(L("This session left your lists (transferred, reassigned or deleted). You can close this window."))
	}
	d.facts.SetText(strings.Join(facts, "   ·   "))

	// Device information, shown before connecting.
	dev := s.Device
	d.device.Items = nil
	row := func(k, v string) {
		if v == "" {
			v = "—"
		}
		l := widget.NewLabel(v)
		l.Wrapping = fyne.TextWrapWord
		d.device.Append(k, l)
	}
	var screens []string
	for _, sc := range dev.Screens {
		t := fmt.Sprintf("%d×%d", sc.Width, sc.Height)
		if sc.Primary {
			t += " (" + L("primary") + ")"
		}
		screens = append(screens, t)
	}
	row(L("System"), osText(dev))
	row(L("Host name"), dev.Hostname)
	row(L("Logged-in user"), dev.User)
	row(L("Screens"), strings.Join(screens, ", "))
	row(L("Local IP"), strings.Join(dev.LocalIPs, ", "))
	row(L("Public IP"), dev.PublicIP)
	if s.AgentJoinedAt == nil {
		row(L("Agent"), L("not started yet — the end user has not opened the link"))
	}
	d.device.Refresh()
	prob := s.Problem
	if prob == "" {
		prob = L("(not given)")
	}
	d.problem.SetText(prob)

	allowed := map[Action]bool{}
	if ok {
		allowed = Allowed(d.c.m.Me(), s, ch)
	}
	for a, b := range d.buttons {
		if allowed[a] {
			b.Show()
		} else {
			b.Hide()
		}
		if d.busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if d.consentID != 0 {
		d.buttons[ActRemote].Disable()
	}
	if allowed[ActTransfer] {
		d.suggest.Show()
	} else {
		d.suggest.Hide()
	}
	if allowed[ActChat] {
		d.chatBox.Show()
		if allowed[ActFiles] {
			d.attach.Show()
		} else {
			d.attach.Hide()
		}
	} else {
		d.chatBox.Hide()
	}
	d.tick()
}

// tick redraws the first-line timer.
func (d *detailScreen) tick() {
	s := d.s
	ch := d.c.m.Channel(s.ChannelID)
	el, over, ok := FirstLine(s, ch, d.c.cfg.Now())
	limit := FirstLineLimit(ch)
	switch {
	case !ok:
		d.timer.SetText(L("First-line timer: not running (the session is not taken)"))
	default:
		d.timer.SetText(fmt.Sprintf("%s %s / %s", L("First-line timer:"), Dur(el), Dur(limit)))
	}
	if ok && over {
		d.overText.SetText(fmt.Sprintf(L("This session passed the first-line limit of %s. Consider transferring it to second line."), Dur(limit)))
		d.overBox.Show()
		d.timer.Importance = widget.DangerImportance
	} else {
		d.overBox.Hide()
		d.timer.Importance = widget.MediumImportance
	}
	d.timer.Refresh()
}

// Over reports whether the session is highlighted as past its first-line limit.
func (d *detailScreen) Over() bool { return d.overBox.Visible() }

func (d *detailScreen) handleEvent(env api.Envelope) {
	switch env.Type {
	case "chat.message":
		var m api.Message
		if json.Unmarshal(env.Data, &m) == nil {
			d.msgs = mergeMessages(d.msgs, []api.Message{m})
			d.refreshChat()
		}
	case "consent.answered":
		var con api.Consent
		if json.Unmarshal(env.Data, &con) == nil {
			d.consentAnswered(con)
		}
		d.loadTimeline()
	case "session.created", "session.updated", "session.deleted", "invitation", "consent.requested":
		d.refreshSession()
		d.loadTimeline()
	}
}

// act runs a session action that answers the session.
func (d *detailScreen) act(call func(ctx context.Context, cl Client) (api.Session, error), after func()) {
	var s api.Session
	d.busy = true
	d.setStatus("")
	d.refreshSession()
	d.c.run(func(ctx context.Context, cl Client) error {
		var err error
		s, err = call(ctx, cl)
		return err
	}, func(err error) {
		d.busy = false
		if err != nil {
			d.setStatus(errText(err))
			d.refreshSession()
			return
		}
		d.c.m.put(s)
		d.s = s
		d.c.refresh(false, true)
		d.loadTimeline()
		if after != nil {
			after()
		}
	})
}

func (d *detailScreen) take() {
	d.c.m.expectSelf(d.id)
	d.act(func(ctx context.Context, cl Client) (api.Session, error) { return cl.Take(ctx, d.id) }, nil)
}

func (d *detailScreen) release() {
	d.act(func(ctx context.Context, cl Client) (api.Session, error) { return cl.Release(ctx, d.id) }, nil)
}

func (d *detailScreen) close() {
	d.act(func(ctx context.Context, cl Client) (api.Session, error) { return cl.Close(ctx, d.id) }, nil)
}

func (d *detailScreen) confirmDelete() {
	c := dialog.NewConfirm(L("Delete session?"),
		L("The session disappears from every list. The audit log keeps its record. This cannot be undone."),
		func(ok bool) {
			if ok {
				d.delete()
			}
		}, d.win)
	c.SetConfirmText(L("Delete"))
	c.SetDismissText(L("Cancel"))
	c.SetConfirmImportance(widget.DangerImportance)
	c.Show()
}

func (d *detailScreen) delete() {
	d.busy = true
	d.refreshSession()
	d.c.run(func(ctx context.Context, cl Client) error { return cl.Delete(ctx, d.id) }, func(err error) {
		d.busy = false
		if err != nil {
			d.setStatus(errText(err))
			d.refreshSession()
			return
		}
		d.c.m.remove(d.id)
		d.c.refresh(false, true)
		d.win.Close()
	})
}

func (d *detailScreen) sendMessage() {
	text := strings.TrimSpace(d.entry.Text)
	if text == "" {
		return
	}
	d.entry.SetText("")
	var m api.Message
	d.c.run(func(ctx context.Context, cl Client) error {
		var err error
		m, err = cl.PostMessage(ctx, d.id, text)
		return err
	}, func(err error) {
		if err != nil {
			d.entry.SetText(text)
			d.setStatus(L("Message not sent:") + " " + errText(err))
			return
		}
		d.setStatus("")
		d.msgs = mergeMessages(d.msgs, []api.Message{m})
		d.refreshChat()
	})
}

func (d *detailScreen) showProgress(label string, done, total int64) {
	prog := d.chatBox.Objects[0]
	if total <= 0 {
		prog.Hide()
		return
	}
	d.progText.SetText(label)
	d.progress.Max = float64(total)
	d.progress.SetValue(float64(done))
	prog.Show()
}

func (d *detailScreen) pickFile() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		var size int64
		if fi, err := os.Stat(r.URI().Path()); err == nil {
			size = fi.Size()
		}
		d.upload(r.URI().Name(), r, size)
	}, d.win)
}

// upload sends r as an attachment with a progress bar; r is closed.
func (d *detailScreen) upload(name string, r fyne.URIReadCloser, size int64) {
	label := L("Sending") + " " + name
	d.showProgress(label, 0, max(size, 1))
	var m api.Message
	last := time.Time{}
	d.c.run(func(ctx context.Context, cl Client) error {
		defer r.Close()
		var err error
		m, err = cl.SendFile(ctx, d.id, name, r, size, func(sent int64) {
			if time.Since(last) < 50*time.Millisecond && sent < size {
				return
			}
			last = time.Now()
			d.c.ui(func() { d.showProgress(label, sent, max(size, sent, 1)) })
		})
		return err
	}, func(err error) {
		d.showProgress("", 0, 0)
		if err != nil {
			d.setStatus(L("File not sent:") + " " + errText(err))
			return
		}
		d.msgs = mergeMessages(d.msgs, []api.Message{m})
		d.refreshChat()
	})
}

func (d *detailScreen) download(a api.Attachment) {
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		label := L("Receiving") + " " + a.Name
		d.showProgress(label, 0, max(a.Size, 1))
		last := time.Time{}
		d.c.run(func(ctx context.Context, cl Client) error {
			defer w.Close()
			return cl.DownloadFile(ctx, a.ID, w, func(n int64) {
				if time.Since(last) < 50*time.Millisecond && n < a.Size {
					return
				}
				last = time.Now()
				d.c.ui(func() { d.showProgress(label, n, max(a.Size, n, 1)) })
			})
		}, func(err error) {
			d.showProgress("", 0, 0)
			if err != nil {
				d.setStatus(L("Download failed:") + " " + errText(err))
			}
		})
	}, d.win)
	save.SetFileName(a.Name)
	save.Show()
}

// Remote session.

func (d *detailScreen) showRemote() {
	opts := []string{L("View only")}
	if CanControl(d.c.m.Me()) {
		opts = append(opts, L("Control (mouse and keyboard)"))
	}
	mode := widget.NewRadioGroup(opts, nil)
	mode.Required = true
	mode.SetSelected(opts[len(opts)-1])
	info := widget.NewLabel(L("The end user is asked to allow it on their screen."))
	info.Wrapping = fyne.TextWrapWord
	dlg := dialog.NewCustomConfirm(L("Start remote session"), L("Ask the end user"), L("Cancel"),
		container.NewVBox(mode, info), func(ok bool) {
			if !ok {
				return
			}
			m := "view"
			if mode.Selected != opts[0] {
				m = "control"
			}
			d.RequestRemote(m)
		}, d.win)
	dlg.Resize(fyne.NewSize(420, 220))
	dlg.Show()
}

// RequestRemote asks the end user to allow "view" or "control".
func (d *detailScreen) RequestRemote(mode string) {
	var con api.Consent
	d.consentID = -1
	d.setRemote(L("Asking the end user…"), true)
	d.refreshSession()
	d.c.run(func(ctx context.Context, cl Client) error {
		var err error
		con, err = cl.RequestRemote(ctx, d.id, mode)
		return err
	}, func(err error) {
		if err != nil {
			d.consentID = 0
			d.setRemote("", false)
			d.setStatus(L("Remote session not requested:") + " " + errText(err))
			d.refreshSession()
			return
		}
		d.consentID = con.ID
		d.setRemote(L("Waiting for the end user to allow…"), true)
		// The viewer opens now: it must listen for the agent's offer,
		// which follows the end user's answer at once.
		if d.c.cfg.OpenViewer != nil {
			if err := d.c.cfg.OpenViewer(d.s, mode, con.ID); err != nil {
				d.setStatus(L("The remote viewer could not open:") + " " + err.Error())
			}
		}
		if a, ok := d.answered[con.ID]; ok {
			d.consentAnswered(a)
		}
	})
}

func (d *detailScreen) setRemote(msg string, waiting bool) {
	d.remote.Importance = widget.MediumImportance
	d.remote.SetText(msg)
	if msg == "" {
		d.remote.Hide()
	} else {
		d.remote.Show()
	}
	if waiting {
		d.remoteBusy.Show()
		d.remoteBusy.Start()
	} else {
		d.remoteBusy.Stop()
		d.remoteBusy.Hide()
	}
}

// RemoteStatus is the remote session line as shown.
func (d *detailScreen) RemoteStatus() string { return d.remote.Text }

func (d *detailScreen) consentAnswered(con api.Consent) {
	if con.ID != d.consentID {
		if d.consentID == -1 {
			d.answered[con.ID] = con // our request has not returned yet
		}
		return
	}
	d.consentID = 0
	switch con.Answer {
	case "allow_view", "allow_control":
		mode := "view"
		if con.Answer == "allow_control" {
			mode = "control"
		}
		what := map[string]string{"view": L("view the screen"), "control": L("control the computer")}[mode]
		d.setRemote(L("The end user allowed you to")+" "+what+". "+L("The remote viewer window connects."), false)
	case "deny":
		d.setRemote(L("The end user denied the remote session request (or did not answer in time)."), false)
		d.remote.Importance = widget.WarningImportance
		d.remote.Refresh()
	}
	d.refreshSession()
}

// Technician pickers.

// loadTechs fetches technicians and calls done on the UI goroutine.
func (d *detailScreen) loadTechs(done func([]api.Account)) {
	var list []api.Account
	d.c.run(func(ctx context.Context, cl Client) error {
		var err error
		list, err = cl.ListTechnicians(ctx)
		return err
	}, func(err error) {
		if err != nil {
			d.setStatus(L("Could not list technicians:") + " " + errText(err))
			return
		}
		d.c.m.setTechnicians(list)
		done(list)
	})
}

func techLabel(a api.Account) string {
	return fmt.Sprintf("%s (%s)", a.Name, L(availabilityTitles[a.Availability]))
}

// workers lists the technicians who may work sessions of the channel, without excluded ones.
func workers(list []api.Account, ch *api.Channel, exclude func(int64) bool) []api.Account {
	var out []api.Account
	defer func() {
		rank := map[string]int{"available": 0, "busy": 1, "away": 2}
		sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Availability] < rank[out[j].Availability] })
	}()
	for _, a := range list {
		if a.Disabled || exclude(a.ID) {
			continue
		}
		if ch != nil && !routedTo(a, ch) && !manages(a, ch) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (d *detailScreen) showTransfer() {
	var targets []api.TransferTarget
	d.c.run(func(ctx context.Context, cl Client) error {
		var err error
		targets, err = cl.TransferTargets(ctx, d.id)
		d.c.m.learnChannelNames(targets) // names for sessions that move to channels I cannot see
		return err
	}, func(err error) {
		if err != nil {
			d.setStatus(L("Could not list where to transfer:") + " " + errText(err))
			return
		}
		d.showTransferWith(targets)
	})
}

// transferOptions splits the broker's targets into the other channels
// (for the channel picker) and the session's own channel (whose
// technicians are offered when the channel is kept).
func transferOptions(targets []api.TransferTarget, current int64) (others []api.TransferTarget, own api.TransferTarget) {
	for _, t := range targets {
		if t.ChannelID == current {
			own = t
		} else {
			others = append(others, t)
		}
	}
	return others, own
}

func (d *detailScreen) showTransferWith(targets []api.TransferTarget) {
	s := d.s
	others, own := transferOptions(targets, s.ChannelID)
	chOpts := []string{L("(keep the channel)")}
	for _, t := range others {
		chOpts = append(chOpts, t.ChannelName)
	}
	chSel := widget.NewSelect(chOpts, nil)
	chSel.SetSelectedIndex(0)
	techSel := widget.NewSelect(nil, nil)
	var techs []api.TargetAccount
	fillTechs := func() {
		dest := own
		if i := chSel.SelectedIndex(); i > 0 {
			dest = others[i-1]
		}
		techs = techs[:0]
		for _, a := range dest.Technicians {
			if a.ID != s.AssigneeID {
				techs = append(techs, a)
			}
		}
		rank := map[string]int{"available": 0, "busy": 1, "away": 2}
		sort.SliceStable(techs, func(i, j int) bool { return rank[techs[i].Availability] < rank[techs[j].Availability] })
		opts := []string{L("(anyone: into the channel's queue)")}
		for _, a := range techs {
			opts = append(opts, fmt.Sprintf("%s (%s)", a.Name, L(availabilityTitles[a.Availability])))
		}
		techSel.SetOptions(opts)
		techSel.SetSelectedIndex(0)
	}
	fillTechs()
	chSel.OnChanged = func(string) { fillTechs() }
	help := widget.NewLabel(L("Pick another technician, another channel (e.g. second line), or both."))
	help.Wrapping = fyne.TextWrapWord
	form := []*widget.FormItem{
		widget.NewFormItem("", help),
		widget.NewFormItem(L("Channel"), chSel),
		widget.NewFormItem(L("Technician"), techSel),
	}
	dlg := dialog.NewForm(L("Transfer session"), L("Transfer"), L("Cancel"), form, func(ok bool) {
		if !ok {
			return
		}
		var req api.TransferRequest
		if i := chSel.SelectedIndex(); i > 0 {
			req.ChannelID = others[i-1].ChannelID
		}
		if i := techSel.SelectedIndex(); i > 0 {
			req.TechnicianID = techs[i-1].ID
		}
		if req == (api.TransferRequest{}) {
			d.setStatus(L("Choose a technician or a channel to transfer to."))
			return
		}
		d.Transfer(req)
	}, d.win)
	dlg.Resize(fyne.NewSize(520, 300))
	dlg.Show()
}

// Transfer hands the session on.
func (d *detailScreen) Transfer(req api.TransferRequest) {
	d.act(func(ctx context.Context, cl Client) (api.Session, error) { return cl.Transfer(ctx, d.id, req) }, nil)
}

func (d *detailScreen) showInvite() {
	d.loadTechs(func(all []api.Account) {
		s := d.s
		techs := workers(all, d.c.m.Channel(s.ChannelID), func(id int64) bool {
			return id == s.AssigneeID || containsID(s.Collaborators, id)
		})
		if len(techs) == 0 {
			dialog.ShowInformation(L("Invite technician"), L("No other technician can work sessions of this channel."), d.win)
			return
		}
		var opts []string
		for _, a := range techs {
			opts = append(opts, techLabel(a))
		}
		sel := widget.NewSelect(opts, nil)
		sel.SetSelectedIndex(0)
		dlg := dialog.NewForm(L("Invite a technician to collaborate"), L("Invite"), L("Cancel"),
			[]*widget.FormItem{widget.NewFormItem(L("Technician"), sel)}, func(ok bool) {
				if ok && sel.SelectedIndex() >= 0 {
					d.Invite(techs[sel.SelectedIndex()].ID)
				}
			}, d.win)
		dlg.Resize(fyne.NewSize(440, 200))
		dlg.Show()
	})
}

// Invite adds a collaborator.
func (d *detailScreen) Invite(id int64) {
	d.act(func(ctx context.Context, cl Client) (api.Session, error) { return cl.Invite(ctx, d.id, id) }, nil)
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

var _ = layout.NewSpacer
