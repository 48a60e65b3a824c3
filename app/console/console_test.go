package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/server"
)

func TestLoginErrors(t *testing.T) {
	b := newBroker(t, nil, func(c *server.Config) {
		c.LoginLimit = server.LoginLimit{AccountFailures: 2, Lock: 42 * time.Second}
	})
	h := newHarness(t, b)
	l := h.c.login

	h.typeLogin(b.ts.URL, "owner@example.com", "wrong password!")
	h.waitFor("wrong password message", func() bool { return l.status.Text != "" })
	if l.status.Text != "Wrong email or password." {
		t.Errorf("wrong password: %q", l.status.Text)
	}
	// The second failure locks the account: 429 with Retry-After.
	h.typeLogin(b.ts.URL, "owner@example.com", "wrong password!")
	h.waitFor("second failure", func() bool { return l.status.Text != "" })
	h.typeLogin(b.ts.URL, "owner@example.com", "wrong password!")
	h.waitFor("rate limit message", func() bool { return strings.Contains(l.status.Text, "try again in") })
	if !strings.Contains(l.status.Text, "Too many login attempts: try again in ") || !strings.HasSuffix(l.status.Text, " s.") {
		t.Errorf("rate limited: %q", l.status.Text)
	}

	// An address where nothing listens.
	dead := newBroker(t, nil)
	url := dead.ts.URL
	dead.ts.Close()
	l.status.SetText("")
	h.typeLogin(url, "owner@example.com", password)
	h.waitFor("unreachable message", func() bool { return l.status.Text != "" })
	if !strings.HasPrefix(l.status.Text, "Cannot reach the broker at "+url) {
		t.Errorf("unreachable: %q", l.status.Text)
	}
	if l.button.Disabled() {
		t.Error("login button stays disabled after a failure")
	}

	// Address and e-mail are remembered, never the password.
	p := h.app.Preferences()
	if p.String(PrefBroker) != url || p.String(PrefEmail) != "owner@example.com" {
		t.Errorf("preferences: %q %q", p.String(PrefBroker), p.String(PrefEmail))
	}
	for _, k := range []string{"password", "pw"} {
		if p.String(k) != "" {
			t.Errorf("password stored under %q", k)
		}
	}
	h.c.Start() // a new login screen is prefilled
	if h.c.login.broker.Text != url || h.c.login.email.Text != "owner@example.com" || h.c.login.password.Text != "" {
		t.Errorf("prefill: %q %q %q", h.c.login.broker.Text, h.c.login.email.Text, h.c.login.password.Text)
	}
}

func TestQueueUpdatesLive(t *testing.T) {
	b := newBroker(t, nil)
	g := b.group("Tier 1")
	b.tech("tess@example.com", "technician", []int64{g})
	ch := b.channel(api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{g}, AcceptsSOS: true})
	b.sos(ch.ID, "Early Bird")

	h := newHarness(t, b)
	h.loginAs("tess@example.com")
	v := h.c.main.channels
	h.waitFor("existing request", func() bool { return len(v.queue.Rows()) == 1 })
	n, _ := h.c.m.Waiting(ch.ID, h.clock())
	if n != 1 {
		t.Errorf("waiting count %d, want 1", n)
	}

	// Another client (an agent's SOS Call over HTTP) adds a request: the
	// row appears from the event, with no polling, and Tess is notified.
	test.AssertNotificationSent(t, &fyne.Notification{Title: "New request", Content: "Aaron — Help Desk"}, func() {
		b.sos(ch.ID, "Aaron")
		h.waitFor("new row", func() bool { return len(v.queue.Rows()) == 2 })
	})
	v.SetFilter("queued")
	if got := len(v.queue.Rows()); got != 2 {
		t.Errorf("queued filter: %d rows", got)
	}
	v.SetFilter("closed")
	if got := len(v.queue.Rows()); got != 0 {
		t.Errorf("closed filter: %d rows", got)
	}
	v.SetFilter("all")

	// Sorting by end user, then reversed.
	v.queue.SortBy(1)
	if a, b := v.queue.CellText(0, 1), v.queue.CellText(1, 1); a != "Aaron" || b != "Early Bird" {
		t.Errorf("sorted by end user: %q %q", a, b)
	}
	v.queue.SortBy(1)
	if a := v.queue.CellText(0, 1); a != "Early Bird" {
		t.Errorf("reversed: %q", a)
	}
	// The row shows OS and IP of the device before connecting.
	row := strings.Join([]string{v.queue.CellText(0, 5), v.queue.CellText(0, 6)}, " | ")
	if !strings.Contains(row, "Linux Debian 12") || !strings.Contains(row, "192.168.1.20") {
		t.Errorf("device columns: %q", row)
	}

	// Busy: no notifications.
	h.c.main.availability.SetSelected("Busy")
	h.waitFor("busy", func() bool { return h.c.m.Me().Availability == "busy" })
	test.AssertNotificationSent(t, nil, func() {
		b.sos(ch.ID, "Carla")
		h.waitFor("third row", func() bool { return len(v.queue.Rows()) == 3 })
	})
}

