package sos

import (
	"context"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/input"
)

// Consent answers, as the broker spells them.
const (
	answerView    = "allow_view"
	answerControl = "allow_control"
	answerDeny    = "deny"
)

// consentPrompt is one open consent request. Its fields after c are
// touched only on the UI goroutine, except stop (under App.mu).
type consentPrompt struct {
	c        api.Consent
	stop     func() bool // the automatic deny
	answered bool        // guarded by App.mu: an answer is on its way

	dlg                     *dialog.CustomDialog
	allowView, allowControl *widget.Button
	deny                    *widget.Button
	countdown               *widget.Label
}

func (p *consentPrompt) stopTimer() {
	if p.stop != nil {
		p.stop()
	}
}

// onConsent opens the consent dialog for a technician's request. Without
// an answer it denies by itself after desk.ConsentTimeout.
func (a *App) onConsent(c api.Consent) {
	if c.Answer != "" && c.Answer != "pending" {
		return
	}
	a.mu.Lock()
	if a.closed || a.prompts[c.ID] != nil || a.sess.State != "active" {
		a.mu.Unlock()
		return
	}
	p := &consentPrompt{c: c}
	a.prompts[c.ID] = p
	deadline := a.cfg.Clock.Now().Add(desk.ConsentTimeout)
	p.stop = a.cfg.Clock.AfterFunc(desk.ConsentTimeout, func() { a.answer(c.ID, answerDeny) })
	a.mu.Unlock()
	a.log.Info("consent requested", "consent_id", c.ID, "mode", c.Mode)
	a.do(func() { a.showConsent(p, deadline) })
}

// onConsentAnswered closes a dialog answered elsewhere (or by us).
func (a *App) onConsentAnswered(c api.Consent) {
	a.mu.Lock()
	p := a.prompts[c.ID]
	delete(a.prompts, c.ID)
	a.mu.Unlock()
	if p != nil {
		p.stopTimer()
		a.do(func() { a.hideConsent(p) })
	}
}

// cancelPrompts closes every open dialog without answering (the session
// left Active: the broker no longer takes answers).
func (a *App) cancelPrompts() {
	a.mu.Lock()
	ps := a.prompts
	a.prompts = map[int64]*consentPrompt{}
	a.mu.Unlock()
	for _, p := range ps {
		p.stopTimer()
		a.do(func() { a.hideConsent(p) })
	}
}

// answer sends the end user's answer and, once the broker recorded an
// allow, starts sharing exactly what was allowed. Only the first answer to
// a request counts (a click racing the automatic deny).
func (a *App) answer(id int64, ans string) {
	a.mu.Lock()
	p := a.prompts[id]
	if p == nil || p.answered {
		a.mu.Unlock()
		return
	}
	if ans == answerControl && p.c.Mode != "control" {
		ans = answerView // never more than was asked
	}
	p.answered = true
	delete(a.prompts, id)
	b := a.broker
	a.mu.Unlock()
	p.stopTimer()
	a.do(func() { a.hideConsent(p) })
	a.log.Info("consent answered", "consent_id", id, "answer", ans)
	a.goroutine(func(ctx context.Context) {
		if _, err := b.AnswerConsent(ctx, id, ans); err != nil {
			a.log.Warn("answer consent", "consent_id", id, "err", err)
			if ans != answerDeny {
				a.do(func() {
					a.addNotice(lang.L("Your answer could not be sent, so your screen is not shared. The technician can ask again."), true)
				})
			}
			return
		}
		switch ans {
		case answerDeny:
			a.do(func() { a.addNotice(lang.L("You did not allow access to your screen."), false) })
		default:
			a.startSharing(ctx, p.c, ans == answerControl)
		}
	})
}

// sharing is the running host and whom it serves.
type sharing struct {
	host         Sharer
	sigs         SignalChannel
	technician   string
	technicianID int64
	control      bool
}

// startSharing creates the host for the technician who asked and allows
// what the end user allowed. It runs on a goroutine.
func (a *App) startSharing(ctx context.Context, c api.Consent, control bool) {
	a.mu.Lock()
	cur, ev, sessID := a.share, a.events, a.sess.SessionID
	a.mu.Unlock()
	mode := input.ModeViewOnly
	if control {
		mode = input.ModeControl
	}
	// The same technician asking again on a live host: change the mode in
	// place, unless control is wanted from a host built without input.
	if cur != nil && cur.technicianID == c.TechnicianID && (!control || cur.control) {
		if err := cur.host.Allow(mode); err == nil {
			a.mu.Lock()
			cur.technician = c.Technician
			a.mu.Unlock()
			a.do(func() { a.showIndicator(c.Technician, control) })
			return
		}
	}
	a.stopSharing(false)
	if a.cfg.Host == nil || ev == nil {
		a.do(func() {
			a.addNotice(lang.L("Screen sharing is not available on this computer."), true)
		})
		return
	}
	sigs := ev.Signals(sessID)
	sig := &signaler{ch: sigs, technicianID: c.TechnicianID}
	h, err := a.cfg.Host(ctx, ShareRequest{Control: control, TechnicianID: c.TechnicianID}, sig)
	if err != nil {
		sigs.Close()
		a.log.Error("start sharing", "err", err)
		a.do(func() { a.addNotice(lang.L("Your screen could not be shared: ")+err.Error(), true) })
		return
	}
	if err := h.Allow(mode); err != nil {
		h.Close()
		sigs.Close()
		a.log.Error("allow sharing", "err", err)
		return
	}
	a.mu.Lock()
	if a.closed || a.sess.State != "active" {
		a.mu.Unlock()
		h.Stop()
		h.Close()
		sigs.Close()
		return
	}
	a.share = &sharing{host: h, sigs: sigs, technician: c.Technician, technicianID: c.TechnicianID, control: control}
	a.mu.Unlock()
	a.do(func() { a.showIndicator(c.Technician, control) })
}

// stopSharing ends sharing at once: Stop returns only after the last frame
// and with every key released; the connection closes after. byUser says
// the end user pressed Stop.
func (a *App) stopSharing(byUser bool) {
	a.mu.Lock()
	sh := a.share
	a.share = nil
	a.mu.Unlock()
	if sh == nil {
		return
	}
	if err := sh.host.Stop(); err != nil {
		a.log.Warn("stop sharing", "err", err)
	}
	a.log.Info("sharing stopped", "by_user", byUser)
	closeHost := func(context.Context) {
		if err := sh.host.Close(); err != nil {
			a.log.Warn("close sharing", "err", err)
		}
		sh.sigs.Close()
	}
	if !a.goroutine(closeHost) {
		closeHost(a.ctx)
	}
	a.do(func() {
		a.hideIndicator()
		if byUser {
			a.addNotice(lang.L("You stopped sharing your screen."), false)
		} else {
			a.addNotice(lang.L("Screen sharing has ended."), false)
		}
	})
}

// Sharing reports whom the screen is shared with (tests, diagnostics).
func (a *App) Sharing() (technician string, control, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.share == nil {
		return "", false, false
	}
	return a.share.technician, a.share.control, true
}

func secondsLeft(now, deadline time.Time) int {
	d := deadline.Sub(now)
	if d < 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}
