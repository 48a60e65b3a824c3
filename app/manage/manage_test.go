package manage

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/desk"
)

func containerOf(tabs []*container.TabItem) fyne.CanvasObject { return container.NewAppTabs(tabs...) }

func tabTitles(tabs []*container.TabItem) []string {
	var out []string
	for _, t := range tabs {
		out = append(out, t.Text)
	}
	return out
}

func TestTabsFollowTheRole(t *testing.T) {
	e := newEnv(t)
	e.createTech("tina@example.com", "technician")
	e.createTech("carl@example.com", "channel_manager")
	e.createTech("tom@example.com", "tech_manager")
	tests := []struct {
		email string
		want  []string
	}{
		{"tina@example.com", nil},
		{"carl@example.com", []string{"Dashboard", "Channels", "Audit log"}},
		{"tom@example.com", []string{"Dashboard", "Channels", "Groups", "Technicians", "Audit log"}},
		{"owner@example.com", []string{"Dashboard", "Channels", "Groups", "Technicians", "Audit log"}},
	}
	for _, tt := range tests {
		c, me := e.login(tt.email)
		s, _ := e.screens(c, me)
		if got := tabTitles(s.Tabs()); !slices.Equal(got, tt.want) {
			t.Errorf("%s: tabs %q, want %q", tt.email, got, tt.want)
		}
	}
	// a channel manager sees the channel but may not create one
	c, me := e.login("carl@example.com")
	s, _ := e.screens(c, me)
	if s.channels.newBtn.Visible() {
		t.Error("a channel manager is offered New channel")
	}
}

func TestChannelCreateEditDelete(t *testing.T) {
	e := newEnv(t)
	g, err := e.owner.CreateGroup(ctx(), "Mac experts", "")
	if err != nil {
		t.Fatal(err)
	}
	mgr := e.createTech("carl@example.com", "channel_manager")
	s, _ := e.screens(e.owner, e.me)
	ct := s.channels

	test.Tap(ct.newBtn)
	if !ct.form.Visible() || ct.del.Visible() {
		t.Fatal("New channel does not show an empty form")
	}
	ct.name.SetText("")
	test.Type(ct.name, "Design")
	test.Type(ct.desc, "graphic design department")
	ct.sla.SetText("")
	test.Type(ct.sla, "5")
	ct.expiration.SetText("2")
	ct.fileTypes.SetText("png, PDF .zip")
	ct.maxSize.SetText("10")
	ct.sos.SetChecked(false)
	ct.groups.check.SetSelected([]string{"Mac experts"})
	ct.managers.check.SetSelected([]string{techLabel(mgr)})
	test.Tap(ct.save)
	s.wait()

	chans, err := e.owner.ListChannels(ctx())
	if err != nil || len(chans) != 1 {
		t.Fatalf("channels %+v, %v", chans, err)
	}
	ch := chans[0]
	if ch.Name != "Design" || ch.Description != "graphic design department" || ch.SLAResponseSeconds != 300 ||
		ch.ExpirationSeconds != 7200 || ch.AcceptsSOS || ch.MaxFileSize != 10<<20 ||
		!slices.Equal(ch.FileTypes, []string{"png", "pdf", "zip"}) || !slices.Equal(ch.GroupIDs, []int64{g.ID}) ||
		!slices.Equal(ch.ManagerIDs, []int64{mgr.ID}) {
		t.Fatalf("created channel %+v", ch)
	}
	if ct.current != ch.ID || !ct.del.Visible() {
		t.Fatalf("form does not show the created channel (current %d)", ct.current)
	}

	// edit: pick it in the list, change settings
	ct.list.Select(0)
	if ct.name.Text != "Design" || ct.sla.Text != "5" {
		t.Fatalf("form shows %q, SLA %q", ct.name.Text, ct.sla.Text)
	}
	ct.name.SetText("Design (Macs)")
	ct.first.SetText("20")
	ct.sos.SetChecked(true)
	ct.groups.check.SetSelected(nil)
	test.Tap(ct.save)
	s.wait()
	got, err := e.owner.Channel(ctx(), ch.ID)
	if err != nil || got.Name != "Design (Macs)" || got.FirstLineLimitSeconds != 1200 || !got.AcceptsSOS || len(got.GroupIDs) != 0 || got.SLAResponseSeconds != 300 {
		t.Fatalf("edited channel %+v, %v", got, err)
	}
	if ct.list.Length() != 1 {
		t.Fatalf("list has %d channels", ct.list.Length())
	}

	// a bad number is refused before anything is sent
	ct.sla.SetText("soon")
	test.Tap(ct.save)
	s.wait()
	if got, _ := e.owner.Channel(ctx(), ch.ID); got.SLAResponseSeconds != 300 {
		t.Fatalf("bad SLA was sent: %+v", got)
	}
	ct.sla.SetText("5")

	test.Tap(ct.del) // asks first
	ct.delete(ch.ID) // what the confirmation's Yes does
	s.wait()
	if chans, _ := e.owner.ListChannels(ctx()); len(chans) != 0 {
		t.Fatalf("channel not deleted: %+v", chans)
	}
	if ct.form.Visible() || ct.list.Length() != 0 {
		t.Fatal("deleted channel still shown")
	}
}

