package manage

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
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

// agent submits an SOS Call as an end user and returns its client.
func (e *env) agent(channelID int64, name string) (*apiclient.Client, int64) {
	e.t.Helper()
	c, err := apiclient.New(e.url, apiclient.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	j, err := c.SubmitSOS(ctx(), api.SOSRequest{ChannelID: channelID, Name: name, Problem: "it is broken", Device: testDevice})
	if err != nil {
		e.t.Fatal(err)
	}
	return c, j.Session.SessionID
}

func TestDashboardFigures(t *testing.T) {
	e := newEnv(t)
	g, _ := e.owner.CreateGroup(ctx(), "Designers", "")
	tina := e.createTech("tina@example.com", "technician", g.ID)
	e.createTech("bob@example.com", "technician", g.ID)
	bob, _ := e.login("bob@example.com")
	if _, err := bob.SetAvailability(ctx(), "away"); err != nil {
		t.Fatal(err)
	}
	design, _ := e.owner.CreateChannel(ctx(), api.ChannelRequest{Name: "Design", GroupIDs: []int64{g.ID}, SLAResponseSeconds: 300, AcceptsSOS: true})
	accounts, _ := e.owner.CreateChannel(ctx(), api.ChannelRequest{Name: "Accounts", SLAResponseSeconds: 600, AcceptsSOS: true})
	tc, _ := e.login("tina@example.com")

	// 09:00 two requests; one answered after 2 minutes and rated 5, one
	// after 10 minutes (an SLA breach) and rated 2 (flagged)
	a1, s1 := e.agent(design.ID, "Aaron")
	a5, s5 := e.agent(design.ID, "Eve")
	e.clock.Advance(2 * time.Minute)
	mustTake(t, tc, s5)
	e.clock.Advance(8 * time.Minute)
	mustTake(t, tc, s1)
	e.clock.Advance(10 * time.Minute) // 09:20
	for _, id := range []int64{s1, s5} {
		if _, err := tc.Close(ctx(), id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a1.Rate(ctx(), 2, "took too long"); err != nil {
		t.Fatal(err)
	}
	if _, err := a5.Rate(ctx(), 5, ""); err != nil {
		t.Fatal(err)
	}
	e.agent(design.ID, "Bert") // 09:20, still waiting at 09:30: breach
	e.clock.Advance(5 * time.Minute)
	e.agent(design.ID, "Cleo") // 09:25, waits exactly the SLA: no breach
	e.clock.Advance(3 * time.Minute)
	e.agent(accounts.ID, "Dora")     // 09:28
	e.clock.Advance(2 * time.Minute) // 09:30

	s, _ := e.screens(e.owner, e.me)
	d := s.dash
	want := map[int64]map[string]string{
		design.ID:   {colChannel: "Design", colWaiting: "2", colLongest: "10m 00s", colRouted: "2", colAvailable: "1", colSLA: "5m 00s", colBreaches: "2", colRating: "3.5 of 5 (2)"},
		accounts.ID: {colChannel: "Accounts", colWaiting: "1", colLongest: "2m 00s", colRouted: "0", colAvailable: "0", colSLA: "10m 00s", colBreaches: "0", colRating: "–"},
	}
	checkDash := func() {
		t.Helper()
		for id, cols := range want {
			for col, text := range cols {
				l := d.cells[id][col]
				if l == nil || l.Text != text {
					got := "<missing>"
					if l != nil {
						got = l.Text
					}
					t.Errorf("channel %d %s = %q, want %q", id, col, got, text)
				}
			}
		}
	}
	checkDash()
	if l := d.cells[accounts.ID][colWaiting]; l.Importance != widget.DangerImportance {
		t.Error("people wait with nobody available, but the count is not highlighted")
	}
	if len(d.flaggedRows) != 1 || !strings.Contains(d.flaggedRows[0], "2/5") || !strings.Contains(d.flaggedRows[0], "Design") ||
		!strings.Contains(d.flaggedRows[0], tina.Name) || !strings.Contains(d.flaggedRows[0], "took too long") ||
		!strings.Contains(d.flaggedRows[0], "#"+itoa(s1)) {
		t.Errorf("flagged rows %q", d.flaggedRows)
	}
	if !strings.Contains(d.summary.Text, "3 waiting now") || !strings.Contains(d.summary.Text, "2 SLA breaches") {
		t.Errorf("summary %q", d.summary.Text)
	}

	// live: an event after a new request refreshes the figures
	e.agent(accounts.ID, "Finn")
	want[accounts.ID][colWaiting] = "2"
	s.HandleEvent(api.Envelope{Type: "session.created", SessionID: 99})
	s.wait()
	checkDash()
}

func mustTake(t *testing.T, c *apiclient.Client, id int64) {
	t.Helper()
	if _, err := c.Take(ctx(), id); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAuditFilterAndExport(t *testing.T) {
	e := newEnv(t)
	e.owner.CreateGroup(ctx(), "Tier 1", "")
	ch, _ := e.owner.CreateChannel(ctx(), api.ChannelRequest{Name: "Design", AcceptsSOS: true})
	_, sid := e.agent(ch.ID, "Aaron")
	e.clock.Advance(time.Minute)
	mustTake(t, e.owner, sid)
	_, other := e.agent(ch.ID, "Bert")

	s, _ := e.screens(e.owner, e.me)
	a := s.audit
	if len(a.records) < 5 {
		t.Fatalf("unfiltered log shows %d records", len(a.records))
	}
	if a.records[0].Seq < a.records[len(a.records)-1].Seq {
		t.Error("not newest first")
	}

	test.Type(a.session, itoa(sid))
	test.Tap(findButton(t, a.content, "Show"))
	s.wait()
	var actions []string
	for _, r := range a.records {
		if r.SessionID != sid {
			t.Errorf("record of session %d shown", r.SessionID)
		}
		actions = append(actions, r.Action)
	}
	if !slices.Equal(actions, []string{"take", "sos_call"}) {
		t.Errorf("actions %q", actions)
	}
	if r, c := a.table.Length(); r != 2 || c != len(auditColumns) {
		t.Errorf("table %d×%d", r, c)
	}
	if got := a.cell(a.records[0], "who"); got != "Olga Owner" {
		t.Errorf("who = %q", got)
	}

	// by actor and action
	a.session.SetText("")
	a.actor.SetSelected(techLabel(e.me))
	a.action.SetText("take")
	test.Tap(findButton(t, a.content, "Show"))
	s.wait()
	if len(a.records) != 1 || a.records[0].SessionID != sid {
		t.Fatalf("actor+action filter: %+v", a.records)
	}

	// date range: yesterday shows nothing
	yesterday := e.clock.Now().AddDate(0, 0, -1)
	a.clear()
	s.wait()
	a.from.SetDate(&yesterday)
	a.to.SetDate(&yesterday)
	test.Tap(findButton(t, a.content, "Show"))
	s.wait()
	if len(a.records) != 0 || a.count.Text != "No records match." {
		t.Fatalf("yesterday: %d records, %q", len(a.records), a.count.Text)
	}

	// CSV export of one session
	a.clear()
	s.wait()
	a.session.SetText(itoa(other))
	q, err := a.query()
	if err != nil {
		t.Fatal(err)
	}
	var buf closeBuffer
	a.exportTo(q, &buf, "audit.csv")
	s.wait()
	if !buf.closed {
		t.Error("export file not closed")
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !slices.Equal(rows[0], api.AuditCSVHeader) || rows[1][5] != "sos_call" || rows[1][6] != itoa(other) {
		t.Fatalf("csv %q", rows)
	}
	if a.count.Text != "Exported to audit.csv" {
		t.Errorf("count %q", a.count.Text)
	}
}

type closeBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *closeBuffer) Close() error { b.closed = true; return nil }
