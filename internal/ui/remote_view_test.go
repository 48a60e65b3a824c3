package ui

import (
	"image"
	"image/color"
	"runtime"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/input"
)

// rig is a RemoteView in a test window of the Fyne test driver (no display
// needed) that records every input event.
type rig struct {
	v      *RemoteView
	w      fyne.Window
	events []input.Event
}

func newRig(t *testing.T, w, h float32) *rig {
	t.Helper()
	// Fyne writes settings under $HOME; keep them out of the real one.
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("XDG_CACHE_HOME", dir)
	test.NewTempApp(t)
	r := &rig{v: NewRemoteView()}
	r.v.OnInput = func(ev input.Event) { r.events = append(r.events, ev) }
	r.w = test.NewWindow(r.v)
	r.w.SetPadded(false)
	r.w.Resize(fyne.NewSize(w, h))
	t.Cleanup(r.w.Close)
	return r
}

// frame shows img as if a decoder goroutine had sent it, and waits for it.
func (r *rig) frame(img *image.RGBA) {
	var wg sync.WaitGroup
	wg.Go(func() { r.v.SetFrame(img) })
	wg.Wait()
}

func (r *rig) take() []input.Event {
	ev := r.events
	r.events = nil
	return ev
}

func mouse(x, y float32, b desktop.MouseButton) *desktop.MouseEvent {
	return &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x, y)}, Button: b}
}

func rgbaAt(img image.Image, x, y int) color.RGBA {
	r, g, b, a := img.At(x, y).RGBA()
	return color.RGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: uint8(a >> 8)}
}

func assertColor(t *testing.T, img image.Image, x, y int, want color.RGBA) {
	t.Helper()
	if got := rgbaAt(img, x, y); got != want {
		t.Errorf("pixel %d,%d = %v, want %v", x, y, got, want)
	}
}

var black = color.RGBA{A: 255}

func TestRemoteViewRendersFrameLetterboxed(t *testing.T) {
	r := newRig(t, 200, 200)
	src := solid(64, 32, red)
	r.frame(src)
	// Scribbling on the caller's image afterwards must not show: SetFrame copies.
	copy(src.Pix, solid(64, 32, blue).Pix)

	img := r.w.Canvas().Capture()
	// 64x32 fitted into 200x200: 200x100 picture from y=50, black bars.
	assertColor(t, img, 100, 100, red)
	assertColor(t, img, 5, 55, red)
	assertColor(t, img, 195, 145, red)
	assertColor(t, img, 100, 20, black)
	assertColor(t, img, 100, 180, black)

	pic := r.v.renderer.picture
	if pic.ScaleMode != 2 /* canvas.ImageScaleFastest */ || pic.Image == image.Image(src) {
		t.Errorf("picture: scale mode %v, shows caller's buffer %v", pic.ScaleMode, pic.Image == image.Image(src))
	}
	if w, h := r.v.RemoteSize(); w != 64 || h != 32 {
		t.Errorf("RemoteSize = %d,%d", w, h)
	}
}

func TestRemoteViewTallFrameHasSideBars(t *testing.T) {
	r := newRig(t, 200, 100)
	r.frame(solid(50, 100, green))
	img := r.w.Canvas().Capture()
	assertColor(t, img, 100, 50, green)
	assertColor(t, img, 20, 50, black)
	assertColor(t, img, 180, 50, black)
}

func TestRemoteViewActualSizePansWithPointer(t *testing.T) {
	r := newRig(t, 200, 200)
	src := solid(400, 100, red) // left half red, right half blue
	for y := 0; y < 100; y++ {
		for x := 200; x < 400; x++ {
			src.SetRGBA(x, y, blue)
		}
	}
	r.frame(src)
	r.v.SetMode(ViewModeActual)
	if r.v.Mode() != ViewModeActual {
		t.Fatal("mode not set")
	}
	img := r.w.Canvas().Capture()
	// 1:1, offset 0: the left 200 pixels (red) show, vertically centred.
	assertColor(t, img, 100, 100, red)
	assertColor(t, img, 100, 20, black)

	// Pointer at the right edge pans to the right end of the picture.
	test.MoveMouse(r.w.Canvas(), fyne.NewPos(199, 100))
	img = r.w.Canvas().Capture()
	assertColor(t, img, 100, 100, blue)
	assertColor(t, img, 10, 100, blue)
	ev := r.take()
	if len(ev) != 1 || !near(ev[0].X, 199.0/200) || !near(ev[0].Y, 0.5) {
		t.Fatalf("events after panning move = %+v", ev)
	}
}