func TestTakeTransferReleaseClose(t *testing.T) {
	b := newBroker(t, nil)
	g := b.group("Tier 1")
	g2 := b.group("Tier 2")
	b.tech("tess@example.com", "technician", []int64{g})
	tom := b.tech("tom@example.com", "technician", []int64{g, g2})
	ch := b.channel(api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{g}, AcceptsSOS: true})
	ch2 := b.channel(api.ChannelRequest{Name: "Second line", GroupIDs: []int64{g2}})
	s1 := b.sos(ch.ID, "Aaron").Session.SessionID
	s2 := b.sos(ch.ID, "Berta").Session.SessionID

	h := newHarness(t, b)
	h.loginAs("tess@example.com")

	// Take through the detail window.
	d := h.detail(s1)
	if !visible(d.buttons[ActTake]) {
		t.Fatal("Assign to me not offered on a queued session")
	}
	h.tap(d.buttons[ActTake])
	h.waitFor("taken", func() bool { return d.s.State == "active" && d.s.AssigneeID == h.c.m.Me().ID })
	h.waitFor("home row", func() bool { return len(h.c.main.home.Rows()) == 1 })
	for _, a := range []Action{ActRelease, ActTransfer, ActClose, ActRemote, ActInvite} {
		if !visible(d.buttons[a]) {
			t.Errorf("%s not offered to the assignee", a)
		}
	}
	if visible(d.buttons[ActTake]) || visible(d.buttons[ActDelete]) {
		t.Error("take or delete offered to a technician who took the session")
	}

	// Transfer to Tom: it leaves Tess's Home (she cannot see others' sessions).
	test.Tap(d.buttons[ActTransfer]) // opens the dialog (after listing technicians)
	h.pump()
	d.Transfer(api.TransferRequest{TechnicianID: tom.ID})
	h.waitFor("transferred", func() bool { return len(h.c.main.home.Rows()) == 0 })
	if _, ok := h.c.m.Session(s1); ok {
		t.Error("a transferred session stays in the previous assignee's lists")
	}

	// Release and close the second one.
	d2 := h.detail(s2)
	h.tap(d2.buttons[ActTake])
	h.waitFor("taken", func() bool { return d2.s.State == "active" })
	h.tap(d2.buttons[ActRelease])
	h.waitFor("released", func() bool { return d2.s.State == "queued" && d2.s.AssigneeID == 0 })
	if visible(d2.buttons[ActRelease]) || visible(d2.buttons[ActClose]) || !visible(d2.buttons[ActTake]) {
		t.Error("after release: actions of the queue expected")
	}
	h.tap(d2.buttons[ActTake])
	h.waitFor("taken again", func() bool { return d2.s.State == "active" || d2.status.Text != "" })
	if d2.status.Text != "" {
		t.Fatalf("take again: %s (disabled %v)", d2.status.Text, d2.buttons[ActTake].Disabled())
	}
	// Transfer into the second-line channel, then Tess no longer sees it either.
	if !visible(d2.buttons[ActTransfer]) {
		t.Fatal("transfer hidden")
	}
	h.tap(d2.buttons[ActClose])
	h.waitFor("closed", func() bool { return d2.s.State == "closed" })
	if visible(d2.buttons[ActClose]) || visible(d2.buttons[ActRemote]) {
		t.Error("close or remote offered on a closed session")
	}
	h.waitFor("timeline", func() bool {
		last := d2.timeline[len(d2.timeline)-1]
		return last.Action == "close"
	})

	// Transfer into the second-line channel (not routed to Tess, but
	// offered by the broker's transfer targets): the session leaves her lists.
	s3 := b.sos(ch.ID, "Carla").Session.SessionID
	d3 := h.detail(s3)
	h.tap(d3.buttons[ActTake])
	h.waitFor("taken", func() bool { return d3.s.State == "active" })
	h.c.mu.Lock()
	cl := h.c.client
	h.c.mu.Unlock()
	targets, err := cl.TransferTargets(context.Background(), s3)
	if err != nil {
		t.Fatal(err)
	}
	others, _ := transferOptions(targets, ch.ID)
	if len(others) != 1 || others[0].ChannelID != ch2.ID {
		t.Errorf("transfer offers %+v; want second line, although it is not routed to Tess", others)
	}
	d3.Transfer(api.TransferRequest{ChannelID: ch2.ID})
	h.waitFor("moved to second line", func() bool { _, ok := h.c.m.Session(s3); return !ok })
}

