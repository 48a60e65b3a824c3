package sos

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/input"
)

// technician is one technician asking for the screen in these tests.
type technician struct {
	id   int64
	name string
}

var (
	tess = technician{3, "Tess Tech"}
	tom  = technician{4, "Tom Tech"}
)

// allowTech has technician tc ask for the screen (mode "view" or
// "control") with consent id and the end user allow it.
func allowTech(h *harness, b *fakeBroker, id int64, tc technician, mode string) {
	h.t.Helper()
	b.ev().push(h.t, "consent.requested", api.Consent{ID: id, SessionID: 7, TechnicianID: tc.id, Technician: tc.name, Mode: mode, Answer: "pending"})
	h.wait("dialog", func() bool { p := h.app.promptFor(id); return p != nil && p.dlg != nil })
	h.ui(func() {
		p := h.app.promptFor(id)
		if mode == "control" {
			test.Tap(p.allowControl)
		} else {
			test.Tap(p.allowView)
		}
	})
}

// TestTechnicianClosesViewer: a technician who closes their viewer window
// leaves the indicator and the host; control goes with them; when nobody
// is left, sharing ends but the session goes on.
func TestTechnicianClosesViewer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		allow    []technician // in order; the first with control when ctrl
		ctrl     bool
		shown    string // the indicator once everyone is connected
		leaves   technician
		after    string     // the indicator after; "" hidden
		lastMode input.Mode // the host's last Allow
	}{{
		name: "watcher leaves", allow: []technician{tess, tom}, ctrl: true,
		shown:  "Tess Tech is controlling your screen; also viewing: Tom Tech",
		leaves: tom, after: "Tess Tech is controlling your screen", lastMode: input.ModeControl,
	}, {
		name: "controller leaves", allow: []technician{tess, tom}, ctrl: true,
		shown:  "Tess Tech is controlling your screen; also viewing: Tom Tech",
		leaves: tess, after: "Tom Tech is viewing your screen", lastMode: input.ModeViewOnly,
	}, {
		name: "one of two watchers leaves", allow: []technician{tess, tom},
		shown:  "Tess Tech, Tom Tech are viewing your screen",
		leaves: tess, after: "Tom Tech is viewing your screen", lastMode: input.ModeViewOnly,
	}, {
		name: "the only watcher leaves", allow: []technician{tess},
		shown:  "Tess Tech is viewing your screen",
		leaves: tess, after: "",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			h, b, rec := joinActive(t)
			for i, who := range tc.allow {
				mode := "view"
				if i == 0 && tc.ctrl {
					mode = "control"
				}
				allowTech(h, b, int64(30+i), who, mode)
			}
			h.wait("indicator: "+tc.shown, func() bool { return h.app.Indicator() == tc.shown })
			host := rec.all()[0]

			host.viewerLeft(tc.leaves.id)
			h.wait("indicator: "+tc.after, func() bool { return h.app.Indicator() == tc.after })
			if removed, _ := host.leaving(); !slices.Equal(removed, []int64{tc.leaves.id}) {
				t.Fatalf("RemoveViewer calls %v, want %d", removed, tc.leaves.id)
			}
			h.wait("notice", func() bool {
				return strings.Contains(h.app.ChatText(), tc.leaves.name+" stopped viewing your screen.")
			})
			modes, stopped, _ := host.state()
			if tc.after == "" {
				if !stopped {
					t.Fatal("sharing goes on with nobody watching")
				}
				h.wait("host closed", func() bool { _, _, closed := host.state(); return closed })
				h.wait("end notice", func() bool { return strings.Contains(h.app.ChatText(), "Screen sharing has ended.") })
				if _, _, ok := h.app.Sharing(); ok {
					t.Fatal("still sharing")
				}
				h.ui(func() {
					if s := h.app.Screen(); s != ScreenSession {
						t.Fatalf("screen %q: the session must go on", s)
					}
				})
				return
			}
			if stopped {
				t.Fatal("sharing stopped for the others")
			}
			if got := modes[len(modes)-1]; got != tc.lastMode {
				t.Fatalf("host allows %s, want %s", got, tc.lastMode)
			}
			if tc.leaves.id == tess.id && tc.ctrl {
				if _, control, _ := h.app.Sharing(); control {
					t.Fatal("someone controls after the controller left")
				}
			}
		})
	}
}