func TestSetFrameFromGoroutineUpdatesShownImage(t *testing.T) {
	r := newRig(t, 100, 100)
	buffers := map[*image.RGBA]bool{}
	colours := []color.RGBA{red, green, blue}
	var srcs []*image.RGBA
	for _, c := range colours {
		srcs = append(srcs, solid(40, 40, c))
	}
	for i := 0; i < 30; i++ {
		c := colours[i%3]
		r.frame(srcs[i%3])
		shown, ok := r.v.renderer.picture.Image.(*image.RGBA)
		if !ok || shown.RGBAAt(20, 20) != c {
			t.Fatalf("frame %d: shown %T %v, want %v", i, r.v.renderer.picture.Image, shown.RGBAAt(20, 20), c)
		}
		buffers[shown] = true
		assertColor(t, r.w.Canvas().Capture(), 50, 50, c)
	}
	if len(buffers) > 3 {
		t.Fatalf("%d buffers used for 30 frames of one size, want at most 3", len(buffers))
	}
}

func TestSetFrameAllocatesNoFrameSizedMemory(t *testing.T) {
	r := newRig(t, 320, 180)
	src := solid(1280, 720, red)
	for i := 0; i < 4; i++ {
		r.v.SetFrame(src)
	}
	const n = 50
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		r.v.SetFrame(src)
	}
	runtime.ReadMemStats(&after)
	perFrame := (after.TotalAlloc - before.TotalAlloc) / n
	if perFrame > uint64(len(src.Pix))/100 {
		t.Fatalf("SetFrame allocates %d bytes per frame; a frame is %d bytes", perFrame, len(src.Pix))
	}
	t.Logf("SetFrame: %d bytes allocated per frame (frame %d bytes)", perFrame, len(src.Pix))
}

func TestMouseProducesNormalisedEvents(t *testing.T) {
	r := newRig(t, 400, 300)
	r.frame(solid(192, 108, red)) // 16:9 in 4:3: picture 400x225 from y=37.5
	r.v.SetMonitor(2)
	c := r.w.Canvas()

	test.MoveMouse(c, fyne.NewPos(200, 150))    // centre
	test.MoveMouse(c, fyne.NewPos(4, 39.75))    // near the picture's top left
	test.MoveMouse(c, fyne.NewPos(200, 10))     // top bar: nothing
	test.MoveMouse(c, fyne.NewPos(396, 260.25)) // near the bottom right
	r.v.MouseMoved(mouse(0, 37.5, 0))           // exact corners, which the test
	r.v.MouseMoved(mouse(400, 262.5, 0))        // driver's hit test leaves out
	r.v.MouseDown(mouse(100, 150, desktop.MouseButtonPrimary))
	r.v.MouseUp(mouse(100, 150, desktop.MouseButtonPrimary))
	r.v.MouseDown(mouse(100, 150, desktop.MouseButtonSecondary))
	r.v.MouseUp(mouse(100, 150, desktop.MouseButtonSecondary))
	r.v.MouseDown(mouse(100, 150, desktop.MouseButtonTertiary))
	r.v.MouseUp(mouse(100, 150, desktop.MouseButtonTertiary))

	move := func(seq uint32, x, y float32) input.Event {
		return input.Event{Kind: input.KindPointerMove, Seq: seq, X: x, Y: y, Monitor: 2}
	}
	button := func(b input.Button, down bool) input.Event {
		return input.Event{Kind: input.KindButton, Button: b, Down: down, Monitor: 2}
	}
	want := []input.Event{
		move(1, 0.5, 0.5),
		move(2, 0.01, 0.01),
		move(3, 0.99, 0.99),
		move(4, 0, 0),
		move(5, 1, 1),
		move(6, 0.25, 0.5), // the press moves the pointer first
		button(input.ButtonLeft, true), button(input.ButtonLeft, false),
		button(input.ButtonRight, true), button(input.ButtonRight, false),
		button(input.ButtonMiddle, true), button(input.ButtonMiddle, false),
	}
	assertEvents(t, r.take(), want)
	if c.Focused() != r.v {
		t.Error("a click must focus the view")
	}
}

