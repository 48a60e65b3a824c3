package sos

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/rtc"
)

// restartLoops counts the ICE restart loops of the current sharing
// (tests). A loop leaves it once it no longer touches the host.
func (a *App) restartLoops() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.share == nil {
		return 0
	}
	return len(a.share.restarts)
}

// shareWithTessAndTom has Tess and Tom watch, and spends the consent
// dialogs' timers: the clock's only timers are then the restart loops'.
func shareWithTessAndTom(t *testing.T) (*harness, *fakeBroker, *fakeHost) {
	t.Helper()
	h, b, rec := joinActive(t)
	allowTech(h, b, 50, tess, "view")
	allowTech(h, b, 51, tom, "view")
	h.waitShowing("both watch",
		func() bool { return h.app.Indicator() == "Tess Tech, Tom Tech are viewing your screen" },
		func() string { return sharingState(h, b, rec) })
	h.advance(2 * time.Second)
	if d, ok := h.clock.next(); ok {
		t.Fatalf("a timer is due in %v before anything failed", d)
	}
	return h, b, rec.all()[0]
}

// sharingState describes, for a test that timed out, what the end user
// sees and what the agent did with the consents: the indicator, the
// prompts still open, the broker's answers and each host's viewers. It
// runs on the UI goroutine.
func sharingState(h *harness, b *fakeBroker, rec *hostRecorder) string {
	var s strings.Builder
	fmt.Fprintf(&s, "indicator %q", h.app.Indicator())
	h.app.mu.Lock()
	var open []string
	for id, p := range h.app.prompts {
		open = append(open, fmt.Sprintf("%d (%s, answered %t, shown %t)", id, p.c.Technician, p.answered, p.dlg != nil))
	}
	var viewers []string
	if sh := h.app.share; sh != nil {
		for _, v := range sh.viewers {
			viewers = append(viewers, fmt.Sprintf("%d %s seq %d", v.id, v.name, v.seq))
		}
	}
	h.app.mu.Unlock()
	slices.Sort(open)
	fmt.Fprintf(&s, ", prompts open %v, sharing with %v", open, viewers)
	answers, _ := b.calls()
	fmt.Fprintf(&s, ", answers %v", answers)
	for i, host := range rec.all() {
		host.mu.Lock()
		fmt.Fprintf(&s, ", host %d: first %d, added %v, removed %v, viewers %v, stopped %t, closed %t",
			i, host.req.TechnicianID, host.added, host.removed, host.viewers, host.stopped, host.closed)
		host.mu.Unlock()
	}
	if len(rec.all()) == 0 {
		s.WriteString(", no host")
	}
	return s.String()
}

// waitRestarts waits for the nth ICE restart and fails on more.
func waitRestarts(h *harness, host *fakeHost, n int) {
	h.t.Helper()
	h.wait(fmt.Sprintf("%d ICE restarts", n), func() bool { return len(host.restarted()) >= n })
	if got := host.restarted(); len(got) != n {
		h.t.Fatalf("ICE restarts %v, want %d", got, n)
	}
}

// waitBackoff waits until the restart loop waits on the clock, and
// returns for how long.
func waitBackoff(h *harness) time.Duration {
	h.t.Helper()
	var d time.Duration
	h.wait("a restart backoff", func() bool {
		var ok bool
		d, ok = h.clock.next()
		return ok
	})
	return d
}

// TestICERestartBackoff: a technician's failed connection is restarted at
// once, then again while it stays down, further apart each time, up to
// 15 s, also when an offer cannot be sent (the broker is down); repeated
// reports run one loop; the other technician's connection is left alone.
func TestICERestartBackoff(t *testing.T) {
	h, _, host := shareWithTessAndTom(t)

	host.setRestartErr(errors.New("broker unreachable"))
	host.connFailed(tess.id)
	waitRestarts(h, host, 1)
	// The same failure reported again (no offer went out: the connection
	// is still failed) starts no second loop.
	host.failedLate(tess.id)
	host.failedLate(tess.id)
	time.Sleep(50 * time.Millisecond)
	waitRestarts(h, host, 1)
	for i, want := range []time.Duration{1, 2, 4, 8, 15, 15} {
		want *= time.Second
		if d := waitBackoff(h); d != want {
			t.Fatalf("wait before restart %d: %v, want %v", i+2, d, want)
		}
		if i == 2 {
			host.setRestartErr(nil) // the broker is back; the path is not
		}
		h.advance(want)
		waitRestarts(h, host, i+2)
	}
	if got := host.restarted(); slices.ContainsFunc(got, func(id int64) bool { return id != tess.id }) {
		t.Fatalf("restarted %v, want only Tess (%d)", got, tess.id)
	}

	host.setConn(tess.id, rtc.StateConnected)
	h.advance(15 * time.Second)
	h.wait("the loop ends", func() bool { return h.app.restartLoops() == 0 })
	if d, ok := h.clock.next(); ok {
		t.Fatalf("a timer is due in %v once connected", d)
	}
	waitRestarts(h, host, 7)
}

