// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package media

import (
	"fmt"
	"image"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// painter draws into a window covering the top left of the display from
// its own X connection, as an application would. Its methods queue
// requests; sync waits until the server has executed them. It returns
// errors instead of failing a test so benchmark goroutines can use it.
type painter struct {
	conn   *xgb.Conn
	win    xproto.Window
	gc     xproto.Gcontext
	pixmap xproto.Pixmap // optional off-screen source for copies; 0 when none
	w, h   int
}

// newPainter maps an override-redirect (unmanaged, on top) w×h window at
// the display's origin, filled with white.
func newPainter(display string, w, h int) (*painter, error) {
	return newPainterAt(display, 0, 0, w, h)
}

// newPainterAt is newPainter with the window's top left corner at x, y.
func newPainterAt(display string, x, y, w, h int) (*painter, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("painter: connect: %w", err)
	}
	p := &painter{conn: conn, w: w, h: h}
	screen := xproto.Setup(conn).DefaultScreen(conn)
	if p.win, err = xproto.NewWindowId(conn); err != nil {
		conn.Close()
		return nil, err
	}
	err = xproto.CreateWindowChecked(conn, screen.RootDepth, p.win, screen.Root, int16(x), int16(y), uint16(w), uint16(h), 0,
		xproto.WindowClassInputOutput, screen.RootVisual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect, []uint32{0xffffff, 1}).Check()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("painter: create window: %w", err)
	}
	if p.gc, err = xproto.NewGcontextId(conn); err != nil {
		conn.Close()
		return nil, err
	}
	// No GraphicsExpose events for copies: nothing reads them.
	err = xproto.CreateGCChecked(conn, p.gc, xproto.Drawable(p.win),
		xproto.GcForeground|xproto.GcGraphicsExposures, []uint32{0, 0}).Check()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("painter: create GC: %w", err)
	}
	if err := xproto.MapWindowChecked(conn, p.win).Check(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("painter: map window: %w", err)
	}
	p.fill(image.Rect(0, 0, w, h), 0xffffff)
	return p, p.sync()
}

func (p *painter) close() { p.conn.Close() }

// fill paints r with the 0xRRGGBB colour.
func (p *painter) fill(r image.Rectangle, rgb uint32) {
	p.fillOn(xproto.Drawable(p.win), r, rgb)
}

func (p *painter) fillOn(d xproto.Drawable, r image.Rectangle, rgb uint32) {
	xproto.ChangeGC(p.conn, p.gc, xproto.GcForeground, []uint32{rgb})
	xproto.PolyFillRectangle(p.conn, d, p.gc, []xproto.Rectangle{{
		X: int16(r.Min.X), Y: int16(r.Min.Y), Width: uint16(r.Dx()), Height: uint16(r.Dy()),
	}})
}

// scroll moves the window's rectangle r by dy pixels (negative: up), as a
// scrolling text view does; the uncovered strip keeps its old content.
func (p *painter) scroll(r image.Rectangle, dy int) {
	xproto.CopyArea(p.conn, xproto.Drawable(p.win), xproto.Drawable(p.win), p.gc,
		int16(r.Min.X), int16(r.Min.Y), int16(r.Min.X), int16(r.Min.Y+dy), uint16(r.Dx()), uint16(r.Dy()))
}

// newPixmap makes an off-screen w×h source for blit.
func (p *painter) newPixmap(w, h int) error {
	id, err := xproto.NewPixmapId(p.conn)
	if err != nil {
		return err
	}
	screen := xproto.Setup(p.conn).DefaultScreen(p.conn)
	if err := xproto.CreatePixmapChecked(p.conn, screen.RootDepth, id, xproto.Drawable(p.win), uint16(w), uint16(h)).Check(); err != nil {
		return fmt.Errorf("painter: create pixmap: %w", err)
	}
	p.pixmap = id
	return nil
}

// blit copies the pixmap, from (sx, sy), over the whole window.
func (p *painter) blit(sx, sy int) {
	xproto.CopyArea(p.conn, xproto.Drawable(p.pixmap), xproto.Drawable(p.win), p.gc,
		int16(sx), int16(sy), 0, 0, uint16(p.w), uint16(p.h))
}

// sync waits until the server executed every request sent so far.
func (p *painter) sync() error {
	if _, err := xproto.GetInputFocus(p.conn).Reply(); err != nil {
		return fmt.Errorf("painter: sync: %w", err)
	}
	return nil
}

func drawable(p xproto.Pixmap) xproto.Drawable { return xproto.Drawable(p) }