func TestMouseBarsAndDrags(t *testing.T) {
	r := newRig(t, 400, 300)
	r.frame(solid(192, 108, red))
	// A press on a bar focuses but sends nothing.
	r.v.MouseDown(mouse(200, 10, desktop.MouseButtonPrimary))
	r.v.MouseUp(mouse(200, 10, desktop.MouseButtonPrimary))
	if ev := r.take(); len(ev) != 0 {
		t.Fatalf("press on the bar sent %+v", ev)
	}
	if r.w.Canvas().Focused() != r.v {
		t.Error("a click on the bar must still focus the view")
	}
	// A drag that leaves the picture is clamped to its edge, and the release
	// outside the picture still releases.
	r.v.MouseDown(mouse(200, 150, desktop.MouseButtonPrimary))
	r.v.MouseDown(mouse(200, 150, desktop.MouseButtonPrimary)) // repeated press: sent once
	r.v.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(200, 5)}})
	r.v.MouseUp(mouse(200, 5, desktop.MouseButtonPrimary))
	want := []input.Event{
		{Kind: input.KindPointerMove, Seq: 1, X: 0.5, Y: 0.5},
		{Kind: input.KindButton, Button: input.ButtonLeft, Down: true},
		{Kind: input.KindPointerMove, Seq: 2, X: 0.5, Y: 0},
		{Kind: input.KindButton, Button: input.ButtonLeft},
	}
	assertEvents(t, r.take(), want)
}

func TestMouseSeqIncreases(t *testing.T) {
	r := newRig(t, 100, 100)
	r.frame(solid(10, 10, red))
	for i := 0; i < 20; i++ {
		r.v.MouseMoved(mouse(float32(i*5), 50, 0))
	}
	var last uint32
	for _, ev := range r.take() {
		if ev.Kind != input.KindPointerMove || ev.Seq <= last {
			t.Fatalf("event %+v after seq %d", ev, last)
		}
		last = ev.Seq
	}
	if last != 20 {
		t.Fatalf("last seq %d, want 20", last)
	}
}

func TestWheelSendsNotches(t *testing.T) {
	r := newRig(t, 100, 100)
	r.frame(solid(10, 10, red))
	c := r.w.Canvas()
	test.Scroll(c, fyne.NewPos(50, 50), 0, -25) // one notch down (Fyne: negative DY scrolls down)
	test.Scroll(c, fyne.NewPos(50, 50), 0, 50)  // two notches up
	test.Scroll(c, fyne.NewPos(50, 50), -10, 0) // less than a notch: kept
	test.Scroll(c, fyne.NewPos(50, 50), -15, 0) // completes one notch right
	want := []input.Event{
		{Kind: input.KindWheel, DY: 1},
		{Kind: input.KindWheel, DY: -2},
		{Kind: input.KindWheel, DX: 1},
	}
	assertEvents(t, r.take(), want)
}

func key(name fyne.KeyName) *fyne.KeyEvent { return &fyne.KeyEvent{Name: name} }

func keyEv(name fyne.KeyName, down bool) input.Event {
	return input.Event{Kind: input.KindKey, Key: string(name), Down: down}
}