func TestActionsHiddenWithoutRights(t *testing.T) {
	b := newBroker(t, nil)
	g := b.group("Tier 1")
	b.tech("limited@example.com", "technician", []int64{g}, "transfer", "close", "invite", "remote_control", "file_transfer")
	ch := b.channel(api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{g}, AcceptsSOS: true})
	s := b.sos(ch.ID, "Aaron").Session.SessionID

	h := newHarness(t, b)
	h.loginAs("limited@example.com")
	d := h.detail(s)
	h.tap(d.buttons[ActTake])
	h.waitFor("taken", func() bool { return d.s.State == "active" })
	for _, a := range []Action{ActTransfer, ActClose, ActInvite, ActDelete} {
		if visible(d.buttons[a]) {
			t.Errorf("%s offered without the right", a)
		}
	}
	for _, a := range []Action{ActRelease, ActRemote} {
		if !visible(d.buttons[a]) {
			t.Errorf("%s not offered", a)
		}
	}
	if d.attach.Visible() {
		t.Error("file sending offered without the file_transfer right")
	}
	if CanControl(h.c.m.Me()) {
		t.Error("remote control allowed without the right")
	}

	// The owner manages every session: delete is offered, with confirmation.
	ho := newHarness(t, b)
	ho.loginAs("owner@example.com")
	do := ho.detail(s)
	if !visible(do.buttons[ActDelete]) {
		t.Fatal("delete not offered to the owner")
	}
	test.Tap(do.buttons[ActDelete])
	// The confirmation dialog is up; nothing is deleted yet.
	if _, ok := ho.c.m.Session(s); !ok {
		t.Fatal("deleted without confirmation")
	}
	do.delete()
	ho.waitFor("deleted", func() bool { _, ok := ho.c.m.Session(s); return !ok })
	h.waitFor("gone from the technician's home", func() bool { return len(h.c.main.home.Rows()) == 0 })
}

func TestFirstLineTimer(t *testing.T) {
	b := newBroker(t, nil)
	g := b.group("Tier 1")
	b.tech("tess@example.com", "technician", []int64{g})
	ch := b.channel(api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{g}, AcceptsSOS: true, FirstLineLimitSeconds: 600})
	s := b.sos(ch.ID, "Aaron").Session.SessionID

	h := newHarness(t, b)
	h.loginAs("tess@example.com")
	d := h.detail(s)
	h.tap(d.buttons[ActTake])
	h.waitFor("taken", func() bool { return d.s.TakenAt != nil })
	taken := *d.s.TakenAt
	home := h.c.main.home

	h.setNow(taken.Add(9 * time.Minute))
	h.c.Tick()
	if d.Over() || home.Highlighted(0) {
		t.Error("highlighted before the channel's 10-minute limit")
	}
	if got := home.CellText(0, 3); got != "9:00 / 10:00" {
		t.Errorf("timer cell %q", got)
	}
	h.setNow(taken.Add(10*time.Minute + time.Second))
	h.c.Tick()
	if !d.Over() || !home.Highlighted(0) {
		t.Error("not highlighted past the limit")
	}
	if !strings.Contains(d.overText.Text, "Consider transferring") {
		t.Errorf("no transfer suggestion: %q", d.overText.Text)
	}
	// The default limit is 15 minutes.
	if FirstLineLimit(&api.Channel{}) != 15*time.Minute {
		t.Error("default first-line limit")
	}
}

