package manage

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
)

// groupsTab lists technician groups and edits one at a time.
type groupsTab struct {
	s       *Screens
	content fyne.CanvasObject

	list    *widget.List
	current int64

	title       *widget.Label
	name, desc  *widget.Entry
	members     *widget.Label
	save, del   *widget.Button
	form        *fyne.Container
	placeholder *widget.Label
}

func newGroupsTab(s *Screens) *groupsTab {
	t := &groupsTab{s: s}
	t.list = nameList("Group name placeholder", func() []api.Group { return s.groupList },
		func(x api.Group) string { return x.Name }, t.show)
	t.title = heading("")
	t.name = widget.NewEntry()
	t.name.SetPlaceHolder(lang.L("e.g. Mac experts, Tier 2"))
	t.desc = widget.NewMultiLineEntry()
	t.desc.SetMinRowsVisible(2)
	t.members = widget.NewLabel("")
	t.members.Wrapping = fyne.TextWrapWord
	t.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), t.submit)
	t.save.Importance = widget.HighImportance
	t.del = widget.NewButtonWithIcon(lang.L("Delete group"), theme.DeleteIcon(), t.confirmDelete)
	t.del.Importance = widget.DangerImportance
	newBtn := widget.NewButtonWithIcon(lang.L("New group"), theme.ContentAddIcon(), t.startNew)

	t.form = container.NewVBox(t.title,
		widget.NewForm(
			widget.NewFormItem(lang.L("Name"), t.name),
			widget.NewFormItem(lang.L("Description"), t.desc),
			widget.NewFormItem(lang.L("Members"), t.members),
		),
		hint(lang.L("Add technicians to groups on the Technicians tab; route channels to groups on the Channels tab.")),
		container.NewHBox(t.save, t.del))
	t.form.Hide()
	t.placeholder = hint(lang.L("Pick a group on the left, or create one. Groups organise technicians by customer, expertise or tier."))

	left := container.NewBorder(container.NewPadded(newBtn), nil, nil, nil, t.list)
	right := container.NewStack(container.NewPadded(t.placeholder), container.NewVScroll(container.NewPadded(t.form)))
	split := container.NewHSplit(left, right)
	split.Offset = 0.25
	t.content = split
	return t
}

func (t *groupsTab) setData() {
	t.list.Refresh()
	if t.current != 0 {
		i := slices.IndexFunc(t.s.groupList, func(g api.Group) bool { return g.ID == t.current })
		if i < 0 {
			t.current = 0
			t.form.Hide()
			t.placeholder.Show()
			t.list.UnselectAll()
			return
		}
		t.members.SetText(t.memberText(t.current))
	}
}

func (t *groupsTab) memberText(id int64) string {
	var names []string
	for _, a := range t.s.techList {
		if slices.Contains(a.GroupIDs, id) {
			names = append(names, a.Name)
		}
	}
	if len(names) == 0 {
		return lang.L("nobody yet")
	}
	return strings.Join(names, ", ")
}

func (t *groupsTab) startNew() {
	t.list.UnselectAll()
	t.current = 0
	t.title.SetText(lang.L("New group"))
	t.name.SetText("")
	t.desc.SetText("")
	t.members.SetText(lang.L("nobody yet"))
	t.save.SetText(lang.L("Create group"))
	t.del.Hide()
	t.placeholder.Hide()
	t.form.Show()
}

func (t *groupsTab) show(g api.Group) {
	t.current = g.ID
	t.title.SetText(g.Name)
	t.name.SetText(g.Name)
	t.desc.SetText(g.Description)
	t.members.SetText(t.memberText(g.ID))
	t.save.SetText(lang.L("Save"))
	t.del.Show()
	t.placeholder.Hide()
	t.form.Show()
}

func (t *groupsTab) submit() {
	name, desc := strings.TrimSpace(t.name.Text), strings.TrimSpace(t.desc.Text)
	if name == "" {
		dialog.ShowError(fmt.Errorf("%s", lang.L("Give the group a name.")), t.s.cfg.Window)
		return
	}
	id := t.current
	var saved *api.Group
	t.s.do(lang.L("Could not save the group"), func(ctx context.Context) error {
		var err error
		if id == 0 {
			saved, err = t.s.b.CreateGroup(ctx, name, desc)
		} else {
			saved, err = t.s.b.UpdateGroup(ctx, id, api.GroupRequest{Name: &name, Description: &desc})
		}
		return err
	}, func() {
		t.current = saved.ID
		t.title.SetText(saved.Name)
		t.save.SetText(lang.L("Save"))
		t.del.Show()
		t.s.reload("lookups")
	})
}

func (t *groupsTab) confirmDelete() {
	id, name := t.current, t.name.Text
	if id == 0 {
		return
	}
	dialog.ShowConfirm(lang.L("Delete group"),
		fmt.Sprintf(lang.L("Delete the group %q? Its technicians stay; channels are no longer routed to it."), name),
		func(ok bool) {
			if ok {
				t.delete(id)
			}
		}, t.s.cfg.Window)
}

func (t *groupsTab) delete(id int64) {
	t.s.do(lang.L("Could not delete the group"), func(ctx context.Context) error {
		return t.s.b.DeleteGroup(ctx, id)
	}, func() {
		t.current = 0
		t.form.Hide()
		t.placeholder.Show()
		t.list.UnselectAll()
		t.s.reload("lookups")
	})
}