func TestKeysAndText(t *testing.T) {
	r := newRig(t, 100, 100)
	c := r.w.Canvas()
	c.Focus(r.v)
	if !r.v.AcceptsTab() {
		t.Fatal("Tab must go to the remote side")
	}

	r.v.KeyDown(key(fyne.KeyReturn))
	r.v.KeyUp(key(fyne.KeyReturn))
	r.v.KeyDown(key(fyne.KeyTab))
	r.v.TypedKey(key(fyne.KeyTab)) // Fyne sends Tab to TypedKey too: ignored
	r.v.KeyUp(key(fyne.KeyTab))
	// A character key types text: its key events are not sent, its rune is.
	r.v.KeyDown(key(fyne.KeyA))
	r.v.TypedRune('a')
	r.v.KeyUp(key(fyne.KeyA))
	test.Type(r.v, "ü€")
	// Shift is a key; the shifted character is text.
	r.v.KeyDown(key(desktop.KeyShiftLeft))
	r.v.KeyDown(key(fyne.Key1))
	r.v.TypedRune('!')
	r.v.KeyUp(key(fyne.Key1))
	r.v.KeyUp(key(desktop.KeyShiftLeft))

	want := []input.Event{
		keyEv(fyne.KeyReturn, true), keyEv(fyne.KeyReturn, false),
		keyEv(fyne.KeyTab, true), keyEv(fyne.KeyTab, false),
		{Kind: input.KindText, Text: "a"},
		{Kind: input.KindText, Text: "ü"},
		{Kind: input.KindText, Text: "€"},
		keyEv(desktop.KeyShiftLeft, true),
		{Kind: input.KindText, Text: "!"},
		keyEv(desktop.KeyShiftLeft, false),
	}
	assertEvents(t, r.take(), want)
}

func TestShortcutsGoToRemote(t *testing.T) {
	r := newRig(t, 100, 100)
	r.w.Canvas().Focus(r.v)

	// Desktop driver order for Ctrl+C: key downs, then the shortcut, which
	// must not send C twice nor be run locally.
	r.v.KeyDown(key(desktop.KeyControlLeft))
	r.v.KeyDown(key(fyne.KeyC))
	r.v.TypedShortcut(&fyne.ShortcutCopy{})
	r.v.KeyUp(key(fyne.KeyC))
	r.v.KeyUp(key(desktop.KeyControlLeft))
	assertEvents(t, r.take(), []input.Event{
		keyEv(desktop.KeyControlLeft, true), keyEv(fyne.KeyC, true),
		keyEv(fyne.KeyC, false), keyEv(desktop.KeyControlLeft, false),
	})

	// A shortcut without key events (another driver) is replayed as keys.
	r.v.TypedShortcut(&fyne.ShortcutPaste{})
	r.v.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift})
	assertEvents(t, r.take(), []input.Event{
		keyEv(desktop.KeyControlLeft, true), keyEv(fyne.KeyV, true), keyEv(fyne.KeyV, false), keyEv(desktop.KeyControlLeft, false),
		keyEv(desktop.KeyControlLeft, true), keyEv(desktop.KeyShiftLeft, true),
		keyEv(fyne.KeyT, true), keyEv(fyne.KeyT, false),
		keyEv(desktop.KeyShiftLeft, false), keyEv(desktop.KeyControlLeft, false),
	})
}

func TestFocusLostReleasesHeldInput(t *testing.T) {
	r := newRig(t, 100, 100)
	r.frame(solid(10, 10, red))
	c := r.w.Canvas()
	r.v.MouseDown(mouse(50, 50, desktop.MouseButtonPrimary)) // focuses
	r.v.KeyDown(key(desktop.KeyShiftLeft))
	r.take()
	c.Unfocus()
	assertEvents(t, r.take(), []input.Event{{Kind: input.KindReleaseAll}})
	// Nothing held any more: the late releases are not sent.
	r.v.MouseUp(mouse(50, 50, desktop.MouseButtonPrimary))
	r.v.KeyUp(key(desktop.KeyShiftLeft))
	c.Focus(r.v)
	c.Unfocus()
	assertEvents(t, r.take(), nil)
}

