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
	"github.com/tetherdesk/tether/internal/desk"
)

// rightOrder is the order rights are shown in: the life of a session.
var rightOrder = []desk.Right{
	desk.RightCreateSession, desk.RightTake, desk.RightTransfer, desk.RightRelease,
	desk.RightInvite, desk.RightRemoteControl, desk.RightFileTransfer,
	desk.RightClose, desk.RightDelete, desk.RightSeeOthers,
}

func rightLabel(r desk.Right) string {
	switch r {
	case desk.RightCreateSession:
		return lang.L("Create sessions (links)")
	case desk.RightTake:
		return lang.L("Take sessions from the queue")
	case desk.RightTransfer:
		return lang.L("Transfer sessions")
	case desk.RightRelease:
		return lang.L("Release sessions to the queue")
	case desk.RightClose:
		return lang.L("Close sessions")
	case desk.RightDelete:
		return lang.L("Delete sessions")
	case desk.RightInvite:
		return lang.L("Invite collaborators")
	case desk.RightRemoteControl:
		return lang.L("Remote control (otherwise view only)")
	case desk.RightFileTransfer:
		return lang.L("Send and receive files")
	case desk.RightSeeOthers:
		return lang.L("See colleagues' sessions in my channels")
	}
	return r.String()
}

var roleOrder = []desk.Role{desk.RoleTechnician, desk.RoleChannelManager, desk.RoleTechManager, desk.RoleOwner}

func roleLabel(r desk.Role) string {
	switch r {
	case desk.RoleTechnician:
		return lang.L("Channel technician")
	case desk.RoleChannelManager:
		return lang.L("Channel manager")
	case desk.RoleTechManager:
		return lang.L("Technical manager")
	case desk.RoleOwner:
		return lang.L("Owner")
	}
	return r.String()
}

func roleOfLabel(l string) desk.Role {
	for _, r := range roleOrder {
		if roleLabel(r) == l {
			return r
		}
	}
	return desk.RoleUnknown
}

// techsTab lists technicians and edits one at a time.
type techsTab struct {
	s       *Screens
	content fyne.CanvasObject

	list     *widget.List
	current  int64
	acct     api.Account
	prevRole desk.Role // the role the ticks were last set against

	title                 *widget.Label
	status                *widget.Label
	email, name, password *widget.Entry
	role                  *widget.Select
	groups                *idPicker
	rights                map[desk.Right]*widget.Check
	rightNotes            map[desk.Right]*widget.Label
	save, toggle          *widget.Button
	form                  *fyne.Container
	placeholder           *widget.Label
	passwordItem          *widget.FormItem
	formWidget            *widget.Form
}

func newTechsTab(s *Screens) *techsTab {
	t := &techsTab{s: s, rights: map[desk.Right]*widget.Check{}, rightNotes: map[desk.Right]*widget.Label{}}
	t.list = widget.NewList(
		func() int { return len(s.techList) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.AccountIcon()), widget.NewLabel("Technician name placeholder"), widget.NewLabel(""))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.techList) {
				return
			}
			a := s.techList[id]
			box := o.(*fyne.Container)
			box.Objects[1].(*widget.Label).SetText(a.Name)
			note := box.Objects[2].(*widget.Label)
			r, _ := desk.ParseRole(a.Role)
			text := roleLabel(r)
			if a.Disabled {
				text = lang.L("disabled")
				note.Importance = widget.DangerImportance
			} else {
				note.Importance = widget.LowImportance
			}
			note.SetText(text)
		})
	t.list.OnSelected = func(id widget.ListItemID) {
		if id < len(s.techList) {
			t.show(s.techList[id])
		}
	}

	t.title = heading("")
	t.status = widget.NewLabel("")
	t.email = widget.NewEntry()
	t.email.SetPlaceHolder("name@example.com")
	t.name = widget.NewEntry()
	t.password = widget.NewPasswordEntry()
	var roleNames []string
	for _, r := range roleOrder {
		if s.role.Outranks(r) {
			roleNames = append(roleNames, roleLabel(r))
		}
	}
	t.role = widget.NewSelect(roleNames, func(string) { t.roleChanged() })
	t.groups = newIDPicker(lang.L("No groups yet (create them on the Groups tab)"))

	rightsGrid := container.NewGridWithColumns(2)
	for _, r := range rightOrder {
		c := widget.NewCheck(rightLabel(r), func(bool) { t.updateRightNotes() })
		note := widget.NewLabel("")
		t.rights[r], t.rightNotes[r] = c, note
		rightsGrid.Add(c)
		rightsGrid.Add(note)
	}
	t.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), t.submit)
	t.save.Importance = widget.HighImportance
	t.toggle = widget.NewButton(lang.L("Disable account"), t.confirmToggle)
	newBtn := widget.NewButtonWithIcon(lang.L("New technician"), theme.ContentAddIcon(), t.startNew)

	t.passwordItem = widget.NewFormItem(lang.L("Password"), t.password)
	t.formWidget = widget.NewForm(
		widget.NewFormItem(lang.L("E-mail"), t.email),
		widget.NewFormItem(lang.L("Name"), t.name),
		widget.NewFormItem(lang.L("Role"), t.role),
		t.passwordItem,
	)
	t.form = container.NewVBox(
		t.title, t.status, t.formWidget,
		widget.NewSeparator(),
		heading(lang.L("Groups")), t.groups.box,
		widget.NewSeparator(),
		heading(lang.L("Rights")),
		hint(lang.L("Ticked rights are what this technician may do. The role gives defaults; a tick that differs from the role's default is an override and is marked.")),
		rightsGrid,
		widget.NewSeparator(),
		container.NewHBox(t.save, t.toggle),
	)
	t.form.Hide()
	t.placeholder = hint(lang.L("Pick a technician on the left, or create one."))

	left := container.NewBorder(container.NewPadded(newBtn), nil, nil, nil, t.list)
	right := container.NewStack(container.NewPadded(t.placeholder), container.NewVScroll(container.NewPadded(t.form)))
	split := container.NewHSplit(left, right)
	split.Offset = 0.3
	t.content = split
	return t
}

