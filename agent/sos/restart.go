package sos

import (
	"context"
	"slices"
	"time"

	"github.com/tetherdesk/tether/internal/rtc"
)

// How a technician's failed connection is brought back: an ICE restart at
// once, then, while it is not connected again, another after
// restartFirst, and after twice as long each time up to restartMax. A
// restart offer reaches the technician only through the broker: while the
// broker is unreachable, one waits for it at most restartSendTimeout and
// the next attempt sends a fresh one.
const (
	restartFirst       = time.Second
	restartMax         = 15 * time.Second
	restartSendTimeout = 15 * time.Second
)

// iceRestart is the restart loop of one technician's connection: at most
// one runs per technician (sharing.restarts).
type iceRestart struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the loop no longer touches the host
	again  bool          // guarded by App.mu: a failure was reported meanwhile
}

// viewerFailed restarts ICE for technician id, whose connection of sh
// went rtc.StateFailed, until it is connected again, the technician
// leaves or is replaced, sharing stops or the App closes. The report may
// be about a connection since replaced by the same technician's new one
// (it arrives late, on a pion goroutine): only a current connection that
// failed is restarted. It runs on a goroutine.
func (a *App) viewerFailed(ctx context.Context, sh *sharing, id int64) {
	if r := a.claimRestart(ctx, sh, id); r != nil {
		a.restartICE(sh, id, r)
	}
}

// claimRestart registers the restart loop of technician id, or returns nil
// when one runs already (it is told to look again) or sh no longer shares
// with them. It is serialised with startSharing, which stops the loop
// (stopRestart) before replacing the connection: a loop claimed here only
// ever sees the connection current now.
func (a *App) claimRestart(ctx context.Context, sh *sharing, id int64) *iceRestart {
	a.shareOp.Lock()
	defer a.shareOp.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.share != sh || !slices.ContainsFunc(sh.viewers, func(v *shareViewer) bool { return v.id == id }) {
		return nil
	}
	if r := sh.restarts[id]; r != nil {
		r.again = true
		return nil
	}
	r := &iceRestart{done: make(chan struct{})}
	r.ctx, r.cancel = context.WithCancel(ctx)
	if sh.restarts == nil {
		sh.restarts = map[int64]*iceRestart{}
	}
	sh.restarts[id] = r
	return r
}

// restartICE is the restart loop. The first attempt needs the connection
// failed (a replaced connection's late report finds the new one in
// another state); later ones go on until it is connected.
func (a *App) restartICE(sh *sharing, id int64, r *iceRestart) {
	defer close(r.done)
	defer r.cancel()
	wait := restartFirst
	for attempt := 1; ; {
		a.mu.Lock()
		r.again = false
		a.mu.Unlock()
		if r.ctx.Err() != nil {
			a.endRestart(sh, id, r, true)
			return
		}
		st, err := sh.host.ViewerStats(id)
		retry := err == nil && (st.State == rtc.StateFailed ||
			attempt > 1 && st.State != rtc.StateConnected && st.State != rtc.StateClosed)
		if !retry {
			if !a.endRestart(sh, id, r, false) {
				continue // it failed again as we looked: look again
			}
			if attempt > 1 && err == nil && st.State == rtc.StateConnected {
				a.log.Info("connection recovered", "technician_id", id, "attempts", attempt-1)
			}
			return
		}
		a.log.Info("restarting ICE", "technician_id", id, "attempt", attempt, "state", st.State.String())
		ctx, cancel := context.WithTimeout(r.ctx, restartSendTimeout)
		err = sh.host.RestartViewerICE(ctx, id)
		cancel()
		if err != nil && r.ctx.Err() == nil {
			a.log.Warn("restart ICE", "technician_id", id, "attempt", attempt, "err", err)
		}
		attempt++
		if !a.sleep(r.ctx, wait) {
			a.endRestart(sh, id, r, true)
			return
		}
		wait = min(2*wait, restartMax)
	}
}

// endRestart unregisters r, unless a failure was reported since the loop
// last looked and force is false: then it reports false and the loop goes
// on.
func (a *App) endRestart(sh *sharing, id int64, r *iceRestart, force bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.again && !force {
		return false
	}
	if sh.restarts[id] == r {
		delete(sh.restarts, id)
	}
	return true
}

// stopRestart ends technician id's restart loop, if one runs, and waits
// until it no longer touches the host: their connection is about to be
// removed or replaced, and no restart may reach the next one. It is
// called under shareOp, which the loop never takes.
func (a *App) stopRestart(sh *sharing, id int64) {
	a.mu.Lock()
	r := sh.restarts[id]
	delete(sh.restarts, id)
	a.mu.Unlock()
	if r != nil {
		r.cancel()
		<-r.done
	}
}

// stopRestartsLocked ends every restart loop of sh (sharing stops)
// without waiting: the loops returned are over once their done channels
// are closed. App.mu is held.
func (sh *sharing) stopRestartsLocked() []*iceRestart {
	rs := make([]*iceRestart, 0, len(sh.restarts))
	for _, r := range sh.restarts {
		r.cancel()
		rs = append(rs, r)
	}
	sh.restarts = nil
	return rs
}

// sleep waits d on the App's clock; false when ctx ended first.
func (a *App) sleep(ctx context.Context, d time.Duration) bool {
	fired := make(chan struct{})
	stop := a.cfg.Clock.AfterFunc(d, func() { close(fired) })
	select {
	case <-fired:
		return true
	case <-ctx.Done():
		stop()
		return false
	}
}
