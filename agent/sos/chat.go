package sos

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
)

// fileRow is a file in the chat: its progress and outcome.
type fileRow struct {
	bar    *widget.ProgressBar
	status *widget.Label
	show   *widget.Button
	path   string // where a received file was saved
}

// showSession is the session screen: the trust banner and the chat. It is
// built once, so the chat survives other screens (a released session).
func (a *App) showSession() {
	u := &a.ui
	if u.session == nil {
		u.chatBox = container.NewVBox()
		u.chatScroll = container.NewVScroll(u.chatBox)
		u.chatEntry = widget.NewEntry()
		u.chatEntry.SetPlaceHolder(lang.L("Write a message…"))
		u.chatEntry.OnSubmitted = func(string) { a.sendText() }
		u.sendBtn = widget.NewButtonWithIcon("", theme.MailSendIcon(), a.sendText)
		u.sendBtn.Importance = widget.HighImportance
		u.fileBtn = widget.NewButtonWithIcon(lang.L("Send a file…"), theme.UploadIcon(), a.pickFile)
		u.fileBtn.Importance = widget.LowImportance
		bottom := container.NewVBox(container.NewBorder(nil, nil, nil, u.sendBtn, u.chatEntry), container.NewHBox(u.fileBtn))
		hint := wrapLabel(lang.L("Your technician writes to you here. Nobody can see your screen until you allow it."))
		hint.Importance = widget.LowImportance
		u.chatBox.Add(hint)
		head := widget.NewLabelWithStyle(lang.L("Chat with your technician"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		u.session = container.NewPadded(container.NewBorder(container.NewVBox(u.banner, head), bottom, nil, nil, u.chatScroll))
	}
	if u.screen == ScreenSession {
		return
	}
	a.setBody(ScreenSession, u.session)
	u.chatEntry.Enable()
}

// addNotice adds a line from the agent itself to the chat (sharing
// started or ended, refusals, errors).
func (a *App) addNotice(text string, isErr bool) {
	a.showSession()
	l := wrapLabel(text)
	l.TextStyle.Italic = !isErr
	l.TextStyle.Bold = isErr
	if isErr {
		l.Importance = widget.DangerImportance
	} else {
		l.Importance = widget.WarningImportance
	}
	a.appendChat(l)
}

func (a *App) appendChat(o fyne.CanvasObject) {
	u := &a.ui
	u.chatBox.Add(o)
	u.chatScroll.ScrollToBottom()
}

// ChatText returns the chat as text, one line per entry (tests).
func (a *App) ChatText() string {
	if a.ui.chatBox == nil {
		return ""
	}
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(a.ui.chatBox)
	return b.String()
}

// onMessage shows a chat message once; a file from a technician is saved
// in Downloads.
func (a *App) onMessage(m api.Message, live bool) {
	a.mu.Lock()
	if a.seen[m.ID] {
		a.mu.Unlock()
		return
	}
	a.seen[m.ID] = true
	a.mu.Unlock()
	a.do(func() { a.showMessage(m, live) })
}

func (a *App) showMessage(m api.Message, live bool) {
	a.showSession()
	who := m.FromName
	if m.From == api.FromAgent {
		who = lang.L("You")
	}
	head := widget.NewLabelWithStyle(fmt.Sprintf("%s · %s", who, m.At.Local().Format("15:04")), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if m.From == api.FromAgent {
		head.Importance = widget.LowImportance
	}
	row := container.NewVBox(head)
	if m.Text != "" {
		row.Add(wrapLabel(m.Text))
	}
	if att := m.Attachment; att != nil {
		name := wrapLabel("📄 " + att.Name + " (" + humanSize(att.Size) + ")")
		row.Add(name)
		if m.From != api.FromAgent {
			fr := &fileRow{bar: widget.NewProgressBar(), status: wrapLabel("")}
			fr.show = widget.NewButtonWithIcon(lang.L("Show in folder"), theme.FolderOpenIcon(), func() {
				if a.cfg.OpenFolder != nil {
					a.cfg.OpenFolder(filepath.Dir(fr.path))
				}
			})
			fr.show.Hide()
			a.ui.files[m.ID] = fr
			row.Add(fr.bar)
			row.Add(fr.status)
			row.Add(fr.show)
			if live {
				a.download(m, fr)
			} else {
				fr.bar.Hide()
				fr.status.SetText(lang.L("Sent earlier in this session."))
			}
		}
	}
	a.appendChat(row)
}

// download saves a received file in Downloads under a safe, new name.
func (a *App) download(m api.Message, fr *fileRow) {
	b := a.currentBroker()
	att := *m.Attachment
	fr.status.SetText(lang.L("Saving to your Downloads folder…"))
	a.goroutine(func(ctx context.Context) {
		path, err := a.saveFile(ctx, b, att, func(n int64) {
			if att.Size > 0 {
				v := float64(n) / float64(att.Size)
				a.do(func() { fr.bar.SetValue(v) })
			}
		})
		a.do(func() {
			if err != nil {
				fr.bar.Hide()
				fr.status.Importance = widget.DangerImportance
				fr.status.SetText(lang.L("Could not save the file: ") + err.Error())
				return
			}
			fr.bar.SetValue(1)
			fr.path = path
			fr.status.SetText(lang.L("Saved in Downloads as {{.Name}}", map[string]string{"Name": filepath.Base(path)}))
			if a.cfg.OpenFolder != nil {
				fr.show.Show()
			}
		})
	})
}

func (a *App) saveFile(ctx context.Context, b Broker, att api.Attachment, progress func(int64)) (string, error) {
	if a.cfg.Downloads == "" {
		return "", fmt.Errorf("%s", lang.L("no Downloads folder"))
	}
	f, err := createUnique(a.cfg.Downloads, att.Name)
	if err != nil {
		return "", err
	}
	err = b.AgentDownloadFile(ctx, att.ID, f, progress)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// sendText posts the chat entry's text.
func (a *App) sendText() {
	u := &a.ui
	text := strings.TrimSpace(u.chatEntry.Text)
	if text == "" {
		return
	}
	u.chatEntry.SetText("")
	b := a.currentBroker()
	a.goroutine(func(ctx context.Context) {
		m, err := b.AgentPostMessage(ctx, text)
		if err != nil {
			a.do(func() {
				u.chatEntry.SetText(text) // nothing is lost
				a.addNotice(lang.L("Your message could not be sent: ")+describe(err), true)
			})
			return
		}
		a.onMessage(*m, true)
	})
}

func (a *App) pickFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		a.SendFile(path)
	}, a.win)
	d.Resize(fyne.NewSize(420, 500))
	d.Show()
}

// SendFile sends a local file to the technician, with a progress bar; a
// refusal (type or size the channel does not allow) is shown in the chat.
func (a *App) SendFile(path string) {
	f, err := os.Open(path)
	if err != nil {
		a.addNotice(lang.L("Could not open the file: ")+err.Error(), true)
		return
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		a.addNotice(lang.L("Only files can be sent."), true)
		return
	}
	name := filepath.Base(path)
	fr := &fileRow{bar: widget.NewProgressBar(), status: wrapLabel(lang.L("Sending {{.Name}}…", map[string]string{"Name": name}))}
	a.appendChat(container.NewVBox(fr.status, fr.bar))
	b := a.currentBroker()
	size := st.Size()
	a.goroutine(func(ctx context.Context) {
		defer f.Close()
		m, err := b.AgentSendFile(ctx, name, f, size, func(n int64) {
			if size > 0 {
				v := float64(n) / float64(size)
				a.do(func() { fr.bar.SetValue(v) })
			}
		})
		a.do(func() {
			if err != nil {
				fr.bar.Hide()
				fr.status.Importance = widget.DangerImportance
				fr.status.TextStyle.Bold = true
				fr.status.SetText(lang.L("{{.Name}} was not sent: ", map[string]string{"Name": name}) + describe(err))
				return
			}
			fr.bar.SetValue(1)
			fr.status.SetText(lang.L("{{.Name}} was sent.", map[string]string{"Name": name}))
		})
		if err == nil {
			a.onMessage(*m, true)
		}
	})
}

// describe turns an error into words for the end user: the broker's own
// message (it is meant for people), or a network hint.
func describe(err error) string {
	if msg := errText(err); msg != "" {
		return sentence(msg)
	}
	if errCode(err) == "" {
		return lang.L("the support server cannot be reached.")
	}
	return err.Error()
}

var _ io.Writer = (*os.File)(nil)
