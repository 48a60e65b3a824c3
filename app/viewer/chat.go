package viewer

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
)

// chatPanel is the session's chat beside the remote screen.
type chatPanel struct {
	w       *Window
	content *fyne.Container

	list     *fyne.Container
	scroll   *container.Scroll
	entry    *widget.Entry
	progress *widget.ProgressBar
	progLbl  *widget.Label
	progBox  *fyne.Container

	seen map[int64]bool // message ids shown (UI goroutine)

	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

func newChatPanel(w *Window) *chatPanel {
	c := &chatPanel{w: w, seen: map[int64]bool{}}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.list = container.NewVBox()
	c.scroll = container.NewVScroll(c.list)
	c.entry = widget.NewEntry()
	c.entry.SetPlaceHolder(lang.L("Message to the end user"))
	c.entry.OnSubmitted = func(string) { c.post() }
	send := widget.NewButtonWithIcon("", theme.MailSendIcon(), c.post)
	c.progress = widget.NewProgressBar()
	c.progLbl = widget.NewLabel("")
	c.progBox = container.NewVBox(c.progLbl, c.progress)
	c.progBox.Hide()
	bottom := container.NewVBox(c.progBox, container.NewBorder(nil, nil, nil, send, c.entry))
	c.content = container.NewBorder(
		widget.NewLabelWithStyle(lang.L("Chat"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		bottom, nil, nil, c.scroll)
	c.load()
	return c
}

// load fetches the chat history in the background.
func (c *chatPanel) load() {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, 15*time.Second)
		defer cancel()
		msgs, err := c.w.cfg.Client.Messages(ctx, c.w.cfg.Session.ID, 0)
		if err != nil {
			if c.ctx.Err() == nil {
				c.w.log.Warn("load chat", "err", err)
			}
			return
		}
		fyne.Do(func() {
			for _, m := range msgs {
				c.add(m)
			}
		})
	}()
}

func (c *chatPanel) stop() {
	c.cancel()
	c.wg.Wait()
}

func (c *chatPanel) focus() {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c.entry); cv != nil {
		cv.Focus(c.entry)
	}
}

// add shows a message once, in id order as they come.
func (c *chatPanel) add(m api.Message) {
	if m.ID != 0 && c.seen[m.ID] {
		return
	}
	c.seen[m.ID] = true
	who := m.FromName
	if who == "" {
		who = m.From
	}
	head := widget.NewLabelWithStyle(fmt.Sprintf("%s · %s", who, m.At.Local().Format("15:04")), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if m.From == api.FromAgent {
		head.Importance = widget.HighImportance
	}
	text := m.Text
	if m.Attachment != nil {
		if text != "" {
			text += "\n"
		}
		text += fmt.Sprintf(lang.L("File: %s (%s)"), m.Attachment.Name, formatSize(m.Attachment.Size))
	}
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	c.list.Add(container.NewVBox(head, body))
	c.scroll.ScrollToBottom()
	if !c.content.Visible() && m.From == api.FromAgent {
		c.w.tb.chatToggle.Importance = widget.HighImportance // unread from the end user
		c.w.tb.chatToggle.Refresh()
	}
}

// texts returns the shown messages as text (tests).
func (c *chatPanel) texts() []string {
	var out []string
	for _, o := range c.list.Objects {
		box := o.(*fyne.Container)
		out = append(out, box.Objects[1].(*widget.Label).Text)
	}
	return out
}

func (c *chatPanel) post() {
	text := strings.TrimSpace(c.entry.Text)
	if text == "" {
		return
	}
	c.entry.SetText("")
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, 15*time.Second)
		defer cancel()
		m, err := c.w.cfg.Client.PostMessage(ctx, c.w.cfg.Session.ID, text)
		fyne.Do(func() {
			if err != nil {
				c.entry.SetText(text) // keep what was typed
				dialog.ShowError(fmt.Errorf("%s: %w", lang.L("The message was not sent"), err), c.w.win)
				return
			}
			c.add(*m)
		})
	}()
}

// pickFile asks for a file and sends it.
func (c *chatPanel) pickFile() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(err, c.w.win)
			return
		}
		if r == nil {
			return
		}
		size := int64(-1)
		if r.URI().Scheme() == "file" {
			if fi, err := os.Stat(r.URI().Path()); err == nil {
				size = fi.Size()
			}
		}
		c.sendFile(r.URI().Name(), r, size)
	}, c.w.win)
}

// sendFile uploads r as a chat attachment of the session with a progress
// bar; it closes r.
func (c *chatPanel) sendFile(name string, r io.ReadCloser, size int64) {
	if !c.content.Visible() {
		c.w.tb.toggleChat()
	}
	c.progLbl.SetText(fmt.Sprintf(lang.L("Sending %s…"), name))
	c.progress.SetValue(0)
	c.progBox.Show()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer r.Close()
		var last time.Time
		m, err := c.w.cfg.Client.SendFile(c.ctx, c.w.cfg.Session.ID, name, r, size, func(sent, total int64) {
			if total <= 0 || (time.Since(last) < 50*time.Millisecond && sent < total) {
				return
			}
			last = time.Now()
			v := float64(sent) / float64(total)
			fyne.Do(func() { c.progress.SetValue(v) })
		})
		fyne.Do(func() {
			c.progBox.Hide()
			if err != nil {
				if c.ctx.Err() == nil {
					dialog.ShowError(fmt.Errorf("%s: %w", fmt.Sprintf(lang.L("%s was not sent"), name), err), c.w.win)
				}
				return
			}
			c.add(*m)
		})
	}()
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
