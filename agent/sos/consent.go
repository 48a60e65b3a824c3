package sos

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
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
// a request counts (a click racing the automatic deny). An allowance is
// numbered here, when the end user gives it: answers travel on goroutines
// of their own, and one given later may reach the broker, and start
// sharing, first.
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
	var seq int64
	if ans != answerDeny {
		a.shareSeq++
		seq = a.shareSeq
	}
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
			a.startSharing(ctx, p.c, ans == answerControl, seq)
		}
	})
}

// sharing is the running host and whom it serves.
type sharing struct {
	host    Sharer
	mux     *signalMux
	allowed input.Mode // what Allow last set: the most anyone may do

	// Guarded by App.mu.
	viewers    []*shareViewer        // in the order they were allowed (by seq)
	controller int64                 // technician in control; 0: nobody
	restarts   map[int64]*iceRestart // technician → their ICE restart loop
}

// shareViewer is one technician the screen is shared with.
type shareViewer struct {
	id      int64
	name    string
	control bool  // the end user allowed control
	seq     int64 // when the end user allowed it (App.shareSeq): the latest allowance wins
}

// startSharing shares the screen with the technician who asked, as far as
// the end user allowed: the first allowance creates the host, later ones
// (collaborators, or the same technician's new window) add a connection
// without disturbing the others. Control goes to the technician whose
// control was allowed last; the previous controller drops to watching.
// seq numbers the allowance (answer): allowances may start sharing in
// another order than the end user gave them, and seq, not the order
// they arrive in, says which is the latest. It runs on a goroutine.
func (a *App) startSharing(ctx context.Context, c api.Consent, control bool, seq int64) {
	a.shareOp.Lock()
	defer a.shareOp.Unlock()
	a.mu.Lock()
	sh, ev, sessID := a.share, a.events, a.sess.SessionID
	stale := sh != nil && slices.ContainsFunc(sh.viewers, func(v *shareViewer) bool {
		return v.id == c.TechnicianID && v.seq > seq
	})
	a.mu.Unlock()
	if stale {
		// The same technician's later allowance (their newer window)
		// started sharing first: it is what the end user last decided.
		a.log.Info("allowance superseded", "consent_id", c.ID, "technician_id", c.TechnicianID)
		return
	}
	mode := input.ModeViewOnly
	if control {
		mode = input.ModeControl
	}
	fresh := sh == nil
	if fresh {
		if a.cfg.Host == nil || ev == nil {
			a.do(func() {
				a.addNotice(lang.L("Screen sharing is not available on this computer."), true)
			})
			return
		}
		mux := newSignalMux(ev.Signals(sessID))
		nsh := &sharing{mux: mux}
		req := ShareRequest{Control: control, TechnicianID: c.TechnicianID,
			OnViewerClosed: func(id int64) {
				a.goroutine(func(context.Context) { a.viewerClosed(nsh, id) })
			},
			OnViewerFailed: func(id int64) {
				a.goroutine(func(ctx context.Context) { a.viewerFailed(ctx, nsh, id) })
			},
		}
		h, err := a.cfg.Host(ctx, req, mux.signaler(c.TechnicianID))
		if err != nil {
			mux.Close()
			a.log.Error("start sharing", "err", err)
			a.do(func() { a.addNotice(lang.L("Your screen could not be shared: ")+err.Error(), true) })
			return
		}
		nsh.host = h
		sh = nsh
	} else {
		// A technician asking again has opened a new connection: replace
		// theirs. Others keep theirs.
		a.mu.Lock()
		known := slices.ContainsFunc(sh.viewers, func(v *shareViewer) bool { return v.id == c.TechnicianID })
		a.mu.Unlock()
		sig := sh.mux.signaler(c.TechnicianID) // first: it silences the old connection's goodbye
		a.stopRestart(sh, c.TechnicianID)      // no restart of the old connection reaches the new one
		if known {
			if err := sh.host.RemoveViewer(c.TechnicianID); err != nil {
				a.log.Warn("replace viewer", "technician_id", c.TechnicianID, "err", err)
			}
		}
		if err := sh.host.AddViewer(ctx, c.TechnicianID, mode, sig); err != nil {
			a.log.Error("add viewer", "technician_id", c.TechnicianID, "err", err)
			a.do(func() { a.addNotice(lang.L("Your screen could not be shared: ")+err.Error(), true) })
			return
		}
	}

	a.mu.Lock()
	v := &shareViewer{id: c.TechnicianID, name: c.Technician, control: control, seq: seq}
	viewers := slices.DeleteFunc(slices.Clone(sh.viewers), func(o *shareViewer) bool { return o.id == v.id })
	i, _ := slices.BinarySearchFunc(viewers, seq, func(o *shareViewer, seq int64) int { return cmp.Compare(o.seq, seq) })
	viewers = slices.Insert(viewers, i, v)
	a.mu.Unlock()

	// The most anyone may do, then who controls: the latest allowance.
	want := input.ModeViewOnly
	var ctrl *shareViewer
	for _, o := range viewers {
		if o.control {
			want = input.ModeControl
			if ctrl == nil || o.seq > ctrl.seq {
				ctrl = o
			}
		}
	}
	if want != sh.allowed {
		if err := sh.host.Allow(want); err != nil {
			a.log.Error("allow sharing", "err", err)
			if fresh {
				sh.host.Close()
				sh.mux.Close()
			}
			return
		}
		sh.allowed = want
	}
	var ctrlID int64
	if ctrl != nil {
		if err := sh.host.SetController(ctrl.id); err != nil {
			a.log.Error("set controller", "technician_id", ctrl.id, "err", err)
		} else {
			ctrlID = ctrl.id
		}
	}

	a.mu.Lock()
	if a.closed || a.sess.State != "active" || !fresh && a.share != sh {
		a.mu.Unlock()
		if fresh {
			sh.host.Stop()
			sh.host.Close()
			sh.mux.Close()
		}
		return
	}
	sh.viewers, sh.controller = viewers, ctrlID
	a.share = sh
	text := indicatorText(viewers, ctrlID)
	a.mu.Unlock()
	a.log.Info("sharing", "technician_id", c.TechnicianID, "mode", mode.String(), "viewers", len(viewers), "controller", ctrlID)
	a.do(func() { a.showIndicator(text) })
}