// TestReplacedConnectionClosesLate: a technician who asked again has a
// new connection; the old one's closing, reported after, leaves them
// listed. Their new connection's closing removes them.
func TestReplacedConnectionClosesLate(t *testing.T) {
	h, b, rec := joinActive(t)
	allowTech(h, b, 40, tess, "view")
	allowTech(h, b, 41, tom, "view")
	h.wait("both", func() bool { return h.app.Indicator() == "Tess Tech, Tom Tech are viewing your screen" })
	host := rec.all()[0]

	// Tess opens a new window and asks for control.
	allowTech(h, b, 42, tess, "control")
	const both = "Tess Tech is controlling your screen; also viewing: Tom Tech"
	h.wait("Tess replaced", func() bool { return h.app.Indicator() == both })
	if removed, _ := host.leaving(); !slices.Equal(removed, []int64{tess.id}) {
		t.Fatalf("RemoveViewer calls %v, want Tess's old connection", removed)
	}

	// Her old connection's closed state arrives now.
	_, checks := host.leaving()
	host.closedLate(tess.id)
	h.wait("the report looked at", func() bool { _, n := host.leaving(); return n > checks })
	h.app.shareOp.Lock() // the report is handled under shareOp: wait for it
	h.app.shareOp.Unlock()
	h.ui(func() {}) // and for what it queued
	if removed, _ := host.leaving(); !slices.Equal(removed, []int64{tess.id}) {
		t.Fatalf("RemoveViewer calls %v: the old connection removed the new one", removed)
	}
	h.ui(func() {
		if got := h.app.Indicator(); got != both {
			t.Errorf("indicator %q, want %q", got, both)
		}
	})
	if name, control, ok := h.app.Sharing(); !ok || !control || name != tess.name {
		t.Fatalf("Sharing() = %q %v %v, want Tess controlling", name, control, ok)
	}

	// Her new window closes.
	host.viewerLeft(tess.id)
	h.wait("Tess gone", func() bool { return h.app.Indicator() == "Tom Tech is viewing your screen" })
	if removed, _ := host.leaving(); !slices.Equal(removed, []int64{tess.id, tess.id}) {
		t.Fatalf("RemoveViewer calls %v", removed)
	}
}

// TestAllowancesReachBrokerOutOfOrder: the end user allows Tess, then
// Tom, but Tess's answer reaches the broker last (her sharing starts
// second). The indicator lists them in the order the end user allowed
// them, and control goes to whom it was allowed last.
func TestAllowancesReachBrokerOutOfOrder(t *testing.T) {
	for _, tc := range []struct {
		mode  string
		shown string
		ctrl  technician
	}{
		{"view", "Tess Tech, Tom Tech are viewing your screen", technician{}},
		{"control", "Tom Tech is controlling your screen; also viewing: Tess Tech", tom},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			h, b, rec := joinActive(t)
			release := b.holdAnswer(60)
			defer release()
			allowTech(h, b, 60, tess, tc.mode)
			allowTech(h, b, 61, tom, tc.mode)
			h.waitShowing("Tom's sharing", func() bool { return strings.HasPrefix(h.app.Indicator(), "Tom Tech ") },
				func() string { return sharingState(h, b, rec) })
			release()
			h.waitShowing("both", func() bool { return h.app.Indicator() == tc.shown },
				func() string { return sharingState(h, b, rec) })
			name, control, ok := h.app.Sharing()
			if !ok || control != (tc.ctrl != technician{}) || control && name != tc.ctrl.name {
				t.Fatalf("Sharing() = %q %v %v, want %q in control", name, control, ok, tc.ctrl.name)
			}
			if tc.ctrl != (technician{}) {
				if _, ctrls := rec.all()[0].control(); ctrls[len(ctrls)-1] != tc.ctrl.id {
					t.Fatalf("SetController calls %v, want %d last", ctrls, tc.ctrl.id)
				}
			}
		})
	}
}

// TestSupersededAllowanceArrivesLate: Tess asks to view, then, from a new
// window, for control; the end user allows both, but the first answer
// reaches the broker last. Her connection stays the one control was
// allowed on.
func TestSupersededAllowanceArrivesLate(t *testing.T) {
	b := newFakeBroker(activeSession)
	rec := &hostRecorder{}
	logs := &logRecorder{}
	h := newHarness(t, Config{Link: testLink, NewBroker: fixedBroker(b), Host: rec.factory, Logger: slog.New(logs)})
	h.screen(ScreenSession)
	h.wait("events", func() bool { return b.ev() != nil })
	release := b.holdAnswer(60)
	defer release()
	allowTech(h, b, 60, tess, "view")
	allowTech(h, b, 61, tess, "control")
	const ctrl = "Tess Tech is controlling your screen"
	h.waitShowing("control", func() bool { return h.app.Indicator() == ctrl },
		func() string { return sharingState(h, b, rec) })
	release()
	h.wait("the late answer", func() bool { return logs.logged("allowance superseded") })
	h.ui(func() {
		if got := h.app.Indicator(); got != ctrl {
			t.Errorf("indicator %q, want %q", got, ctrl)
		}
	})
	host := rec.all()[0]
	if viewers, _ := host.control(); len(viewers) != 1 || viewers[tess.id] != input.ModeControl {
		t.Fatalf("host viewers %v, want Tess's control connection only", viewers)
	}
	if removed, _ := host.leaving(); len(removed) != 0 {
		t.Fatalf("RemoveViewer calls %v: the late allowance replaced the connection", removed)
	}
	if name, control, ok := h.app.Sharing(); !ok || !control || name != tess.name {
		t.Fatalf("Sharing() = %q %v %v, want Tess controlling", name, control, ok)
	}
}
