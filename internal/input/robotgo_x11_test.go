//go:build linux && cgo

package input

import (
	"errors"
	"io"
	"log"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

func init() {
	// xgb logs every connection without ~/.Xauthority; Xvfb needs none.
	xgb.Logger = log.New(io.Discard, "", 0)
}

func TestRobotgoNoDisplay(t *testing.T) {
	_, err := NewRobotgoInjector(RobotgoConfig{Display: ":" + strconv.Itoa(5000+time.Now().Nanosecond()%1000)})
	if !errors.Is(err, ErrNoDisplay) {
		t.Fatalf("err = %v, want ErrNoDisplay", err)
	}
}

// openInjector starts a display and an injector on it; the injector is
// closed before the display goes (Cleanup runs last-in first-out).
func openInjector(t *testing.T, w, h int) (string, Injector) {
	t.Helper()
	disp := xvfbtest.Start(t, w, h)
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool not installed")
	}
	inj, err := NewRobotgoInjector(RobotgoConfig{Display: disp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inj.Close() })
	return disp, inj
}

func mouseLocation(t *testing.T) (int, int) {
	t.Helper()
	out, err := exec.Command("xdotool", "getmouselocation", "--shell").Output()
	if err != nil {
		t.Fatalf("xdotool getmouselocation: %v", err)
	}
	var x, y int
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "X="); ok {
			x, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(line, "Y="); ok {
			y, _ = strconv.Atoi(v)
		}
	}
	return x, y
}

func TestRobotgoPointerMove(t *testing.T) {
	_, inj := openInjector(t, 640, 480)
	tests := []struct {
		x, y         float32
		wantX, wantY int
	}{
		{0, 0, 0, 0},
		{1, 1, 639, 479},
		{0.5, 0.25, 320, 120},
	}
	for _, tt := range tests {
		if err := inj.Inject(Event{Kind: KindPointerMove, X: tt.x, Y: tt.y}); err != nil {
			t.Fatal(err)
		}
		if x, y := mouseLocation(t); x != tt.wantX || y != tt.wantY {
			t.Errorf("move to (%v,%v): pointer at (%d,%d), want (%d,%d)", tt.x, tt.y, x, y, tt.wantX, tt.wantY)
		}
	}
	if err := inj.Inject(Event{Kind: KindPointerMove, Monitor: 3}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("unknown monitor: err = %v", err)
	}
}

func TestRobotgoSecondMonitorMapping(t *testing.T) {
	disp := xvfbtest.Start(t, 640, 480)
	inj, err := NewRobotgoInjector(RobotgoConfig{Display: disp, Monitors: []Rect{{Width: 320, Height: 480}, {X: 320, Width: 320, Height: 480}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inj.Close() })
	if _, err := NewRobotgoInjector(RobotgoConfig{Display: disp}); !errors.Is(err, ErrBusy) {
		t.Errorf("second injector: err = %v, want ErrBusy", err)
	}
	inj.Inject(Event{Kind: KindPointerMove, Monitor: 1, X: 0.5, Y: 0.5})
	if x, y := mouseLocation(t); x != 480 || y != 240 {
		t.Errorf("pointer at (%d,%d), want (480,240)", x, y)
	}
}

// xwindow is a plain X window that reports key and button presses.
type xwindow struct {
	conn   *xgb.Conn
	events chan xgb.Event
	keymap *xproto.GetKeyboardMappingReply
	minKey xproto.Keycode
}

func newXWindow(t *testing.T, x, y, w, h int) *xwindow {
	t.Helper()
	conn, err := xgb.NewConn()
	if err != nil {
		t.Fatal(err)
	}
	setup := xproto.Setup(conn)
	screen := setup.DefaultScreen(conn)
	wid, _ := xproto.NewWindowId(conn)
	err = xproto.CreateWindowChecked(conn, screen.RootDepth, wid, screen.Root, int16(x), int16(y), uint16(w), uint16(h), 0,
		xproto.WindowClassInputOutput, screen.RootVisual, xproto.CwBackPixel|xproto.CwEventMask,
		[]uint32{0xffffff, xproto.EventMaskKeyPress | xproto.EventMaskButtonPress | xproto.EventMaskExposure}).Check()
	if err != nil {
		t.Fatal(err)
	}
	xproto.MapWindow(conn, wid)
	km, err := xproto.GetKeyboardMapping(conn, setup.MinKeycode, byte(setup.MaxKeycode-setup.MinKeycode+1)).Reply()
	if err != nil {
		t.Fatal(err)
	}
	xw := &xwindow{conn: conn, events: make(chan xgb.Event, 100), keymap: km, minKey: setup.MinKeycode}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if ev != nil {
				xw.events <- ev
			}
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	// Wait until the window is on screen.
	xw.next(t, func(ev xgb.Event) bool { _, ok := ev.(xproto.ExposeEvent); return ok })
	return xw
}

func (xw *xwindow) next(t *testing.T, match func(xgb.Event) bool) xgb.Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-xw.events:
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatal("timed out waiting for an X event")
			return nil
		}
	}
}

// keysym is the unshifted keysym of a key press.
func (xw *xwindow) keysym(ev xproto.KeyPressEvent) xproto.Keysym {
	per := int(xw.keymap.KeysymsPerKeycode)
	return xw.keymap.Keysyms[int(ev.Detail-xw.minKey)*per]
}

func (xw *xwindow) nextKey(t *testing.T) xproto.KeyPressEvent {
	t.Helper()
	return xw.next(t, func(ev xgb.Event) bool { _, ok := ev.(xproto.KeyPressEvent); return ok }).(xproto.KeyPressEvent)
}