func TestParseCode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  error
	}{
		{"123456789", "123456789", nil},
		{"123 456 789", "123456789", nil},
		{" 123 456 789 ", "123456789", nil},
		{"", "", ErrCodeIncomplete},
		{"123 45", "12345", ErrCodeIncomplete},
		{"123 ", "123", ErrCodeIncomplete},
		{"12 3", "", ErrCodeInvalid},
		{"1234 56789", "", ErrCodeInvalid},
		{"123  456", "", ErrCodeInvalid},
		{"123 456 78a", "", ErrCodeInvalid},
		{"1234567890", "", ErrCodeInvalid},
		{"123-456-789", "", ErrCodeInvalid},
	} {
		got, err := ParseCode(tc.in)
		if !errors.Is(err, tc.err) || (tc.err != ErrCodeInvalid && got != tc.want) {
			t.Errorf("ParseCode(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestConnectByCode(t *testing.T) {
	b := newBroker(t, nil)
	g := b.group("Tier 1")
	b.tech("tess@example.com", "technician", []int64{g})
	b.channel(api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{g}})
	var j api.AgentJoinResponse
	b.must(201, "POST", "/agent/code", "", api.AgentCodeRequest{Name: "Aaron", Device: testDevice}, &j)

	h := newHarness(t, b)
	h.loginAs("tess@example.com")
	d := h.c.newCodeDialog()
	test.Type(d.code, "123 45")
	if !d.claim.Disabled() || d.hint.Text != "5 of 9 digits." {
		t.Errorf("incomplete: disabled=%v hint=%q", d.claim.Disabled(), d.hint.Text)
	}
	test.Type(d.code, "x")
	if !d.claim.Disabled() || !strings.Contains(d.hint.Text, "Only digits") {
		t.Errorf("invalid: %q", d.hint.Text)
	}
	d.code.SetText(j.Code[:3] + " " + j.Code[3:6] + " " + j.Code[6:])
	if d.claim.Disabled() {
		t.Fatalf("complete code %q not accepted: %q", d.code.Text, d.hint.Text)
	}
	test.Tap(d.claim)
	h.waitFor("claimed session opens", func() bool { return h.c.details[j.Session.SessionID] != nil })
	ds := h.c.details[j.Session.SessionID]
	h.waitFor("active", func() bool { return ds.s.State == "active" })
}

func TestSlowBrokerDoesNotBlockUI(t *testing.T) {
	gate := make(chan struct{})
	entered := make(chan struct{}, 1)
	slow := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/take") {
				entered <- struct{}{}
				<-gate
			}
			next.ServeHTTP(w, r)
		})
	}
	b := newBroker(t, slow)
	g := b.group("Tier 1")
	b.tech("tess@example.com", "technician", []int64{g})
	ch := b.channel(api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{g}, AcceptsSOS: true})
	s := b.sos(ch.ID, "Aaron").Session.SessionID

	h := newHarness(t, b)
	h.loginAs("tess@example.com")
	d := h.detail(s)

	start := time.Now()
	h.tap(d.buttons[ActTake])
	if el := time.Since(start); el > 200*time.Millisecond {
		t.Errorf("tapping Assign to me blocked the UI goroutine for %v", el)
	}
	<-entered // the request is at the broker, held there
	probed := false
	h.c.ui(func() { probed = true })
	h.waitFor("probe while the request is in flight", func() bool { return probed })
	if d.s.State != "queued" || !d.buttons[ActTake].Disabled() {
		t.Errorf("while waiting: state %s, take disabled %v", d.s.State, d.buttons[ActTake].Disabled())
	}
	// A new SOS still shows up live while the take hangs.
	b.sos(ch.ID, "Berta")
	h.waitFor("live update while busy", func() bool { return len(h.c.main.channels.queue.Rows()) == 2 })
	close(gate)
	h.waitFor("taken", func() bool { return d.s.State == "active" })
}