// viewerClosed drops a technician whose connection closed for good (they
// closed their viewer) from sh: the host's connection, the indicator and,
// when they controlled, control, which then nobody has until the end user
// allows it again. When nobody is left, sharing ends; the session goes on.
// The report may be about a connection since replaced by the same
// technician's new one (its state arrives late, on a pion goroutine): only
// a technician whose current connection is closed, or who has none, goes.
// It runs on a goroutine, serialised with startSharing.
func (a *App) viewerClosed(sh *sharing, id int64) {
	a.shareOp.Lock()
	defer a.shareOp.Unlock()
	a.mu.Lock()
	i := slices.IndexFunc(sh.viewers, func(v *shareViewer) bool { return v.id == id })
	if a.share != sh || i < 0 {
		a.mu.Unlock()
		return
	}
	gone := sh.viewers[i]
	viewers := slices.Delete(slices.Clone(sh.viewers), i, i+1)
	ctrl := sh.controller
	a.mu.Unlock()

	// startSharing, which replaces connections, holds shareOp too: the
	// host's connection for id is the latest one.
	if st, err := sh.host.ViewerStats(id); err == nil {
		if st.State != rtc.StateClosed {
			a.log.Debug("closed connection was replaced", "technician_id", id)
			return
		}
		a.stopRestart(sh, id)
		if err := sh.host.RemoveViewer(id); err != nil {
			a.log.Warn("remove viewer", "technician_id", id, "err", err)
		}
	}
	if ctrl == id {
		// Nobody controls now; those allowed control before only watch
		// until the end user allows it again.
		ctrl = 0
		for j, v := range viewers {
			if v.control {
				w := *v
				w.control = false
				viewers[j] = &w
			}
		}
	}
	a.log.Info("technician left", "technician_id", id, "viewers", len(viewers), "controller", ctrl)
	left := lang.L("{{.Name}} stopped viewing your screen.", map[string]string{"Name": gone.displayName()})
	a.do(func() { a.addNotice(left, false) })
	if len(viewers) == 0 {
		a.stopSharing(false)
		return
	}
	want := input.ModeViewOnly
	if slices.ContainsFunc(viewers, func(v *shareViewer) bool { return v.control }) {
		want = input.ModeControl
	}
	if want != sh.allowed {
		if err := sh.host.Allow(want); err != nil {
			a.log.Error("allow sharing", "err", err)
		} else {
			sh.allowed = want
		}
	}

	a.mu.Lock()
	if a.share != sh {
		a.mu.Unlock()
		return
	}
	sh.viewers, sh.controller = viewers, ctrl
	text := indicatorText(viewers, ctrl)
	a.mu.Unlock()
	a.do(func() {
		a.mu.Lock()
		still := a.share == sh // else Stop's hiding is queued after this
		a.mu.Unlock()
		if still {
			a.setIndicator(text)
		}
	})
}

