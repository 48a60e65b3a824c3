package sos

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/input"
)

const testLink = "https://support.example.com/s/abcdefghijklmnopqrstuvwxyz012345"

var activeSession = api.AgentSession{SessionID: 7, Kind: "link", State: "active", EndUserName: "Aaron",
	OrgName: "Example Corp", ChannelName: "Help Desk", TechnicianName: "Tess Tech"}

func TestGroupCode(t *testing.T) {
	for in, want := range map[string]string{"123456789": "123 456 789", "12345": "123 45", "": ""} {
		if got := GroupCode(in); got != want {
			t.Errorf("GroupCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseLink(t *testing.T) {
	base, token, err := ParseLink("  " + testLink + "/ ")
	if err != nil || base != "https://support.example.com" || token != "abcdefghijklmnopqrstuvwxyz012345" {
		t.Fatalf("ParseLink = %q, %q, %v", base, token, err)
	}
	for _, bad := range []string{"", "support.example.com/s/x", "https://support.example.com/", "ftp://x/s/abcdefghijklmnopqrstuvwxyz"} {
		if _, _, err := ParseLink(bad); err == nil {
			t.Errorf("ParseLink(%q) accepted", bad)
		}
	}
}

func TestStartScreenWithoutBroker(t *testing.T) {
	h := newHarness(t, Config{NewBroker: fixedBroker(newFakeBroker(activeSession))})
	h.screen(ScreenStart)
	h.ui(func() {
		u := &h.app.ui
		if !u.codeBtn.Disabled() || !u.sosBtn.Disabled() {
			t.Error("code and SOS Call buttons enabled without a broker")
		}
		test.Type(u.linkEntry, "not a link")
		u.linkEntry.OnSubmitted(u.linkEntry.Text)
	})
	h.wait("link error", func() bool {
		return h.app.Screen() == ScreenStart && h.app.ui.startErr.Visible() && strings.Contains(h.app.ui.startErr.Text, "not a valid support link")
	})
	// A good link joins, and the trust banner names the organisation and technician.
	h.ui(func() {
		test.Type(h.app.ui.linkEntry, testLink)
		h.app.ui.linkEntry.OnSubmitted(h.app.ui.linkEntry.Text)
	})
	h.screen(ScreenSession)
	h.ui(func() {
		if got := h.app.ui.orgText.Text; got != "Support from Example Corp" {
			t.Errorf("banner org %q", got)
		}
		if got := h.app.ui.techText.Text; got != "Your technician: Tess Tech" {
			t.Errorf("banner technician %q", got)
		}
	})
}

func TestJoinFailureShowsBrokerMessage(t *testing.T) {
	b := newFakeBroker(activeSession)
	b.joinErr = &api.Error{Code: "gone", Message: "this support link has expired; ask your technician for a new one"}
	h := newHarness(t, Config{Link: testLink, NewBroker: fixedBroker(b)})
	h.screen(ScreenError)
	h.ui(func() {
		if got := h.app.ui.errText.Text; !strings.Contains(got, "expired") {
			t.Errorf("error text %q", got)
		}
		if h.app.ui.retry != nil {
			t.Error("an expired link offers a retry")
		}
	})
}

func TestCodeScreen(t *testing.T) {
	sess := api.AgentSession{SessionID: 9, Kind: "code", State: "waiting", OrgName: "Example Corp"}
	b := newFakeBroker(sess)
	b.join.Code = "123456789"
	h := newHarness(t, Config{BrokerURL: "https://support.example.com", NewBroker: fixedBroker(b)})
	h.screen(ScreenStart)
	h.ui(func() { test.Tap(h.app.ui.codeBtn) })
	h.screen(ScreenCode)
	h.ui(func() {
		if got := h.app.ui.codeText.Text; got != "123 456 789" {
			t.Errorf("code shown as %q", got)
		}
		test.Tap(h.app.ui.copyBtn)
		if got := h.app.fa.Clipboard().Content(); got != "123456789" {
			t.Errorf("clipboard %q", got)
		}
		if got := h.app.ui.techText.Text; got != "Waiting for a technician…" {
			t.Errorf("banner %q", got)
		}
	})
	// The technician claims the code: the session screen names them.
	h.wait("events", func() bool { return b.ev() != nil })
	claimed := sess
	claimed.State, claimed.TechnicianName = "active", "Tess Tech"
	b.ev().push(t, "session.updated", claimed)
	h.screen(ScreenSession)
	h.ui(func() {
		if got := h.app.ui.techText.Text; got != "Your technician: Tess Tech" {
			t.Errorf("banner %q", got)
		}
	})
}

func TestSOSFormValidation(t *testing.T) {
	sess := api.AgentSession{SessionID: 11, Kind: "sos", State: "queued", OrgName: "Example Corp", ChannelName: "Design"}
	b := newFakeBroker(sess)
	b.channels = []api.SOSChannel{{ID: 1, Name: "Help Desk"}, {ID: 2, Name: "Design"}}
	h := newHarness(t, Config{BrokerURL: "https://support.example.com", NewBroker: fixedBroker(b)})
	h.ui(func() { test.Tap(h.app.ui.sosBtn) })
	h.screen(ScreenSOSForm)
	steps := []struct {
		do   func(u *ui)
		want string
	}{
		{func(u *ui) {}, "Please enter your name."},
		{func(u *ui) { test.Type(u.nameEntry, "  Aaron Apple ") }, "Please describe your problem."},
		{func(u *ui) { u.problemEntry.SetText(strings.Repeat("x", maxProblemRunes+1)) }, "The description is too long; please shorten it."},
		{func(u *ui) { u.problemEntry.SetText("The printer prints only blank pages.") }, "Please choose who should help you."},
	}
	for _, s := range steps {
		h.ui(func() {
			u := &h.app.ui
			s.do(u)
			test.Tap(u.submit)
			if !u.formErr.Visible() || u.formErr.Text != s.want {
				t.Errorf("form error %q (visible %v), want %q", u.formErr.Text, u.formErr.Visible(), s.want)
			}
		})
	}
	if len(b.sos) != 0 {
		t.Fatalf("an invalid form was sent: %+v", b.sos)
	}
	h.ui(func() {
		h.app.ui.channel.SetSelected("Design")
		test.Tap(h.app.ui.submit)
	})
	h.screen(ScreenQueue)
	b.mu.Lock()
	got := b.sos
	b.mu.Unlock()
	if len(got) != 1 || got[0].ChannelID != 2 || got[0].Name != "Aaron Apple" || got[0].Problem != "The printer prints only blank pages." || got[0].Device.Hostname != "pc-1" {
		t.Fatalf("SOS Call sent as %+v", got)
	}
	h.ui(func() {
		if got := h.app.ui.waitText.Text; got != "Waiting for 00:00" {
			t.Errorf("wait text %q", got)
		}
	})
	h.advance(65 * time.Second)
	h.ui(func() {
		if got := h.app.ui.waitText.Text; got != "Waiting for 01:05" {
			t.Errorf("wait text after 65 s %q", got)
		}
	})
}

func TestSOSFormPreselectedSingleChannel(t *testing.T) {
	b := newFakeBroker(api.AgentSession{SessionID: 12, State: "queued"})
	b.channels = []api.SOSChannel{{ID: 5, Name: "Help Desk"}}
	h := newHarness(t, Config{BrokerURL: "https://x", NewBroker: fixedBroker(b)})
	h.ui(func() { test.Tap(h.app.ui.sosBtn) })
	h.screen(ScreenSOSForm)
	h.ui(func() {
		if h.app.ui.channel != nil {
			t.Error("a channel picker for one channel")
		}
		test.Type(h.app.ui.nameEntry, "Aaron")
		test.Type(h.app.ui.problemEntry, "Mail does not start")
		test.Tap(h.app.ui.submit)
	})
	h.screen(ScreenQueue)
	if b.sos[0].ChannelID != 5 {
		t.Fatalf("channel %d", b.sos[0].ChannelID)
	}
}

// joinActive starts an App on a link to an active session and waits for
// its events connection.
func joinActive(t *testing.T) (*harness, *fakeBroker, *hostRecorder) {
	b := newFakeBroker(activeSession)
	rec := &hostRecorder{}
	h := newHarness(t, Config{Link: testLink, NewBroker: fixedBroker(b), Host: rec.factory})
	h.screen(ScreenSession)
	h.wait("events", func() bool { return b.ev() != nil })
	return h, b, rec
}

func consentReq(id int64, mode string) api.Consent {
	return api.Consent{ID: id, SessionID: 7, TechnicianID: 3, Technician: "Tess Tech", Mode: mode, Answer: "pending"}
}

func TestConsentDeniesByItselfAfter30s(t *testing.T) {
	h, b, rec := joinActive(t)
	b.ev().push(t, "consent.requested", consentReq(21, "control"))
	h.wait("dialog", func() bool { p := h.app.promptFor(21); return p != nil && p.dlg != nil })
	h.ui(func() {
		p := h.app.promptFor(21)
		if p.allowControl == nil || p.allowView == nil || p.deny == nil {
			t.Fatal("dialog lacks a button")
		}
		if got := p.countdown.Text; got != "Denied automatically in 30 s." {
			t.Errorf("countdown %q", got)
		}
	})
	h.advance(29 * time.Second)
	if answers, _ := b.calls(); len(answers) != 0 {
		t.Fatalf("answered before 30 s: %v", answers)
	}
	h.ui(func() {
		if got := h.app.promptFor(21).countdown.Text; got != "Denied automatically in 1 s." {
			t.Errorf("countdown %q", got)
		}
	})
	h.advance(time.Second)
	h.wait("deny", func() bool { a, _ := b.calls(); return slices.Equal(a, []string{"21:deny"}) })
	h.wait("dialog closed", func() bool { return h.app.promptFor(21) == nil && len(h.app.win.Canvas().Overlays().List()) == 0 })
	if len(rec.all()) != 0 {
		t.Fatal("a sharing host was created without consent")
	}
	h.wait("notice", func() bool { return strings.Contains(h.app.ChatText(), "You did not allow access") })
}

func TestAllowViewingStaysViewOnly(t *testing.T) {
	h, b, rec := joinActive(t)
	b.ev().push(t, "consent.requested", consentReq(22, "view"))
	h.wait("dialog", func() bool { p := h.app.promptFor(22); return p != nil && p.dlg != nil })
	h.ui(func() {
		p := h.app.promptFor(22)
		if p.allowControl != nil {
			t.Error("Allow control offered for a view request")
		}
		test.Tap(p.allowView)
	})
	h.wait("indicator", func() bool { return h.app.Indicator() == "Tess Tech is viewing your screen" })
	hosts := rec.all()
	if len(hosts) != 1 || hosts[0].req.Control || hosts[0].req.TechnicianID != 3 {
		t.Fatalf("hosts %+v", hosts)
	}
	if modes, _, _ := hosts[0].state(); !slices.Equal(modes, []input.Mode{input.ModeViewOnly}) {
		t.Fatalf("modes %v", modes)
	}
	// A forged control answer for a view request is turned into a view.
	b.ev().push(t, "consent.requested", consentReq(23, "view"))
	h.wait("dialog", func() bool { return h.app.promptFor(23) != nil })
	h.app.answer(23, answerControl)
	h.wait("answer", func() bool { a, _ := b.calls(); return len(a) == 2 })
	if a, _ := b.calls(); a[1] != "23:allow_view" {
		t.Fatalf("answers %v", a)
	}

	// Stop: the host stops at once, the indicator goes.
	h.ui(func() { test.Tap(h.app.ui.stop) })
	if _, stopped, _ := hosts[0].state(); !stopped {
		t.Fatal("Stop did not stop the host at once")
	}
	h.wait("indicator hidden", func() bool { return h.app.Indicator() == "" })
	h.wait("host closed", func() bool { _, _, closed := hosts[0].state(); return closed })
	if _, _, ok := h.app.Sharing(); ok {
		t.Fatal("still sharing after Stop")
	}
}

func TestAllowControlAndSessionClose(t *testing.T) {
	h, b, rec := joinActive(t)
	b.ev().push(t, "consent.requested", consentReq(24, "control"))
	h.wait("dialog", func() bool { p := h.app.promptFor(24); return p != nil && p.dlg != nil })
	h.ui(func() { test.Tap(h.app.promptFor(24).allowControl) })
	h.wait("indicator", func() bool { return h.app.Indicator() == "Tess Tech is controlling your screen" })
	host := rec.all()[0]
	if !host.req.Control {
		t.Fatal("control host made without input")
	}
	// The technician closes the session: sharing ends, the survey shows.
	closed := activeSession
	closed.State = "closed"
	b.ev().push(t, "session.updated", closed)
	h.screen(ScreenSurvey)
	if _, stopped, _ := host.state(); !stopped {
		t.Fatal("sharing survived the session's end")
	}
	h.wait("indicator hidden", func() bool { return h.app.Indicator() == "" })
}

func TestSurveySentOnce(t *testing.T) {
	h, b, _ := joinActive(t)
	closed := activeSession
	closed.State = "closed"
	b.ev().push(t, "session.updated", closed)
	h.screen(ScreenSurvey)
	h.ui(func() {
		u := &h.app.ui
		if !u.surveySend.Disabled() {
			t.Error("Send enabled before a rating was chosen")
		}
		test.Tap(u.stars[3])
		test.Type(u.comment, "Quick and friendly")
		test.Tap(u.surveySend)
		test.Tap(u.surveySend)
	})
	h.wait("thanks", func() bool { return strings.HasPrefix(h.app.ui.surveyMsg.Text, "Thank you") })
	h.app.sendRating() // even a direct second call sends nothing
	b.ev().push(t, "session.updated", closed)
	time.Sleep(50 * time.Millisecond)
	if _, ratings := b.calls(); !slices.Equal(ratings, []int{4}) {
		t.Fatalf("ratings sent: %v", ratings)
	}
	h.ui(func() {
		if !h.app.ui.stars[0].Disabled() || !h.app.ui.surveySend.Disabled() {
			t.Error("survey still editable after sending")
		}
	})
}

func TestReconnectingBar(t *testing.T) {
	h, b, _ := joinActive(t)
	ev := b.ev()
	ev.cfg.OnState(LinkReconnecting)
	h.ui(func() {
		if !h.app.ui.linkBar.Visible() || h.app.ui.linkText.Text != "Connection lost. Reconnecting…" {
			t.Errorf("link bar %v %q", h.app.ui.linkBar.Visible(), h.app.ui.linkText.Text)
		}
	})
	ev.cfg.OnState(LinkConnected)
	h.ui(func() {
		if h.app.ui.linkBar.Visible() {
			t.Error("link bar still shown after reconnecting")
		}
	})
}

func TestChatAndFiles(t *testing.T) {
	h, b, _ := joinActive(t)
	ev := b.ev()
	// Text both ways.
	ev.push(t, "chat.message", api.Message{ID: 1, From: "technician", FromName: "Tess Tech", Text: "Hello Aaron", At: time.Now()})
	h.ui(func() {
		test.Type(h.app.ui.chatEntry, "Hi Tess")
		test.Tap(h.app.ui.sendBtn)
	})
	h.wait("chat", func() bool {
		c := h.app.ChatText()
		return strings.Contains(c, "Hello Aaron") && strings.Contains(c, "Hi Tess")
	})
	// Received files land in Downloads under safe, new names.
	if err := os.WriteFile(filepath.Join(h.dl, "report.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	b.files[31], b.files[32] = "first", "second"
	b.mu.Unlock()
	ev.push(t, "chat.message", api.Message{ID: 2, From: "technician", FromName: "Tess Tech", At: time.Now(),
		Attachment: &api.Attachment{ID: 31, Name: "report.txt", Size: 5}})
	ev.push(t, "chat.message", api.Message{ID: 3, From: "technician", FromName: "Tess Tech", At: time.Now(),
		Attachment: &api.Attachment{ID: 32, Name: "../../.bashrc", Size: 6}})
	h.wait("saved", func() bool { return strings.Count(h.app.ChatText(), "Saved in Downloads") == 2 })
	for name, want := range map[string]string{"report.txt": "mine", "report (2).txt": "first", "bashrc": "second"} {
		got, err := os.ReadFile(filepath.Join(h.dl, name))
		if err != nil || string(got) != want {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	// A refused upload says why.
	b.mu.Lock()
	b.sendErr = &api.Error{Code: "invalid", Message: "files of type .exe are not allowed in this channel"}
	b.mu.Unlock()
	exe := filepath.Join(t.TempDir(), "setup.exe")
	os.WriteFile(exe, []byte("MZ"), 0o644)
	h.ui(func() { h.app.SendFile(exe) })
	h.wait("refusal", func() bool {
		return strings.Contains(h.app.ChatText(), "setup.exe was not sent: Files of type .exe are not allowed in this channel.")
	})
	b.mu.Lock()
	b.sendErr = nil
	b.mu.Unlock()
	log := filepath.Join(t.TempDir(), "app.log")
	os.WriteFile(log, []byte("log line"), 0o644)
	h.ui(func() { h.app.SendFile(log) })
	h.wait("sent", func() bool { return strings.Contains(h.app.ChatText(), "app.log was sent.") })
}

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{"": "", "this link expired": "This link expired.", "über alles!": "Über alles!"} {
		if got := sentence(in); got != want {
			t.Errorf("sentence(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRefreshOlderThanEvent: the session's refresh once the events are
// connected asks the broker while the session is queued; the technician
// takes it, and the event saying so arrives before the refresh's answer.
// The older answer does not undo what the event showed.
func TestRefreshOlderThanEvent(t *testing.T) {
	queued := activeSession
	queued.Kind, queued.State, queued.TechnicianName = "sos", "queued", ""
	b := newFakeBroker(queued)
	release := b.holdSession()
	h := newHarness(t, Config{Link: testLink, NewBroker: fixedBroker(b)})
	t.Cleanup(release) // before the harness's Close, which waits for the refresh
	h.screen(ScreenQueue)
	h.wait("the refresh asked", func() bool { return b.sessionCalls() == 1 })

	b.setSession(activeSession)
	b.ev().push(t, "session.updated", activeSession)
	const named = "Your technician: Tess Tech"
	h.wait("technician named", func() bool { return h.app.ui.techText.Text == named })

	release()
	h.app.Close() // waits for the refresh
	h.ui(func() {
		if got := h.app.ui.techText.Text; got != named {
			t.Errorf("technician %q after the refresh, want %q", got, named)
		}
		if got := h.app.Screen(); got != ScreenSession {
			t.Errorf("screen %q, want %q", got, ScreenSession)
		}
	})
	if s := h.app.State(); s.State != "active" {
		t.Errorf("session %q after the refresh, want active", s.State)
	}
}