// TestICERestartStops: restarting stops once the connection is back, the
// technician left or asked again (a new connection), sharing stopped, or
// the agent closed.
func TestICERestartStops(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(h *harness, b *fakeBroker, host *fakeHost)
		// ended waits until the loop no longer touches the host.
		ended func(h *harness, host *fakeHost)
	}{{
		name: "connected again",
		stop: func(h *harness, _ *fakeBroker, host *fakeHost) {
			host.setConn(tess.id, rtc.StateConnected)
			h.advance(2 * time.Second)
		},
	}, {
		name: "technician closed their viewer",
		stop: func(_ *harness, _ *fakeBroker, host *fakeHost) { host.viewerLeft(tess.id) },
		ended: func(h *harness, _ *fakeHost) {
			h.wait("Tess gone", func() bool { return h.app.Indicator() == "Tom Tech is viewing your screen" })
		},
	}, {
		name: "technician asked again",
		stop: func(h *harness, b *fakeBroker, _ *fakeHost) { allowTech(h, b, 52, tess, "view") },
		ended: func(h *harness, host *fakeHost) {
			h.wait("Tess's new connection", func() bool {
				host.mu.Lock()
				defer host.mu.Unlock()
				return len(host.added) == 2
			})
		},
	}, {
		name:  "end user stopped sharing",
		stop:  func(h *harness, _ *fakeBroker, _ *fakeHost) { h.ui(func() { test.Tap(h.app.ui.stop) }) },
		ended: waitHostClosed,
	}, {
		name: "session closed",
		stop: func(h *harness, b *fakeBroker, _ *fakeHost) {
			closed := activeSession
			closed.State = "closed"
			b.ev().push(h.t, "session.updated", closed)
		},
		ended: waitHostClosed,
	}, {
		name: "agent closed",
		stop: func(h *harness, _ *fakeBroker, _ *fakeHost) { h.app.Close() },
	}} {
		t.Run(tc.name, func(t *testing.T) {
			h, b, host := shareWithTessAndTom(t)
			host.connFailed(tess.id)
			waitRestarts(h, host, 1)
			h.advance(waitBackoff(h))
			waitRestarts(h, host, 2)
			waitBackoff(h)

			tc.stop(h, b, host)
			if tc.ended != nil {
				tc.ended(h, host)
			}
			h.wait("the loop ends", func() bool { return h.app.restartLoops() == 0 })
			h.advance(30 * time.Second)
			time.Sleep(20 * time.Millisecond) // a loop that went on would show
			if d, ok := h.clock.next(); ok {
				t.Fatalf("a timer is due in %v after the restarts should have stopped", d)
			}
			if got := host.restarted(); len(got) != 2 {
				t.Fatalf("ICE restarts %v, want the 2 before", got)
			}
		})
	}
}

func waitHostClosed(h *harness, host *fakeHost) {
	h.t.Helper()
	h.wait("host closed", func() bool { _, _, closed := host.state(); return closed })
}

// TestReplacedConnectionFailsLate: a technician who asked again has a new
// connection, still connecting; the old one's failure, reported after,
// restarts nothing. Their new connection's failure does.
func TestReplacedConnectionFailsLate(t *testing.T) {
	h, b, host := shareWithTessAndTom(t)
	allowTech(h, b, 52, tess, "control")
	h.wait("Tess replaced", func() bool {
		return h.app.Indicator() == "Tess Tech is controlling your screen; also viewing: Tom Tech"
	})
	h.advance(2 * time.Second) // the dialog's timers

	_, checks := host.leaving()
	host.failedLate(tess.id)
	h.wait("the report looked at", func() bool { _, n := host.leaving(); return n > checks })
	h.wait("the loop ends", func() bool { return h.app.restartLoops() == 0 })
	h.advance(30 * time.Second)
	if got := host.restarted(); len(got) != 0 {
		t.Fatalf("ICE restarts %v: the old connection's failure restarted the new one", got)
	}

	host.connFailed(tess.id)
	waitRestarts(h, host, 1)
}

// TestViewerStates: MediaHost passes every connection state on and
// reports closed and failed connections.
func TestViewerStates(t *testing.T) {
	for _, tc := range []struct {
		state          rtc.ConnState
		closed, failed bool
	}{
		{rtc.StateConnecting, false, false},
		{rtc.StateConnected, false, false},
		{rtc.StateDisconnected, false, false},
		{rtc.StateFailed, false, true},
		{rtc.StateClosed, true, false},
	} {
		t.Run(tc.state.String(), func(t *testing.T) {
			var passed, closed, failed []int64
			f := viewerStates(func(id int64, s rtc.ConnState) {
				if s == tc.state {
					passed = append(passed, id)
				}
			}, ShareRequest{
				OnViewerClosed: func(id int64) { closed = append(closed, id) },
				OnViewerFailed: func(id int64) { failed = append(failed, id) },
			})
			f(3, tc.state)
			if !slices.Equal(passed, []int64{3}) {
				t.Errorf("passed on %v", passed)
			}
			if got := len(closed) == 1 && closed[0] == 3; got != tc.closed {
				t.Errorf("closed reports %v", closed)
			}
			if got := len(failed) == 1 && failed[0] == 3; got != tc.failed {
				t.Errorf("failed reports %v", failed)
			}
		})
	}
}