// displayName is how the end user sees a technician.
func (v *shareViewer) displayName() string {
	if v.name == "" {
		return lang.L("The technician")
	}
	return v.name
}

// indicatorText says who sees and who controls the screen.
func indicatorText(viewers []*shareViewer, controller int64) string {
	var ctrl string
	var watching []string
	for _, v := range viewers {
		if v.id == controller {
			ctrl = v.displayName()
		} else {
			watching = append(watching, v.displayName())
		}
	}
	switch {
	case ctrl != "" && len(watching) == 0:
		return lang.L("{{.Name}} is controlling your screen", map[string]string{"Name": ctrl})
	case ctrl != "":
		return lang.L("{{.Name}} is controlling your screen", map[string]string{"Name": ctrl}) + "; " +
			lang.L("also viewing: {{.Names}}", map[string]string{"Names": strings.Join(watching, ", ")})
	case len(watching) == 1:
		return lang.L("{{.Name}} is viewing your screen", map[string]string{"Name": watching[0]})
	}
	return lang.L("{{.Names}} are viewing your screen", map[string]string{"Names": strings.Join(watching, ", ")})
}

// stopSharing ends sharing at once, for every technician: Stop returns only
// after the last frame and with every key released; the connections close
// after. byUser says the end user pressed Stop.
func (a *App) stopSharing(byUser bool) {
	a.mu.Lock()
	sh := a.share
	a.share = nil
	var restarts []*iceRestart
	if sh != nil {
		restarts = sh.stopRestartsLocked()
	}
	a.mu.Unlock()
	if sh == nil {
		return
	}
	if err := sh.host.Stop(); err != nil {
		a.log.Warn("stop sharing", "err", err)
	}
	a.log.Info("sharing stopped", "by_user", byUser)
	closeHost := func(context.Context) {
		for _, r := range restarts {
			<-r.done // cancelled above: no restart races the closing
		}
		if err := sh.host.Close(); err != nil {
			a.log.Warn("close sharing", "err", err)
		}
		sh.mux.Close()
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

// Sharing reports whom the screen is shared with (tests, diagnostics): the
// controlling technician, or the first one watching when nobody controls.
func (a *App) Sharing() (technician string, control, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.share == nil || len(a.share.viewers) == 0 {
		return "", false, false
	}
	for _, v := range a.share.viewers {
		if v.id == a.share.controller {
			return v.name, true, true
		}
	}
	return a.share.viewers[0].name, false, true
}

func secondsLeft(now, deadline time.Time) int {
	d := deadline.Sub(now)
	if d < 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}
