package xvfbtest

import (
	"fmt"
	"image"
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/randr"
	"github.com/jezek/xgb/xproto"

	"github.com/tetherdesk/tether/internal/x11ext"
)

// SplitMonitors divides display's screen into RandR 1.5 monitors, one per
// rectangle, the first primary (what `xrandr --setmonitor` does), so
// multi-monitor code runs on one Xvfb screen. Xvfb keeps its automatic
// whole-screen monitor after these. The test is skipped when the server
// lacks RandR 1.5.
func SplitMonitors(tb testing.TB, display string, rects ...image.Rectangle) {
	tb.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		tb.Fatalf("xvfbtest: connect to %s: %v", display, err)
	}
	defer conn.Close()
	// Not randr.Init: other connections of the test may be receiving events.
	if err := x11ext.Use(conn, "RANDR", randr.Init); err != nil {
		tb.Skipf("xvfbtest: RandR unavailable: %v", err)
	}
	if _, err := randr.QueryVersion(conn, 1, 5).Reply(); err != nil {
		tb.Skipf("xvfbtest: RandR 1.5 unavailable: %v", err)
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	for i, r := range rects {
		name := fmt.Sprintf("TETHER-%d", i)
		atom, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
		if err != nil {
			tb.Fatalf("xvfbtest: intern %s: %v", name, err)
		}
		err = randr.SetMonitorChecked(conn, root, randr.MonitorInfo{
			Name: atom.Atom, Primary: i == 0, X: int16(r.Min.X), Y: int16(r.Min.Y),
			Width: uint16(r.Dx()), Height: uint16(r.Dy()), WidthInMillimeters: 100, HeightInMillimeters: 100,
		}).Check()
		if err != nil {
			tb.Skipf("xvfbtest: RandR SetMonitor refused: %v", err)
		}
	}
}
