package viewer

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/input"
)

// placed is where an object ended up in the window: its rectangle and the
// part of the window a scroll container lets show of it.
type placed struct {
	pos, size        fyne.Position
	clipMin, clipMax fyne.Position
	scroll           *container.Scroll // the innermost scroll around it
}

// locate finds target in the tree under o (at absolute position at, shown
// within clipMin–clipMax), entering containers and scroll containers.
func locate(o, target fyne.CanvasObject, at, clipMin, clipMax fyne.Position, scroll *container.Scroll) (placed, bool) {
	at = at.Add(o.Position())
	if o == target {
		sz := o.Size()
		return placed{pos: at, size: fyne.NewPos(sz.Width, sz.Height), clipMin: clipMin, clipMax: clipMax, scroll: scroll}, true
	}
	if !o.Visible() {
		return placed{}, false
	}
	switch c := o.(type) {
	case *fyne.Container:
		for _, child := range c.Objects {
			if p, ok := locate(child, target, at, clipMin, clipMax, scroll); ok {
				return p, true
			}
		}
	case *container.Scroll:
		sz := c.Size()
		lo := fyne.NewPos(max(clipMin.X, at.X), max(clipMin.Y, at.Y))
		hi := fyne.NewPos(min(clipMax.X, at.X+sz.Width), min(clipMax.Y, at.Y+sz.Height))
		return locate(c.Content, target, at, lo, hi, c)
	}
	return placed{}, false
}

// widestToolbar opens a viewer window whose toolbar is as wide as it gets:
// two monitors to pick from, collaborators, file transfer.
func widestToolbar(t *testing.T) *Window {
	t.Helper()
	e := newEnv(t)
	me := api.Account{ID: 5, Name: "Vera", Role: "technician", Rights: []string{"take", "remote_control", "file_transfer"}}
	dev := testDevice
	dev.Screens = []api.Screen{{Width: 1920, Height: 1080, Primary: true}, {Width: 2560, Height: 1440}}
	s := api.Session{ID: 1, Device: dev, AssigneeID: 5, Collaborators: []int64{6, 7}}
	w := newWindow(Config{App: e.app, Client: e.owner, Session: s, Me: me, Mode: ModeControl}, fakeSignals{})
	t.Cleanup(w.Close)
	return w
}

// layOut resizes the window and lays it out as a shown window would be.
func layOut(t *testing.T, w *Window, width, height float32) fyne.CanvasObject {
	t.Helper()
	// from another size: an unchanged size would keep the layout of the
	// window's first texts (the GL driver lays out again when they change)
	w.win.Resize(fyne.NewSize(width-1, height))
	w.win.Resize(fyne.NewSize(width, height))
	c := w.win.Canvas()
	if got := c.Size(); got.Width != width {
		t.Fatalf("canvas %v, want %v wide", got, width)
	}
	c.Capture() // paints, and so lays out, everything
	return c.Content()
}

// TestToolbarFits lays the viewer window out at its default 1200×760 with
// the widest toolbar and checks that nothing needs scrolling: the
// toolbar's minimum width fits the window, and every control, Collaborators
// and End among them, is in sight.
func TestToolbarFits(t *testing.T) {
	w := widestToolbar(t)
	const width, height = 1200, 760
	root := layOut(t, w, width, height)
	origin, far := fyne.NewPos(0, 0), fyne.NewPos(width, height)

	tb := w.tb
	controls := []struct {
		name string
		o    fyne.CanvasObject
	}{
		{"View only/Control", tb.control}, {"Monitor", tb.monitor}, {"Fit/1:1", tb.scale},
		{"Actions", tb.actions}, {"Chat", tb.chatToggle}, {"Collaborators", tb.collab}, {"End", tb.end},
	}
	var sc *container.Scroll
	for _, ctl := range controls {
		p, ok := locate(root, ctl.o, origin, origin, far, nil)
		if !ok {
			t.Errorf("%s is not shown in the window", ctl.name)
			continue
		}
		lo, hi := p.pos, p.pos.Add(p.size)
		if lo.X < p.clipMin.X || hi.X > p.clipMax.X || lo.Y < p.clipMin.Y || hi.Y > p.clipMax.Y {
			t.Errorf("%s at %v–%v is cut off: the visible area is %v–%v", ctl.name, lo, hi, p.clipMin, p.clipMax)
		}
		if min := ctl.o.MinSize(); p.size.X < min.Width || p.size.Y < min.Height {
			t.Errorf("%s is %v, smaller than its minimum %v", ctl.name, p.size, min)
		}
		if ctl.o == tb.collab {
			sc = p.scroll
		}
	}
	// The window width the toolbar needs: the part that scrolls needs its
	// content's minimum width, End and the padding around take the rest.
	if sc == nil {
		t.Fatal("Collaborators is not in the toolbar's scroll container")
	}
	need := width - sc.Size().Width + sc.Content.MinSize().Width
	t.Logf("the toolbar needs %.0f px of the window's %d", need, width)
	if need > width {
		t.Errorf("the toolbar scrolls: it needs %.0f px, the window is %d wide", need, width)
	}
	if tb.collab.Text != "Collaborators (3)" {
		t.Errorf("collaborators %q", tb.collab.Text)
	}
	// the picker is wide enough for the whole name of the primary monitor
	if got, want := tb.monitor.Size().Width, tb.monitorBox.MinSize().Width; got < want || tb.monitor.Selected != "Monitor 1 · 1920×1080 · primary" {
		t.Errorf("monitor picker %v wide showing %q, needs %v", got, tb.monitor.Selected, want)
	}
}