func (t *techsTab) setData() {
	t.list.Refresh()
	var ids []int64
	var labels []string
	for _, g := range t.s.groupList {
		ids, labels = append(ids, g.ID), append(labels, g.Name)
	}
	t.groups.setOptions(ids, labels)
	if t.current != 0 {
		i := slices.IndexFunc(t.s.techList, func(a api.Account) bool { return a.ID == t.current })
		if i >= 0 {
			t.acct = t.s.techList[i]
			t.showStatus()
		}
	}
}

func (t *techsTab) selectedRole() desk.Role { return roleOfLabel(t.role.Selected) }

// roleChanged moves the ticks to the new role's defaults, keeping the
// overrides the lead made against the previous role.
func (t *techsTab) roleChanged() {
	role := t.selectedRole()
	if t.prevRole != desk.RoleUnknown && role != desk.RoleUnknown && role != t.prevRole {
		grant, revoke := t.overrides(t.prevRole)
		g, _ := desk.ParseRights(grant)
		r, _ := desk.ParseRights(revoke)
		t.setRights(((desk.DefaultRights(role) | g) &^ r).Names())
	}
	t.prevRole = role
	t.updateRightNotes()
}

// updateRightNotes marks each right as the role's default or an override.
func (t *techsTab) updateRightNotes() {
	role := t.selectedRole()
	def := desk.DefaultRights(role)
	for _, r := range rightOrder {
		note := t.rightNotes[r]
		on := t.rights[r].Checked
		switch {
		case role == desk.RoleUnknown:
			note.SetText("")
		case on == def.Has(r):
			note.Importance = widget.LowImportance
			note.SetText(lang.L("role default"))
		case on:
			note.Importance = widget.WarningImportance
			note.SetText(lang.L("granted (not in the role's defaults)"))
		default:
			note.Importance = widget.WarningImportance
			note.SetText(lang.L("revoked (the role would allow it)"))
		}
		note.Refresh()
	}
}

// overrides turns the ticks into grants and revocations against role.
func (t *techsTab) overrides(role desk.Role) (grant, revoke []string) {
	def := desk.DefaultRights(role)
	grant, revoke = []string{}, []string{}
	for _, r := range rightOrder {
		on := t.rights[r].Checked
		switch {
		case on && !def.Has(r):
			grant = append(grant, r.String())
		case !on && def.Has(r):
			revoke = append(revoke, r.String())
		}
	}
	return grant, revoke
}

func (t *techsTab) setRights(rights []string) {
	for _, r := range rightOrder {
		t.rights[r].SetChecked(slices.Contains(rights, r.String()))
	}
	t.updateRightNotes()
}

func (t *techsTab) startNew() {
	t.list.UnselectAll()
	t.current, t.acct = 0, api.Account{}
	t.title.SetText(lang.L("New technician"))
	t.status.SetText("")
	t.email.SetText("")
	t.email.Enable()
	t.name.SetText("")
	t.password.SetText("")
	t.passwordItem.Text = lang.L("Password")
	t.password.SetPlaceHolder(lang.L("at least 10 characters"))
	t.formWidget.Refresh()
	t.prevRole = desk.RoleTechnician
	t.role.SetSelected(roleLabel(desk.RoleTechnician))
	t.groups.set(nil)
	t.setRights(desk.DefaultRights(desk.RoleTechnician).Names())
	t.setEditable(true, true)
	t.save.SetText(lang.L("Create technician"))
	t.toggle.Hide()
	t.placeholder.Hide()
	t.form.Show()
}

