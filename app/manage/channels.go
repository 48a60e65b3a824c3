package manage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// channelsTab lists the channels the lead may see and edits one at a time.
type channelsTab struct {
	s       *Screens
	content fyne.CanvasObject

	list    *widget.List
	current int64 // channel being edited; 0 for a new one
	editing bool  // the form shows a channel or a new one

	title                   *widget.Label
	name, desc              *widget.Entry
	groups, techs, managers *idPicker
	expiration, sla, first  *widget.Entry
	sos                     *widget.Check
	fileTypes, maxSize      *widget.Entry
	save, del, newBtn       *widget.Button
	readOnly                *widget.Label
	form                    *fyne.Container
	placeholder             *widget.Label
	managersBox             *fyne.Container
}

func newChannelsTab(s *Screens) *channelsTab {
	t := &channelsTab{s: s}
	t.list = nameList("Channel name placeholder", func() []api.Channel { return s.chanList },
		func(x api.Channel) string { return x.Name }, t.show)

	t.title = heading("")
	t.name = widget.NewEntry()
	t.name.SetPlaceHolder(lang.L("e.g. Design department"))
	t.desc = widget.NewMultiLineEntry()
	t.desc.SetMinRowsVisible(2)
	t.desc.SetPlaceHolder(lang.L("Who this channel is for"))
	t.groups = newIDPicker(lang.L("No groups yet"))
	t.techs = newIDPicker(lang.L("No technicians yet"))
	t.managers = newIDPicker(lang.L("No channel managers yet (give a technician the Channel manager role first)"))
	t.expiration = numberEntry("24")
	t.sla = numberEntry(formatNumber(desk.DefaultSLAResponse.Minutes()))
	t.first = numberEntry("15")
	t.sos = widget.NewCheck(lang.L("Accept SOS Calls (end users start a request themselves)"), nil)
	t.fileTypes = widget.NewEntry()
	t.fileTypes.SetPlaceHolder(strings.Join(desk.DefaultFileTypes, ", "))
	t.maxSize = numberEntry(formatNumber(float64(desk.DefaultMaxFileSize) / (1 << 20)))
	t.readOnly = hint(lang.L("You can see this channel but only its managers may change it."))

	t.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), t.submit)
	t.save.Importance = widget.HighImportance
	t.del = widget.NewButtonWithIcon(lang.L("Delete channel"), theme.DeleteIcon(), t.confirmDelete)
	t.del.Importance = widget.DangerImportance
	t.newBtn = widget.NewButtonWithIcon(lang.L("New channel"), theme.ContentAddIcon(), t.startNew)
	if !s.canManageAccounts() {
		t.newBtn.Hide()
	}

	t.managersBox = container.NewVBox(widget.NewLabel(lang.L("Channel managers")), t.managers.box,
		hint(lang.L("Technical managers and owners manage every channel.")))
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Name"), t.name),
		widget.NewFormItem(lang.L("Description"), t.desc),
		widget.NewFormItem(lang.L("Waiting sessions expire after (hours)"), t.expiration),
		widget.NewFormItem(lang.L("SLA: first response within (minutes)"), t.sla),
		widget.NewFormItem(lang.L("First line may work a session for (minutes)"), t.first),
		widget.NewFormItem(lang.L("Allowed file types"), t.fileTypes),
		widget.NewFormItem(lang.L("Largest file (MB)"), t.maxSize),
	)
	routing := container.NewGridWithColumns(3,
		container.NewVBox(widget.NewLabel(lang.L("Routed to groups")), t.groups.box),
		container.NewVBox(widget.NewLabel(lang.L("Routed to single technicians")), t.techs.box),
		t.managersBox,
	)
	t.form = container.NewVBox(
		t.title, t.readOnly, form,
		hint(lang.L("Empty fields take the defaults shown in grey. Times are at least one minute.")),
		t.sos, widget.NewSeparator(), routing, widget.NewSeparator(),
		container.NewHBox(t.save, t.del),
	)
	t.placeholder = hint(lang.L("Pick a channel on the left to see and change its settings."))
	t.form.Hide()

	left := container.NewBorder(container.NewPadded(t.newBtn), nil, nil, nil, t.list)
	right := container.NewStack(container.NewPadded(t.placeholder), container.NewVScroll(container.NewPadded(t.form)))
	split := container.NewHSplit(left, right)
	split.Offset = 0.25
	t.content = split
	return t
}

// setData refreshes the list and the pickers after a reload (UI goroutine).
func (t *channelsTab) setData() {
	s := t.s
	t.list.Refresh()
	var gids []int64
	var gl []string
	for _, g := range s.groupList {
		gids, gl = append(gids, g.ID), append(gl, g.Name)
	}
	t.groups.setOptions(gids, gl)
	var tids, mids []int64
	var tl, ml []string
	for _, a := range s.techList {
		if a.Disabled {
			continue
		}
		tids, tl = append(tids, a.ID), append(tl, techLabel(a))
		if a.Role == desk.RoleChannelManager.String() {
			mids, ml = append(mids, a.ID), append(ml, techLabel(a))
		}
	}
	t.techs.setOptions(tids, tl)
	t.managers.setOptions(mids, ml)
	if t.editing && t.current != 0 {
		// the channel may have changed or gone: keep the form in step
		// unless the lead is typing into it
		i := slices.IndexFunc(s.chanList, func(c api.Channel) bool { return c.ID == t.current })
		if i < 0 {
			t.editing = false
			t.form.Hide()
			t.placeholder.Show()
			t.list.UnselectAll()
		}
	}
}