func TestViewOnlyEmitsNothing(t *testing.T) {
	r := newRig(t, 100, 100)
	r.frame(solid(10, 10, red))
	r.v.SetViewOnly(true)
	if !r.v.ViewOnly() {
		t.Fatal("ViewOnly() = false")
	}
	c := r.w.Canvas()
	test.MoveMouse(c, fyne.NewPos(50, 50))
	test.MoveMouse(c, fyne.NewPos(60, 50))
	r.v.MouseDown(mouse(50, 50, desktop.MouseButtonPrimary))
	r.v.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(70, 70)}})
	r.v.MouseUp(mouse(50, 50, desktop.MouseButtonPrimary))
	test.Scroll(c, fyne.NewPos(50, 50), 0, -100)
	r.v.KeyDown(key(fyne.KeyReturn))
	r.v.KeyUp(key(fyne.KeyReturn))
	r.v.KeyDown(key(desktop.KeyControlLeft))
	r.v.KeyDown(key(fyne.KeyC))
	r.v.TypedShortcut(&fyne.ShortcutCopy{})
	test.Type(r.v, "secret")
	c.Unfocus()
	if ev := r.take(); len(ev) != 0 {
		t.Fatalf("view-only view sent %+v", ev)
	}
	if c.Focused() != nil {
		t.Error("unexpected focus")
	}

	// Back to control: events flow again.
	r.v.SetViewOnly(false)
	r.v.MouseMoved(mouse(50, 50, 0))
	if ev := r.take(); len(ev) != 1 {
		t.Fatalf("after view-only: %+v", ev)
	}
}

func TestViewOnlyReleasesHeldKeysOnce(t *testing.T) {
	r := newRig(t, 100, 100)
	r.w.Canvas().Focus(r.v)
	r.v.KeyDown(key(desktop.KeyAltLeft))
	r.take()
	r.v.SetViewOnly(true)
	assertEvents(t, r.take(), []input.Event{{Kind: input.KindReleaseAll}})
	r.v.KeyUp(key(desktop.KeyAltLeft))
	assertEvents(t, r.take(), nil)
}

func TestCursorDrawnAtRemotePosition(t *testing.T) {
	r := newRig(t, 200, 200)
	r.frame(solid(100, 50, blue)) // 200x100 picture from y=50, 2 units per pixel
	rend := r.v.renderer
	if rend.cursor.Visible() {
		t.Fatal("cursor visible before SetCursor")
	}

	var wg sync.WaitGroup
	wg.Go(func() { r.v.SetCursor(0.5, 0.5, true, nil) })
	wg.Wait()
	if !rend.cursor.Visible() || rend.cursor.Position() != fyne.NewPos(100, 100) {
		t.Fatalf("arrow at %v visible %v, want at 100,100", rend.cursor.Position(), rend.cursor.Visible())
	}
	if rend.cursor.Size() != fyne.NewSize(24, 38) { // 12x19 arrow at 2 units per remote pixel
		t.Errorf("arrow size %v", rend.cursor.Size())
	}
	img := r.w.Canvas().Capture()
	assertColor(t, img, 100, 100, black) // the arrow's outlined tip
	assertColor(t, img, 103, 113, color.RGBA{R: 255, G: 255, B: 255, A: 255})
	assertColor(t, img, 98, 100, blue) // left of the tip: picture

	shape := solid(4, 4, green)
	r.v.SetCursor(0.25, 0, true, shape)
	if rend.cursor.Position() != fyne.NewPos(50, 50) || rend.cursor.Image != image.Image(shape) {
		t.Fatalf("shape cursor at %v", rend.cursor.Position())
	}
	assertColor(t, r.w.Canvas().Capture(), 53, 53, green)

	r.v.SetCursor(0.25, 0, false, shape)
	if rend.cursor.Visible() {
		t.Fatal("hidden cursor still visible")
	}
	assertColor(t, r.w.Canvas().Capture(), 53, 53, blue)

	// The cursor follows the picture when the view is resized.
	r.v.SetCursor(1, 1, true, nil)
	r.w.Resize(fyne.NewSize(400, 100)) // picture 200x100 from x=100
	if rend.cursor.Position() != fyne.NewPos(300, 100) {
		t.Fatalf("after resize cursor at %v, want 300,200", rend.cursor.Position())
	}
}

func assertEvents(t *testing.T, got, want []input.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if !near(g.X, w.X) || !near(g.Y, w.Y) {
			t.Errorf("event %d: position %v,%v want %v,%v", i, g.X, g.Y, w.X, w.Y)
		}
		g.X, g.Y, w.X, w.Y = 0, 0, 0, 0
		if g != w {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}