// TestToolbarNarrowWindow: a window narrower than the toolbar still works:
// the toolbar scrolls instead of widening the window, and End stays in
// sight.
func TestToolbarNarrowWindow(t *testing.T) {
	w := widestToolbar(t)
	const width, height = 700, 500
	if min := w.win.Content().MinSize(); min.Width > width {
		t.Errorf("the window cannot be narrower than %v", min.Width)
	}
	root := layOut(t, w, width, height)
	origin, far := fyne.NewPos(0, 0), fyne.NewPos(width, height)
	end, ok := locate(root, w.tb.end, origin, origin, far, nil)
	if !ok || end.pos.X+end.size.X > width || end.size.X < w.tb.end.MinSize().Width {
		t.Errorf("End at %v, %v in a %d px window", end.pos, end.size, width)
	}
	collab, ok := locate(root, w.tb.collab, origin, origin, far, nil)
	if !ok || collab.scroll == nil || collab.scroll.Content.MinSize().Width <= collab.scroll.Size().Width {
		t.Error("the toolbar does not scroll in a narrow window")
	}
}

// TestToolbarStates: what the toolbar offers in view only and in control,
// and the monitor picker only for more than one monitor.
func TestToolbarStates(t *testing.T) {
	w := widestToolbar(t)
	tb := w.tb
	if !tb.monitorBox.Visible() {
		t.Error("no monitor picker for two monitors")
	}
	// view only: sending a file is all the Actions menu offers
	if tb.actions.Disabled() || !tb.cad.Disabled() || !tb.clipSend.Disabled() || !tb.clipFetch.Disabled() || tb.file.Disabled() || !tb.file.Visible() {
		t.Error("view only: Actions should offer sending a file only")
	}
	tb.showActions()
	if !tb.actionMenu.Visible() {
		t.Fatal("the Actions menu did not open")
	}
	tb.actionMenu.Hide()
	tb.control.SetSelected("Control")
	if tb.cad.Disabled() || tb.clipSend.Disabled() || tb.clipFetch.Disabled() {
		t.Error("control: Ctrl+Alt+Del and the clipboard are not offered")
	}

	// no file transfer right and view only: the picture quality is all
	// Actions offers; one monitor: nothing to pick
	e := newEnv(t)
	me := api.Account{ID: 5, Name: "Vera", Role: "technician", Rights: []string{"take"}}
	w2 := newWindow(Config{App: e.app, Client: e.owner, Session: api.Session{ID: 2, Device: testDevice}, Me: me, Mode: ModeControl}, fakeSignals{})
	defer w2.Close()
	if w2.tb.actions.Disabled() || w2.tb.file.Visible() || !w2.tb.cad.Disabled() || w2.tb.quality.Disabled() {
		t.Error("view only without file transfer: Actions should offer the picture quality only")
	}
	if w2.tb.monitorBox.Visible() {
		t.Error("a monitor picker for one monitor")
	}
	if w2.tb.collab.Text != "Collaborators" {
		t.Errorf("collaborators %q", w2.tb.collab.Text)
	}
}

// TestQualityPicker: the picture quality is offered in view only, shows
// my choice until the host answers, then the host's; a choice the host
// refused (another technician controls) is explained.
func TestQualityPicker(t *testing.T) {
	e := newEnv(t)
	me := api.Account{ID: 5, Name: "Vera", Role: "technician", Rights: []string{"take"}}
	w := newWindow(Config{App: e.app, Client: e.owner, Session: api.Session{ID: 3, Device: testDevice}, Me: me, Mode: ModeView}, fakeSignals{})
	defer w.Close()
	tb := w.tb
	if tb.quality.Selected != "Auto" || w.qualityText() != "" {
		t.Fatalf("a new window shows %q, status %q", tb.quality.Selected, w.qualityText())
	}
	if got := tb.quality.Options; len(got) != 3 || got[1] != "Speed (smooth)" || got[2] != "Quality (sharp)" {
		t.Fatalf("options %q", got)
	}
	test.Tap(tb.actions)
	if !tb.actionMenu.Visible() {
		t.Fatal("the Actions menu did not open in view only")
	}
	tb.quality.SetSelected("Speed (smooth)") // as a tap on the option does
	if tb.actionMenu.Visible() {
		t.Error("the Actions menu stays open after choosing the quality")
	}
	w.mu.Lock()
	wanted, sent := w.qualityWanted, w.sent
	w.mu.Unlock()
	// not connected yet: the choice waits for the connection, and it is
	// no input
	if wanted != input.QualitySpeed || sent != 0 || len(w.inputs) != 0 {
		t.Fatalf("wanted %s, %d input events sent, %d queued", wanted, sent, len(w.inputs))
	}
	if got := w.qualityText(); got != "Speed (smooth) · " {
		t.Errorf("status shows %q", got)
	}

	// The host keeps Auto: another technician controls.
	tb.gotQuality(input.QualityAuto)
	if tb.quality.Selected != "Auto" || !strings.Contains(tb.status.Text, "Only the technician in control") {
		t.Errorf("after a refusal: %q selected, status %q", tb.quality.Selected, tb.status.Text)
	}
	// A colleague in control chose Quality: shown, no complaint.
	tb.setStatus("")
	tb.gotQuality(input.QualitySharp)
	if tb.quality.Selected != "Quality (sharp)" || tb.status.Text != "" {
		t.Errorf("after the host's change: %q selected, status %q", tb.quality.Selected, tb.status.Text)
	}
}