func TestChannelManagerEditsOnlyTheirChannels(t *testing.T) {
	e := newEnv(t)
	g, _ := e.owner.CreateGroup(ctx(), "Tier 1", "")
	mgr := e.createTech("carl@example.com", "channel_manager", g.ID)
	mine, _ := e.owner.CreateChannel(ctx(), api.ChannelRequest{Name: "Mine", ManagerIDs: []int64{mgr.ID}})
	e.owner.CreateChannel(ctx(), api.ChannelRequest{Name: "Theirs", GroupIDs: []int64{g.ID}})
	c, me := e.login("carl@example.com")
	s, _ := e.screens(c, me)
	ct := s.channels
	for i, ch := range s.chanList {
		ct.list.Select(i)
		editable := ch.ID == mine.ID
		if ct.save.Visible() != editable || ct.name.Disabled() == editable || ct.del.Visible() || !ct.managers.check.Disabled() {
			t.Errorf("%s: save %v, name disabled %v, delete %v", ch.Name, ct.save.Visible(), ct.name.Disabled(), ct.del.Visible())
		}
	}
}

func TestTechnicianCreateAndChange(t *testing.T) {
	e := newEnv(t)
	g, _ := e.owner.CreateGroup(ctx(), "Tier 2", "")
	s, _ := e.screens(e.owner, e.me)
	tt := s.techs

	test.Tap(tt.save) // nothing selected yet: the form is hidden
	test.Tap(findButton(t, tt.content, "New technician"))
	test.Type(tt.email, "nina@example.com")
	test.Type(tt.name, "Nina")
	test.Type(tt.password, password)
	tt.role.SetSelected("Channel manager")
	tt.groups.check.SetSelected([]string{"Tier 2"})
	// the role's defaults are all ticked; take one away
	if !tt.rights[rightByName(t, "delete")].Checked {
		t.Fatal("channel manager defaults not ticked")
	}
	tt.rights[rightByName(t, "delete")].SetChecked(false)
	if got := tt.rightNotes[rightByName(t, "delete")].Text; !strings.Contains(got, "revoked") {
		t.Fatalf("delete note %q", got)
	}
	test.Tap(tt.save)
	s.wait()

	a := findAccount(t, e.owner, "nina@example.com")
	if a.Name != "Nina" || a.Role != "channel_manager" || !slices.Equal(a.Revoke, []string{"delete"}) || len(a.Grant) != 0 ||
		!slices.Equal(a.GroupIDs, []int64{g.ID}) || slices.Contains(a.Rights, "delete") {
		t.Fatalf("created %+v", a)
	}
	if _, err := apiclient.New(e.url, apiclient.Options{}); err != nil {
		t.Fatal(err)
	}
	e.login("nina@example.com") // the password works

	// demote to channel technician and grant see_others (not a default)
	tt.role.SetSelected("Channel technician")
	tt.rights[rightByName(t, "see_others")].SetChecked(true)
	tt.rights[rightByName(t, "delete")].SetChecked(false)
	if got := tt.rightNotes[rightByName(t, "see_others")].Text; !strings.Contains(got, "granted") {
		t.Fatalf("see_others note %q", got)
	}
	if got := tt.rightNotes[rightByName(t, "delete")].Text; got != "role default" {
		t.Fatalf("delete note %q", got)
	}
	test.Tap(tt.save)
	s.wait()
	a = findAccount(t, e.owner, "nina@example.com")
	if a.Role != "technician" || !slices.Equal(a.Grant, []string{"see_others"}) || len(a.Revoke) != 0 || !slices.Contains(a.Rights, "see_others") {
		t.Fatalf("changed %+v", a)
	}

	// disable, then enable again
	if tt.toggle.Text != "Disable account" {
		t.Fatalf("toggle says %q", tt.toggle.Text)
	}
	tt.setDisabled(a.ID, true)
	s.wait()
	if a = findAccount(t, e.owner, "nina@example.com"); !a.Disabled {
		t.Fatal("not disabled")
	}
	if tt.toggle.Text != "Enable account" || !strings.Contains(tt.status.Text, "disabled") {
		t.Fatalf("after disabling: %q / %q", tt.toggle.Text, tt.status.Text)
	}
	tt.setDisabled(a.ID, false)
	s.wait()
	if a = findAccount(t, e.owner, "nina@example.com"); a.Disabled {
		t.Fatal("not enabled")
	}
}

func TestGroupCRUD(t *testing.T) {
	e := newEnv(t)
	s, _ := e.screens(e.owner, e.me)
	gt := s.groups
	test.Tap(findButton(t, gt.content, "New group"))
	test.Type(gt.name, "Mac experts")
	test.Tap(gt.save)
	s.wait()
	groups, _ := e.owner.ListGroups(ctx())
	if len(groups) != 1 || groups[0].Name != "Mac experts" {
		t.Fatalf("groups %+v", groups)
	}
	gt.list.Select(0)
	gt.name.SetText("Mac and iPad experts")
	test.Tap(gt.save)
	s.wait()
	groups, _ = e.owner.ListGroups(ctx())
	if groups[0].Name != "Mac and iPad experts" {
		t.Fatalf("groups %+v", groups)
	}
	gt.delete(groups[0].ID)
	s.wait()
	if groups, _ = e.owner.ListGroups(ctx()); len(groups) != 0 {
		t.Fatalf("groups %+v", groups)
	}
}

func rightByName(t *testing.T, name string) desk.Right {
	t.Helper()
	for _, r := range rightOrder {
		if r.String() == name {
			return r
		}
	}
	t.Fatalf("no right %q", name)
	return 0
}

func findAccount(t *testing.T, c *apiclient.Client, email string) api.Account {
	t.Helper()
	list, err := c.ListTechnicians(ctx())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Email == email {
			return a
		}
	}
	t.Fatalf("no account %s", email)
	return api.Account{}
}

// findButton finds a visible button by its text.
func findButton(t *testing.T, root fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(root, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	return found
}

func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, f)
		}
	case *container.Split:
		walk(x.Leading, f)
		walk(x.Trailing, f)
	case *container.Scroll:
		walk(x.Content, f)
	}
}

var _ = bytes.NewBuffer
var _ = csv.NewReader
var _ = time.Second