func TestRemoteSessionConsent(t *testing.T) {
	b := newBroker(t, nil)
	g := b.group("Tier 1")
	b.tech("tess@example.com", "technician", []int64{g})
	ch := b.channel(api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{g}, AcceptsSOS: true})
	j := b.sos(ch.ID, "Aaron")
	s := j.Session.SessionID

	h := newHarness(t, b)
	h.loginAs("tess@example.com")
	d := h.detail(s)
	if visible(d.buttons[ActRemote]) {
		t.Error("remote session offered before taking the session")
	}
	h.tap(d.buttons[ActTake])
	h.waitFor("taken", func() bool { return d.s.State == "active" && !d.buttons[ActRemote].Disabled() })
	if !visible(d.buttons[ActRemote]) {
		t.Fatal("remote session not offered")
	}

	answer := func(answer string) {
		id := d.consentID
		b.must(200, "POST", fmt.Sprintf("/agent/consents/%d", id), j.Token, api.ConsentAnswerRequest{Answer: answer}, nil)
	}

	d.RequestRemote("control")
	h.waitFor("waiting for the end user", func() bool { return d.consentID > 0 })
	if d.RemoteStatus() != "Waiting for the end user to allow…" {
		t.Errorf("status %q", d.RemoteStatus())
	}
	if len(h.viewers) != 1 || h.viewers[0] != fmt.Sprintf("%d/control/%d", s, d.consentID) {
		t.Errorf("viewer hook calls %v", h.viewers)
	}
	answer("deny")
	h.waitFor("denied", func() bool { return strings.Contains(d.RemoteStatus(), "denied") })

	d.RequestRemote("control")
	h.waitFor("second request", func() bool { return d.consentID > 0 })
	answer("allow_view")
	h.waitFor("allowed", func() bool { return strings.Contains(d.RemoteStatus(), "allowed you to view the screen") })
	if d.buttons[ActRemote].Disabled() {
		t.Error("Start remote session stays disabled after the answer")
	}
}

func TestChatAndAttachment(t *testing.T) {
	b := newBroker(t, nil)
	g := b.group("Tier 1")
	b.tech("tess@example.com", "technician", []int64{g})
	ch := b.channel(api.ChannelRequest{Name: "Help Desk", GroupIDs: []int64{g}, AcceptsSOS: true})
	j := b.sos(ch.ID, "Aaron")
	s := j.Session.SessionID

	h := newHarness(t, b)
	h.loginAs("tess@example.com")
	d := h.detail(s)
	h.tap(d.buttons[ActTake])
	h.waitFor("taken", func() bool { return d.s.State == "active" && d.chatBox.Visible() })

	test.Type(d.entry, "Hello Aaron")
	test.Tap(d.send)
	h.waitFor("my message", func() bool { return len(d.msgs) == 1 && d.msgs[0].Text == "Hello Aaron" })
	// The end user answers: the message arrives live.
	b.must(201, "POST", "/agent/messages", j.Token, api.PostMessageRequest{Text: "Hi!"}, nil)
	h.waitFor("end user's message", func() bool { return len(d.msgs) == 2 && d.msgs[1].From == "agent" })

	// An attachment with a progress bar.
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, bytes.Repeat([]byte("log line\n"), 20000), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := storage.Reader(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	d.upload("notes.txt", r, 180000)
	if !d.chatBox.Objects[0].Visible() || d.progText.Text != "Sending notes.txt" {
		t.Errorf("no progress bar while sending: %q", d.progText.Text)
	}
	h.waitFor("attachment", func() bool {
		return len(d.msgs) == 3 && d.msgs[2].Attachment != nil && d.msgs[2].Attachment.Size == 180000
	})
	if d.progress.Max != 180000 {
		t.Errorf("progress max %v", d.progress.Max)
	}
	// The event may show the message before the upload's answer hides the bar.
	h.waitFor("progress bar hidden after the upload", func() bool { return !d.chatBox.Objects[0].Visible() })
}

// SignIn is what --email and --password-file do at start: without a
// password it only prefills; with one it signs in, and forgets the password.
func TestSignIn(t *testing.T) {
	b := newBroker(t, nil)
	h := newHarness(t, b)
	h.c.login.broker.SetText(b.ts.URL)
	h.c.SignIn("owner@example.com", "")
	h.pump()
	if h.c.main != nil || h.c.login.email.Text != "owner@example.com" || h.c.login.password.Text != "" {
		t.Fatalf("SignIn without a password: main %v, email %q", h.c.main != nil, h.c.login.email.Text)
	}
	h.c.SignIn("owner@example.com", password)
	h.waitFor("login", func() bool { return h.c.main != nil })
	if h.c.Me().Email != "owner@example.com" || h.c.login.password.Text != "" {
		t.Errorf("signed in as %q; password field %q", h.c.Me().Email, h.c.login.password.Text)
	}
	h.c.SignIn("someone@example.com", password) // after login: nothing happens
	h.pump()
	if h.c.Me().Email != "owner@example.com" {
		t.Errorf("second SignIn changed the account to %q", h.c.Me().Email)
	}
}