func (t *channelsTab) startNew() {
	t.list.UnselectAll()
	t.current, t.editing = 0, true
	t.fill(api.Channel{
		ExpirationSeconds: int64(desk.DefaultExpiration / time.Second), SLAResponseSeconds: int64(desk.DefaultSLAResponse / time.Second), FirstLineLimitSeconds: int64(desk.DefaultFirstLineLimit / time.Second),
		MaxFileSize: desk.DefaultMaxFileSize, FileTypes: desk.DefaultFileTypes, AcceptsSOS: true,
	})
	t.title.SetText(lang.L("New channel"))
	t.save.SetText(lang.L("Create channel"))
	t.del.Hide()
	t.setEditable(true)
	t.showForm()
}

func (t *channelsTab) show(c api.Channel) {
	t.current, t.editing = c.ID, true
	t.fill(c)
	t.title.SetText(c.Name)
	t.save.SetText(lang.L("Save"))
	me := t.s.cfg.Me
	editable := t.s.canManageAccounts() || slices.Contains(c.ManagerIDs, me.ID)
	t.setEditable(editable)
	if t.s.canManageAccounts() {
		t.del.Show()
	} else {
		t.del.Hide()
	}
	t.showForm()
}

func (t *channelsTab) showForm() {
	t.placeholder.Hide()
	t.form.Show()
}

func (t *channelsTab) setEditable(on bool) {
	for _, e := range []*widget.Entry{t.name, t.desc, t.expiration, t.sla, t.first, t.fileTypes, t.maxSize} {
		if on {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	t.groups.enable(on)
	t.techs.enable(on)
	// channel managers configure their channels but not who manages them
	t.managers.enable(on && t.s.canManageAccounts())
	if on {
		t.sos.Enable()
		t.save.Show()
		t.readOnly.Hide()
	} else {
		t.sos.Disable()
		t.save.Hide()
		t.readOnly.Show()
	}
}

func (t *channelsTab) fill(c api.Channel) {
	t.name.SetText(c.Name)
	t.desc.SetText(c.Description)
	t.groups.set(c.GroupIDs)
	t.techs.set(c.TechnicianIDs)
	t.managers.set(c.ManagerIDs)
	t.expiration.SetText(formatNumber(float64(c.ExpirationSeconds) / 3600))
	t.sla.SetText(formatNumber(float64(c.SLAResponseSeconds) / 60))
	t.first.SetText(formatNumber(float64(c.FirstLineLimitSeconds) / 60))
	t.sos.SetChecked(c.AcceptsSOS)
	t.fileTypes.SetText(strings.Join(c.FileTypes, ", "))
	t.maxSize.SetText(formatNumber(float64(c.MaxFileSize) / (1 << 20)))
}

// request reads the form; the error names the field to fix.
func (t *channelsTab) request() (api.ChannelRequest, error) {
	r := api.ChannelRequest{
		Name: strings.TrimSpace(t.name.Text), Description: strings.TrimSpace(t.desc.Text),
		GroupIDs: t.groups.selected(), TechnicianIDs: t.techs.selected(), ManagerIDs: t.managers.selected(),
		AcceptsSOS: t.sos.Checked, FileTypes: splitList(t.fileTypes.Text),
	}
	if r.Name == "" {
		return r, fmt.Errorf("%s", lang.L("Give the channel a name."))
	}
	for _, f := range []struct {
		label string
		entry *widget.Entry
		unit  float64
		out   *int64
	}{
		{lang.L("Expiration"), t.expiration, 3600, &r.ExpirationSeconds},
		{lang.L("SLA target"), t.sla, 60, &r.SLAResponseSeconds},
		{lang.L("First-line limit"), t.first, 60, &r.FirstLineLimitSeconds},
		{lang.L("Largest file"), t.maxSize, 1 << 20, &r.MaxFileSize},
	} {
		v, err := parseNumber(f.entry.Text)
		if err != nil {
			return r, fmt.Errorf("%s: %v", f.label, err)
		}
		*f.out = int64(v * f.unit)
	}
	return r, nil
}

func (t *channelsTab) submit() {
	req, err := t.request()
	if err != nil {
		dialog.ShowError(err, t.s.cfg.Window)
		return
	}
	id := t.current
	var saved *api.Channel
	what := lang.L("Could not save the channel")
	t.s.do(what, func(ctx context.Context) error {
		if id == 0 {
			saved, err = t.s.b.CreateChannel(ctx, req)
		} else {
			saved, err = t.s.b.UpdateChannel(ctx, id, req)
		}
		return err
	}, func() {
		t.current = saved.ID
		t.title.SetText(saved.Name)
		t.save.SetText(lang.L("Save"))
		if t.s.canManageAccounts() {
			t.del.Show()
		}
		t.s.reload("lookups", "dashboard")
	})
}

func (t *channelsTab) confirmDelete() {
	id, name := t.current, t.name.Text
	if id == 0 {
		return
	}
	dialog.ShowConfirm(lang.L("Delete channel"),
		fmt.Sprintf(lang.L("Delete the channel %q? Its closed sessions stay in the audit log. A channel with open sessions cannot be deleted."), name),
		func(ok bool) {
			if !ok {
				return
			}
			t.delete(id)
		}, t.s.cfg.Window)
}

func (t *channelsTab) delete(id int64) {
	t.s.do(lang.L("Could not delete the channel"), func(ctx context.Context) error {
		return t.s.b.DeleteChannel(ctx, id)
	}, func() {
		t.editing, t.current = false, 0
		t.form.Hide()
		t.placeholder.Show()
		t.list.UnselectAll()
		t.s.reload("lookups", "dashboard")
	})
}
