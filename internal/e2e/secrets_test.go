//go:build linux

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// TestSecretsNeverLogged runs every flow that carries a secret with every
// log captured at debug level — the broker binary's stdout and stderr and
// its admin commands, each apiclient's logger, and the media/rtc (and
// pion) loggers of both peers — then searches every line for each
// secret: passwords, bearer tokens, the support link token, the 9-digit
// code, chat text, typed text, keystrokes and clipboard text.
func TestSecretsNeverLogged(t *testing.T) {
	const (
		ownerPass   = "owner-pw-Zx9!secret"
		techPass    = "tech-pw-Qv7!secret"
		newTechPass = "newtech-pw-Lm4!secret"
		chatTech    = "chat-from-tech-7Yq-secret"
		chatUser    = "chat-from-user-3Kp-secret"
		chatCode    = "chat-code-session-9Hd-secret"
		typed       = "hunter2-typed"
		clipboard   = "clipboard-secret-8Rw"
		// A scancode no log would print by chance: if a keystroke is
		// logged, its scancode is.
		scancode = 0x7E57C0DE
	)
	keys := []string{"H", "U", "N", "T", "E", "R", "2"}

	ls := &logs{}
	display := xvfbtest.Start(t, screenW, screenH)
	scr := newScreen(t, display)
	scr.setScene(red)

	b := newBroker(t, ls, "debug")
	b.seed(ownerPass, techPass)
	b.start()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Owner and technician sign in; the owner creates another technician.
	owner := newParty(t, "owner", b.base, ls.logger("apiclient owner"))
	if _, err := owner.c.Login(ctx, ownerEmail, ownerPass); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.c.Login(ctx, ownerEmail, "wrong-"+ownerPass); !apiclient.IsCode(err, apiclient.CodeUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := owner.c.Login(ctx, ownerEmail, ownerPass); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.c.CreateTechnician(ctx, api.CreateTechnicianRequest{Email: "nina@example.com", Name: "Nina", Role: "technician", Password: newTechPass}); err != nil {
		t.Fatal(err)
	}
	tech := newParty(t, "technician", b.base, ls.logger("apiclient technician"))
	if _, err := tech.c.Login(ctx, techEmail, techPass); err != nil {
		t.Fatal(err)
	}
	tech.connect(t, 0)
	chans, err := tech.c.ListChannels(ctx)
	if err != nil || len(chans) == 0 {
		t.Fatalf("channels: %v %v", chans, err)
	}

	// Support link: created, opened in a browser, joined by the agent.
	link, err := tech.c.CreateLink(ctx, api.CreateLinkRequest{ChannelID: chans[0].ID, EndUserName: "Aaron"})
	if err != nil {
		t.Fatal(err)
	}
	sid := link.Session.ID
	resp, err := http.Get(link.LinkURL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("support page: %s", resp.Status)
	}
	base, tok, err := apiclient.ParseLink(link.LinkURL)
	if err != nil || tok != link.LinkToken {
		t.Fatalf("ParseLink: %q %v", base, err)
	}
	agent := newParty(t, "agent", base, ls.logger("apiclient agent (link)"))
	if _, err := agent.c.JoinLink(ctx, tok, testDevice); err != nil {
		t.Fatal(err)
	}
	agent.connect(t, apiclient.SinceAll)

	// 9-digit code: requested by another agent, claimed by the technician.
	coder := newParty(t, "agent (code)", b.base, ls.logger("apiclient agent (code)"))
	code, err := coder.c.RequestCode(ctx, "Bea", testDevice)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\d{9}$`).MatchString(code.Code) {
		t.Fatalf("code %q", code.Code)
	}
	coder.connect(t, apiclient.SinceAll)
	if claimed, err := tech.c.ClaimCode(ctx, code.Code, 0); err != nil || claimed.State != "active" {
		t.Fatalf("claim code: %v %v", claimed, err)
	}

	// Chat on both sessions.
	if _, err := tech.c.PostMessage(ctx, sid, chatTech); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.c.AgentPostMessage(ctx, chatUser); err != nil {
		t.Fatal(err)
	}
	if _, err := coder.c.AgentPostMessage(ctx, chatCode); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "chat on both sides", func() bool {
		return agent.hasChat(chatTech) && tech.hasChat(chatUser) && tech.hasChat(chatCode) && coder.hasChat(chatCode)
	})

	// Consent, then a remote-control session through the broker.
	consent, err := tech.c.RequestRemote(ctx, sid, "control")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.c.AnswerConsent(ctx, consent.ID, "allow_control"); err != nil {
		t.Fatal(err)
	}
	vsig := &signaler{sc: tech.ev.Signals(sid)}
	hsig := &signaler{sc: agent.ev.Signals(sid)}
	v, err := media.NewViewer(ctx, viewerConfig(ls.logger("media+rtc viewer"), nil), vsig)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	rec := &input.Recorder{}
	hlog := ls.logger("media+rtc+capture host")
	h, err := media.NewHost(ctx, hostConfig(display, rec, hlog, nil), hsig)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	fr := watchFrames(t, v)
	if err := h.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.Allow(input.ModeControl); err != nil {
		t.Fatal(err)
	}
	fr.waitScene(t, time.Now(), red, 15*time.Second)

	// Keystrokes, typed text and clipboard.
	var sent []input.Event
	for _, k := range keys {
		for _, down := range []bool{true, false} {
			sent = append(sent, input.Event{Kind: input.KindKey, Key: k, Scancode: scancode, Down: down})
		}
	}
	sent = append(sent,
		input.Event{Kind: input.KindText, Text: typed},
		input.Event{Kind: input.KindClipboard, Text: clipboard},
	)
	for _, ev := range sent {
		if err := v.SendInput(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "every input event injected", func() bool {
		return len(recorded(rec, input.KindKey, input.KindText, input.KindClipboard)) >= len(sent)
	})
	for i, ev := range recorded(rec, input.KindKey, input.KindText, input.KindClipboard)[:len(sent)] {
		if ev != sent[i] {
			t.Fatalf("injected event %d: %+v, want %+v", i, ev, sent[i])
		}
	}

	// Every token that existed, before logout forgets them.
	tokens := map[string]string{
		"owner's bearer token":      owner.c.Token(),
		"technician's bearer token": tech.c.Token(),
		"link agent's token":        agent.c.Token(),
		"code agent's token":        coder.c.Token(),
		"support link token":        link.LinkToken,
	}
	h.Close()
	v.Close()
	if _, err := tech.c.Close(ctx, sid); err != nil {
		t.Fatal(err)
	}
	if err := tech.c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if err := owner.c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	agent.ev.Close()
	coder.ev.Close()
	tech.ev.Close()
	b.stop()
	b.admin("", "audit", "verify")

	secrets := map[string]string{
		"owner password":          ownerPass,
		"technician password":     techPass,
		"new technician password": newTechPass,
		"9-digit code":            code.Code,
		"technician's chat text":  chatTech,
		"end user's chat text":    chatUser,
		"code session chat text":  chatCode,
		"typed text":              typed,
		"clipboard text":          clipboard,
		"key scancode (decimal)":  fmt.Sprint(scancode),
		"key scancode (hex)":      fmt.Sprintf("%x", scancode),
	}
	for name, tok := range tokens {
		if len(tok) < 24 {
			t.Fatalf("%s is only %d characters", name, len(tok))
		}
		secrets[name] = tok
		secrets[name+" (first 12 characters)"] = tok[:12]
	}
	// A logged keystroke in a structured log: "key":"H" or key=H.
	keyAttr := regexp.MustCompile(`(?i)"key(_name)?"\s*:\s*"(` + strings.Join(keys, "|") + `)"|\bkey(_name)?=(` + strings.Join(keys, "|") + `)\b`)

	// The ICE passwords authenticate the connectivity checks; pion's ICE
	// agent would log the remote one at debug level (rtc redacts it).
	for side, sig := range map[string]*signaler{"host": hsig, "viewer": vsig} {
		pwds := sig.sentICEPasswords()
		if len(pwds) == 0 {
			t.Fatalf("the %s sent no ICE password", side)
		}
		for i, p := range pwds {
			secrets[fmt.Sprintf("%s's ICE password #%d", side, i+1)] = p
		}
	}
	startedAgent := 0
	lines, hits := 0, 0
	perLog := map[string]int{}
	for _, l := range ls.list() {
		for i, line := range strings.Split(l.String(), "\n") {
			if line == "" {
				continue
			}
			lines++
			perLog[l.name]++
			for name, s := range secrets {
				if strings.Contains(line, s) {
					hits++
					t.Errorf("%s appears in %s, line %d: %s", name, l.name, i+1, clip(line))
				}
			}
			if strings.Contains(line, "Started agent") {
				startedAgent++
			}
			if keyAttr.MatchString(line) {
				hits++
				t.Errorf("a keystroke appears in %s, line %d: %s", l.name, i+1, clip(line))
			}
		}
	}
	// The search can only fail if there was something to search: every
	// log must have captured debug output.
	for _, l := range ls.list() {
		if perLog[l.name] == 0 {
			t.Errorf("log %q captured nothing", l.name)
		}
	}
	for name, want := range map[string]string{
		"broker stdout+stderr":   `"msg":"request"`,
		"apiclient technician":   `"level":"DEBUG"`,
		"media+rtc viewer":       `"level":"DEBUG"`,
		"media+rtc+capture host": `"level":"DEBUG"`,
		"apiclient agent (link)": `"level":"DEBUG"`,
		"apiclient agent (code)": `"level":"DEBUG"`,
		"apiclient owner":        `"level":"DEBUG"`,
	} {
		found := false
		for _, l := range ls.list() {
			if l.name == name && strings.Contains(l.String(), want) {
				found = true
			}
		}
		if !found {
			t.Errorf("log %q has no %s line: not captured at debug level?", name, want)
		}
	}
	if dir := os.Getenv("TETHER_E2E_LOGS"); dir != "" {
		for _, l := range ls.list() {
			os.WriteFile(filepath.Join(dir, strings.NewReplacer(" ", "_", "/", "_", "(", "", ")", "", "+", "_").Replace(l.name)+".log"), []byte(l.String()), 0o644)
		}
	}
	t.Logf("searched %d log lines in %d logs (%v) for %d secrets and keystrokes: %d hits", lines, len(perLog), perLog, len(secrets), hits)
	// The search covered the line that used to carry a password.
	if startedAgent == 0 {
		t.Error("no pion ICE agent start line was logged: pion's debug output was not captured")
	}
	fmt.Printf("e2e secrets: %d log lines from %d logs at debug level searched for %d secrets and keystrokes: %d hits\n", lines, len(perLog), len(secrets), hits)
}

func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}
