package console

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
)

// newSessionDialog creates a support link: channel, optional end user
// name, then the link with a Copy button.
type newSessionDialog struct {
	c       *Console
	dlg     *dialog.CustomDialog
	channel *widget.Select
	name    *widget.Entry
	problem *widget.Entry
	create  *widget.Button
	status  *widget.Label
	link    *widget.Entry
	copyBtn *widget.Button
	result  *fyne.Container
	chans   []api.Channel
}

func (c *Console) showNewSession(channelID int64) *newSessionDialog {
	d := &newSessionDialog{c: c}
	me := c.m.Me()
	var opts []string
	for _, ch := range c.m.Channels() {
		if CanCreate(me, ch) {
			d.chans = append(d.chans, ch)
			opts = append(opts, ch.Name)
		}
	}
	d.channel = widget.NewSelect(opts, nil)
	d.channel.PlaceHolder = L("(choose a channel)")
	for i, ch := range d.chans {
		if ch.ID == channelID || channelID == 0 && len(d.chans) == 1 {
			d.channel.SetSelectedIndex(i)
		}
	}
	d.name = widget.NewEntry()
	d.name.SetPlaceHolder(L("optional, e.g. Aaron Miller"))
	d.problem = widget.NewEntry()
	d.problem.SetPlaceHolder(L("optional"))
	d.create = widget.NewButtonWithIcon(L("Create link"), theme.ContentAddIcon(), d.submit)
	d.create.Importance = widget.HighImportance
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Importance = widget.DangerImportance
	d.status.Hide()

	d.link = widget.NewEntry()
	d.copyBtn = widget.NewButtonWithIcon(L("Copy"), theme.ContentCopyIcon(), func() {
		c.cfg.App.Clipboard().SetContent(d.link.Text)
		d.copyBtn.SetText(L("Copied"))
	})
	linkHelp := widget.NewLabel(L("Send this link to the end user. Opening it offers the Tether agent; once it runs, the session turns Active in your Home list — they type no code."))
	linkHelp.Wrapping = fyne.TextWrapWord
	d.result = container.NewVBox(widget.NewSeparator(), widget.NewLabelWithStyle(L("Support link"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, d.copyBtn, d.link), linkHelp)
	d.result.Hide()

	form := widget.NewForm(
		widget.NewFormItem(L("Channel"), d.channel),
		widget.NewFormItem(L("End user name"), d.name),
		widget.NewFormItem(L("Problem"), d.problem),
	)
	content := container.NewVBox(form, d.create, d.status, d.result)
	d.dlg = dialog.NewCustom(L("New session"), L("Done"), content, c.cfg.Window)
	d.dlg.Resize(fyne.NewSize(560, 420))
	d.dlg.Show()
	if len(d.chans) == 0 {
		d.setStatus(L("You may not create sessions in any channel."))
		d.create.Disable()
	}
	return d
}

func (d *newSessionDialog) setStatus(msg string) {
	d.status.SetText(msg)
	if msg == "" {
		d.status.Hide()
	} else {
		d.status.Show()
	}
}

func (d *newSessionDialog) submit() {
	i := d.channel.SelectedIndex()
	if i < 0 {
		d.setStatus(L("Choose a channel."))
		return
	}
	req := api.CreateLinkRequest{ChannelID: d.chans[i].ID, EndUserName: d.name.Text, Problem: d.problem.Text}
	d.create.Disable()
	d.setStatus("")
	var resp api.CreateLinkResponse
	d.c.run(func(ctx context.Context, cl Client) error {
		var err error
		resp, err = cl.CreateLink(ctx, req)
		return err
	}, func(err error) {
		d.create.Enable()
		if err != nil {
			d.setStatus(errText(err))
			return
		}
		d.c.m.put(resp.Session)
		d.c.refresh(false, true)
		d.link.SetText(resp.LinkURL)
		d.copyBtn.SetText(L("Copy"))
		d.result.Show()
		d.create.SetText(L("Create another link"))
	})
}

// codeDialog claims a 9-digit code.
type codeDialog struct {
	c       *Console
	dlg     *dialog.CustomDialog
	code    *widget.Entry
	hint    *widget.Label
	claim   *widget.Button
	status  *widget.Label
	channel *widget.Select
	chans   []api.Channel
}

func (c *Console) showConnectByCode() {
	d := c.newCodeDialog()
	d.dlg.Show()
	c.cfg.Window.Canvas().Focus(d.code)
}

func (c *Console) newCodeDialog() *codeDialog {
	d := &codeDialog{c: c}
	d.code = widget.NewEntry()
	d.code.SetPlaceHolder(L("e.g. 123 456 789"))
	intro := widget.NewLabel(L("Ask the end user for the 9-digit code shown in their Tether agent."))
	intro.Wrapping = fyne.TextWrapWord
	d.hint = widget.NewLabel(L("Digits only; spaces between groups of three are fine."))
	d.hint.Importance = widget.LowImportance
	d.code.OnChanged = func(string) { d.validate() }
	d.code.OnSubmitted = func(string) { d.submit() }
	d.claim = widget.NewButtonWithIcon(L("Connect"), theme.LoginIcon(), d.submit)
	d.claim.Importance = widget.HighImportance
	d.claim.Disable()
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Importance = widget.DangerImportance
	me := c.m.Me()
	opts := []string{L("(first channel routed to me)")}
	for _, ch := range c.m.Channels() {
		if routedTo(me, &ch) || manages(me, &ch) {
			d.chans = append(d.chans, ch)
			opts = append(opts, ch.Name)
		}
	}
	d.channel = widget.NewSelect(opts, nil)
	d.channel.SetSelectedIndex(0)
	form := widget.NewForm(widget.NewFormItem(L("Session code"), container.NewVBox(d.code, d.hint)))
	if len(d.chans) > 1 {
		form.Append(L("Into channel"), d.channel)
	}
	d.dlg = dialog.NewCustom(L("Connect by code"), L("Cancel"), container.NewVBox(intro, form, d.claim, d.status), c.cfg.Window)
	d.dlg.Resize(fyne.NewSize(480, 300))
	return d
}

// validate checks the field as the technician types.
func (d *codeDialog) validate() {
	digits, err := ParseCode(d.code.Text)
	switch {
	case err == nil:
		d.hint.SetText(L("Code complete — press Connect."))
		d.hint.Importance = widget.SuccessImportance
		d.claim.Enable()
	case errors.Is(err, ErrCodeIncomplete):
		d.hint.SetText(Lf("{{.N}} of 9 digits.", map[string]any{"N": len(digits)}))
		d.hint.Importance = widget.MediumImportance
		d.claim.Disable()
	default:
		d.hint.SetText(L("Only digits, optionally in groups of three: 123 456 789."))
		d.hint.Importance = widget.DangerImportance
		d.claim.Disable()
	}
	d.hint.Refresh()
}

func (d *codeDialog) submit() {
	code, err := ParseCode(d.code.Text)
	if err != nil || d.claim.Disabled() {
		return
	}
	var chID int64
	if i := d.channel.SelectedIndex(); i > 0 {
		chID = d.chans[i-1].ID
	}
	d.claim.Disable()
	d.status.SetText("")
	var s api.Session
	d.c.run(func(ctx context.Context, cl Client) error {
		s, err = cl.ClaimCode(ctx, code, chID)
		return err
	}, func(err error) {
		if err != nil {
			d.claim.Enable()
			d.status.SetText(codeError(err))
			return
		}
		d.c.m.put(s)
		d.c.refresh(false, true)
		d.dlg.Hide()
		d.c.openDetail(s.ID)
	})
}

func codeError(err error) string {
	if errText(err) == "" {
		return ""
	}
	if isCode(err, "not_found") || isCode(err, "gone") {
		return L("No session has this code. Check the digits with the end user; a code works once and expires.")
	}
	return errText(err)
}