// TestRobotgoReachesXWindow checks clicks, keys and typed text arrive in a
// plain X window. GTK3 apps may ignore XTest keys (see BUILDING.md); the
// end-to-end test against a real app belongs with the agent.
func TestRobotgoReachesXWindow(t *testing.T) {
	_, inj := openInjector(t, 640, 480)
	xw := newXWindow(t, 100, 100, 200, 200)
	// No window manager: keyboard focus follows the pointer.
	must := func(ev Event) {
		t.Helper()
		if err := inj.Inject(ev); err != nil {
			t.Fatalf("Inject(%+v): %v", ev, err)
		}
	}
	must(Event{Kind: KindPointerMove, X: 150.0 / 639, Y: 160.0 / 479})
	must(Event{Kind: KindButton, Button: ButtonLeft, Down: true})
	must(Event{Kind: KindButton, Button: ButtonLeft})
	bp := xw.next(t, func(ev xgb.Event) bool { _, ok := ev.(xproto.ButtonPressEvent); return ok }).(xproto.ButtonPressEvent)
	if bp.Detail != 1 || bp.EventX != 50 || bp.EventY != 60 {
		t.Errorf("button press %d at (%d,%d), want button 1 at (50,60)", bp.Detail, bp.EventX, bp.EventY)
	}

	must(Event{Kind: KindWheel, DY: 1})
	wp := xw.next(t, func(ev xgb.Event) bool { _, ok := ev.(xproto.ButtonPressEvent); return ok }).(xproto.ButtonPressEvent)
	if wp.Detail != 5 {
		t.Errorf("wheel down arrived as button %d, want 5", wp.Detail)
	}

	must(Event{Kind: KindKey, Key: "LeftShift", Down: true})
	must(Event{Kind: KindKey, Key: "A", Down: true})
	must(Event{Kind: KindKey, Key: "A"})
	must(Event{Kind: KindKey, Key: "LeftShift"})
	if ev := xw.nextKey(t); xw.keysym(ev) != 0xffe1 { // XK_Shift_L
		t.Errorf("first key keysym %#x, want Shift_L", xw.keysym(ev))
	}
	ev := xw.nextKey(t)
	if xw.keysym(ev) != 'a' || ev.State&xproto.ModMaskShift == 0 {
		t.Errorf("key keysym %#x state %#x, want 'a' with Shift", xw.keysym(ev), ev.State)
	}

	must(Event{Kind: KindText, Text: "hi"})
	for _, want := range "hi" {
		if ev := xw.nextKey(t); xw.keysym(ev) != xproto.Keysym(want) {
			t.Errorf("typed keysym %#x, want %q", xw.keysym(ev), want)
		}
	}

	if err := inj.Inject(Event{Kind: KindKey, Key: "Hyper", Down: true}); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key: err = %v", err)
	}
}

func TestRobotgoReleaseAll(t *testing.T) {
	_, inj := openInjector(t, 640, 480)
	for _, ev := range []Event{
		{Kind: KindKey, Key: "LeftControl", Down: true},
		{Kind: KindKey, Key: "LeftShift", Down: true},
		{Kind: KindButton, Button: ButtonLeft, Down: true},
	} {
		if err := inj.Inject(ev); err != nil {
			t.Fatal(err)
		}
	}
	if mods := queryMask(t); mods&(xproto.ModMaskControl|xproto.ModMaskShift|xproto.KeyButMaskButton1) == 0 {
		t.Fatalf("nothing held before ReleaseAll: mask %#x", mods)
	}
	if err := inj.ReleaseAll(); err != nil {
		t.Fatal(err)
	}
	if mods := queryMask(t); mods&(xproto.ModMaskControl|xproto.ModMaskShift|xproto.KeyButMaskButton1) != 0 {
		t.Errorf("still held after ReleaseAll: mask %#x", mods)
	}
	for i := 0; i < 2; i++ {
		if err := inj.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	if err := inj.Inject(Event{Kind: KindWheel}); !errors.Is(err, ErrClosed) {
		t.Errorf("Inject after Close = %v", err)
	}
}

// queryMask returns the server's modifier and button state.
func queryMask(t *testing.T) uint16 {
	t.Helper()
	conn, err := xgb.NewConn()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	p, err := xproto.QueryPointer(conn, xproto.Setup(conn).DefaultScreen(conn).Root).Reply()
	if err != nil {
		t.Fatal(err)
	}
	return p.Mask
}

// TestRobotgoClipboard: without a SetClipboard hook the injector owns the
// X11 clipboard itself (no xclip or xsel), and other applications can
// paste the text until the injector closes.
func TestRobotgoClipboard(t *testing.T) {
	display, inj := openInjector(t, 320, 240)
	if err := inj.Inject(Event{Kind: KindClipboard, Text: "über ssh"}); err != nil {
		t.Fatal(err)
	}
	x := newXClient(t, display)
	if typ, b := x.read("CLIPBOARD", "UTF8_STRING"); typ != x.atom("UTF8_STRING") || string(b) != "über ssh" {
		t.Fatalf("pasted type %d, %q", typ, b)
	}
	for _, ev := range []Event{{Kind: KindSelectMonitor, Monitor: 1}, {Kind: KindClipboardRequest}, {Kind: KindQuality, Quality: QualitySharp}} {
		if err := inj.Inject(ev); err != nil {
			t.Errorf("Inject(%s) = %v; injectors ignore host requests", ev.Kind, err)
		}
	}
	inj.Close()
	if r, err := xproto.GetSelectionOwner(x.conn, x.atom("CLIPBOARD")).Reply(); err != nil || r.Owner != 0 {
		t.Errorf("clipboard still owned after Close: %v, %v", r, err)
	}
}
