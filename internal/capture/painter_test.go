// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package capture

import (
	"image"
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// painter draws on the root window of the test display from its own X
// connection, as an application would.
type painter struct {
	t    testing.TB
	conn *xgb.Conn
	root xproto.Window
	gc   xproto.Gcontext
}

func newPainter(t testing.TB) *painter {
	t.Helper()
	conn, err := xgb.NewConn()
	if err != nil {
		t.Fatalf("painter: connect: %v", err)
	}
	t.Cleanup(conn.Close)
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	gc, err := xproto.NewGcontextId(conn)
	if err != nil {
		t.Fatal(err)
	}
	// IncludeInferiors would not matter: the root has no children here.
	if err := xproto.CreateGCChecked(conn, gc, xproto.Drawable(root), xproto.GcForeground, []uint32{0}).Check(); err != nil {
		t.Fatalf("painter: create GC: %v", err)
	}
	return &painter{t: t, conn: conn, root: root, gc: gc}
}

// fill paints r with the 0xRRGGBB colour and waits until the server did it.
func (p *painter) fill(r image.Rectangle, rgb uint32) {
	p.t.Helper()
	xproto.ChangeGC(p.conn, p.gc, xproto.GcForeground, []uint32{rgb})
	xproto.PolyFillRectangle(p.conn, xproto.Drawable(p.root), p.gc, []xproto.Rectangle{{
		X: int16(r.Min.X), Y: int16(r.Min.Y), Width: uint16(r.Dx()), Height: uint16(r.Dy()),
	}})
	p.sync()
}

func (p *painter) sync() {
	p.t.Helper()
	if _, err := xproto.GetInputFocus(p.conn).Reply(); err != nil {
		p.t.Fatalf("painter: sync: %v", err)
	}
}

// pixel returns the 0xRRGGBB colour of a BGRX frame at (x, y).
func pixel(f *Frame, x, y int) uint32 {
	o := y*f.Stride + x*4
	return uint32(f.Data[o+2])<<16 | uint32(f.Data[o+1])<<8 | uint32(f.Data[o])
}

// covered reports whether the union of rs contains r.
func covered(rs []image.Rectangle, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			in := false
			for _, c := range rs {
				if image.Pt(x, y).In(c) {
					in = true
					break
				}
			}
			if !in {
				return false
			}
		}
	}
	return true
}