func (t *techsTab) show(a api.Account) {
	t.current, t.acct = a.ID, a
	t.title.SetText(a.Name)
	t.email.SetText(a.Email)
	t.email.Disable()
	t.name.SetText(a.Name)
	t.password.SetText("")
	t.passwordItem.Text = lang.L("New password")
	t.password.SetPlaceHolder(lang.L("leave empty to keep the current one"))
	t.formWidget.Refresh()
	role, _ := desk.ParseRole(a.Role)
	t.role.Options = nil
	for _, r := range roleOrder {
		if t.s.role.Outranks(r) || r == role {
			t.role.Options = append(t.role.Options, roleLabel(r))
		}
	}
	t.prevRole = role
	t.role.SetSelected(roleLabel(role))
	t.groups.set(a.GroupIDs)
	t.setRights(a.Rights)
	self := a.ID == t.s.cfg.Me.ID
	manages := t.s.role.Outranks(role) && !self
	t.setEditable(manages || self, manages)
	t.save.SetText(lang.L("Save"))
	if manages {
		t.toggle.Show()
	} else {
		t.toggle.Hide()
	}
	t.showStatus()
	t.placeholder.Hide()
	t.form.Show()
}

func (t *techsTab) showStatus() {
	a := t.acct
	self := a.ID == t.s.cfg.Me.ID
	switch {
	case a.Disabled:
		t.status.SetText(lang.L("This account is disabled: it cannot log in and gets no sessions."))
		t.status.Importance = widget.DangerImportance
		t.toggle.SetText(lang.L("Enable account"))
		t.toggle.Importance = widget.MediumImportance
	case self:
		t.status.SetText(lang.L("This is your own account: you may change your name and password only."))
		t.status.Importance = widget.LowImportance
	default:
		t.status.SetText(fmt.Sprintf(lang.L("Active · %s"), availabilityLabel(a.Availability)))
		t.status.Importance = widget.MediumImportance
		t.toggle.SetText(lang.L("Disable account"))
		t.toggle.Importance = widget.DangerImportance
	}
	t.status.Refresh()
	t.toggle.Refresh()
}

func availabilityLabel(a string) string {
	switch a {
	case "available":
		return lang.L("available")
	case "busy":
		return lang.L("busy")
	case "away":
		return lang.L("away")
	}
	return a
}

// setEditable enables the fields: basic ones (name, password) and
// privileged ones (role, groups, rights).
func (t *techsTab) setEditable(basic, privileged bool) {
	for _, e := range []*widget.Entry{t.name, t.password} {
		if basic {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	if privileged {
		t.role.Enable()
	} else {
		t.role.Disable()
	}
	t.groups.enable(privileged)
	for _, c := range t.rights {
		if privileged {
			c.Enable()
		} else {
			c.Disable()
		}
	}
	if basic {
		t.save.Show()
	} else {
		t.save.Hide()
	}
}

func (t *techsTab) submit() {
	w := t.s.cfg.Window
	name := strings.TrimSpace(t.name.Text)
	role := t.selectedRole()
	if name == "" {
		dialog.ShowError(fmt.Errorf("%s", lang.L("Enter the technician's name.")), w)
		return
	}
	id := t.current
	var saved *api.Account
	if id == 0 {
		email := strings.TrimSpace(t.email.Text)
		if email == "" || t.password.Text == "" || role == desk.RoleUnknown {
			dialog.ShowError(fmt.Errorf("%s", lang.L("Enter e-mail, password and role.")), w)
			return
		}
		grant, revoke := t.overrides(role)
		req := api.CreateTechnicianRequest{Email: email, Name: name, Role: role.String(), Password: t.password.Text,
			GroupIDs: t.groups.selected(), Grant: grant, Revoke: revoke}
		t.s.do(lang.L("Could not create the technician"), func(ctx context.Context) error {
			var err error
			saved, err = t.s.b.CreateTechnician(ctx, req)
			return err
		}, func() { t.saved(saved) })
		return
	}
	req := api.UpdateTechnicianRequest{Name: &name}
	if t.password.Text != "" {
		pw := t.password.Text
		req.Password = &pw
	}
	if !t.role.Disabled() {
		rs := role.String()
		grant, revoke := t.overrides(role)
		groups := t.groups.selected()
		if groups == nil {
			groups = []int64{}
		}
		req.Role, req.Grant, req.Revoke, req.GroupIDs = &rs, &grant, &revoke, &groups
	}
	t.s.do(lang.L("Could not save the technician"), func(ctx context.Context) error {
		var err error
		saved, err = t.s.b.UpdateTechnician(ctx, id, req)
		return err
	}, func() { t.saved(saved) })
}

func (t *techsTab) saved(a *api.Account) {
	t.s.reload("lookups")
	t.show(*a)
}

func (t *techsTab) confirmToggle() {
	a := t.acct
	disable := !a.Disabled
	msg := fmt.Sprintf(lang.L("Enable %s's account again?"), a.Name)
	if disable {
		msg = fmt.Sprintf(lang.L("Disable %s's account? They are logged out and can no longer log in; their sessions stay."), a.Name)
	}
	dialog.ShowConfirm(t.toggle.Text, msg, func(ok bool) {
		if ok {
			t.setDisabled(a.ID, disable)
		}
	}, t.s.cfg.Window)
}

func (t *techsTab) setDisabled(id int64, disabled bool) {
	var saved *api.Account
	t.s.do(lang.L("Could not change the account"), func(ctx context.Context) error {
		var err error
		saved, err = t.s.b.UpdateTechnician(ctx, id, api.UpdateTechnicianRequest{Disabled: &disabled})
		return err
	}, func() { t.saved(saved) })
}
