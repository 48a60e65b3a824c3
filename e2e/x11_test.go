package e2e

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// display is one private Xvfb screen, driven the way a person would:
// xdotool moves the pointer, clicks and types; screenshots read the
// pixels back. Without a window manager keyboard focus follows the
// pointer, so every typing helper first moves into the target window.
type display struct {
	t    *testing.T
	name string // ":N"
	role string // "tech" or "agent", for screenshot names and messages
	w, h int

	mu   sync.Mutex // guards conn
	conn *xgb.Conn  // screenshots and the pattern; opened lazily
}

func startDisplay(t *testing.T, role string, w, h int) *display {
	t.Helper()
	name := xvfbtest.Start(t, w, h)
	d := &display{t: t, name: name, role: role, w: w, h: h}
	t.Cleanup(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.conn != nil {
			d.conn.Close()
		}
	})
	return d
}

func (d *display) env() []string {
	return append(os.Environ(), "DISPLAY="+d.name)
}

// xdo runs xdotool on this display and returns its trimmed output.
func (d *display) xdo(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xdotool", args...)
	cmd.Env = d.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("xdotool %s on %s: %v: %s", strings.Join(args, " "), d.name, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

func (d *display) mustXdo(args ...string) string {
	d.t.Helper()
	out, err := d.xdo(args...)
	if err != nil {
		d.fail("%v", err)
	}
	return out
}

// fail saves a screenshot of the whole display, then fails the test.
func (d *display) fail(format string, args ...any) {
	d.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if p, err := d.saveShot("FAILED-"+d.role, nil); err == nil {
		msg += "\n(screenshot of the " + d.role + " display: " + p + ")"
	}
	d.t.Fatal(msg)
}

// window is a top-level window on a display.
type window struct {
	d    *display
	id   string
	name string
}

// findWindow waits for a visible window whose title matches pattern (an
// xdotool regular expression).
// Windows in except (earlier finds) are skipped, to tell a second
// instance of an app from the first.
func (d *display) findWindow(pattern string, timeout time.Duration, except ...*window) *window {
	d.t.Helper()
	var id string
	poll(d.t, d, timeout, "a window titled "+strconv.Quote(pattern)+" on the "+d.role+" display", func() bool {
		out, _ := d.xdo("search", "--onlyvisible", "--name", pattern)
	next:
		for _, f := range strings.Fields(out) {
			for _, e := range except {
				if e != nil && e.id == f {
					continue next
				}
			}
			id = f
			return true
		}
		return false
	})
	w := &window{d: d, id: id}
	w.name, _ = d.xdo("getwindowname", w.id)
	return w
}

// windowGone waits until no visible window matches pattern.
func (d *display) windowGone(pattern string, timeout time.Duration) {
	d.t.Helper()
	poll(d.t, d, timeout, "the window titled "+strconv.Quote(pattern)+" to close", func() bool {
		out, _ := d.xdo("search", "--onlyvisible", "--name", pattern)
		return strings.TrimSpace(out) == ""
	})
}

// rect is the window's position and size on its screen.
func (w *window) rect() image.Rectangle {
	w.d.t.Helper()
	out := w.d.mustXdo("getwindowgeometry", "--shell", w.id)
	v := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		k, val, ok := strings.Cut(line, "=")
		if ok {
			n, _ := strconv.Atoi(val)
			v[k] = n
		}
	}
	return image.Rect(v["X"], v["Y"], v["X"]+v["WIDTH"], v["Y"]+v["HEIGHT"])
}

// place moves and sizes the window, waiting until the X server reports
// it there: Fyne's layouts are deterministic for a given size, so click
// targets can be given relative to the window.
func (w *window) place(x, y, width, height int) {
	w.d.t.Helper()
	want := image.Rect(x, y, x+width, y+height)
	poll(w.d.t, w.d, 10*time.Second, fmt.Sprintf("window %q at %v", w.name, want), func() bool {
		if w.rect() == want {
			return true
		}
		w.d.xdo("windowsize", w.id, strconv.Itoa(width), strconv.Itoa(height))
		w.d.xdo("windowmove", w.id, strconv.Itoa(x), strconv.Itoa(y))
		time.Sleep(150 * time.Millisecond)
		return false
	})
	w.d.xdo("windowraise", w.id)
	time.Sleep(400 * time.Millisecond) // let Fyne lay out and paint at the new size
}

// raise puts the window on top and gives it the keyboard focus. Without
// a window manager nobody else does: the X server's focus stays where a
// program last put it (Fyne focuses a window it shows), so typing after a
// mere pointer move could land in the remote viewer — and from there on
// the end user's screen.
func (w *window) raise() {
	w.d.t.Helper()
	w.d.mustXdo("windowraise", w.id)
	w.d.mustXdo("windowfocus", "--sync", w.id)
}

// hover moves the pointer to (x, y) inside the window.
func (w *window) hover(x, y int) {
	w.d.t.Helper()
	w.d.mustXdo("mousemove", "--window", w.id, strconv.Itoa(x), strconv.Itoa(y))
	time.Sleep(120 * time.Millisecond) // Fyne sees the motion before the button
}

// click raises the window and clicks the left button at (x, y) inside it.
func (w *window) click(x, y int) {
	w.d.t.Helper()
	w.raise()
	w.hover(x, y)
	w.d.mustXdo("click", "1")
	time.Sleep(200 * time.Millisecond)
}

// typeText types into the widget that has keyboard focus in the window
// (click it first).
func (w *window) typeText(s string) {
	w.d.t.Helper()
	w.d.mustXdo("type", "--delay", "25", "--", s)
	time.Sleep(100 * time.Millisecond)
}

// key presses keys (xdotool names: Return, Tab, ctrl+a).
func (w *window) key(keys ...string) {
	w.d.t.Helper()
	w.d.mustXdo(append([]string{"key", "--delay", "60"}, keys...)...)
	time.Sleep(150 * time.Millisecond)
}

// clickType clicks an entry and types into it.
func (w *window) clickType(x, y int, s string) {
	w.d.t.Helper()
	w.click(x, y)
	w.typeText(s)
}

// pixels captures the window; the image uses window coordinates.
func (w *window) pixels() (*image.RGBA, error) {
	r := w.rect()
	img, err := w.d.captureRect(r)
	if err != nil {
		return nil, err
	}
	img.Rect = img.Rect.Sub(r.Min)
	return img, nil
}

// waitPixel waits until the pixel at (x, y) of the window satisfies ok.
func (w *window) waitPixel(x, y int, ok func(color.RGBA) bool, timeout time.Duration, what string) {
	w.d.t.Helper()
	poll(w.d.t, w.d, timeout, what, func() bool {
		img, err := w.pixels()
		return err == nil && ok(img.RGBAAt(x, y))
	})
}

// waitColor waits until the pixel at (x, y) of the window is near c.
func (w *window) waitColor(x, y int, c color.RGBA, timeout time.Duration, what string) {
	w.d.t.Helper()
	w.waitPixel(x, y, func(got color.RGBA) bool { return near(got, c, 16) }, timeout, what)
}

// shot saves a screenshot of just this window.
func (w *window) shot(name string) string {
	w.d.t.Helper()
	return w.d.shot(name, w)
}

// close asks the window to close the way a window manager's close button
// does (WM_DELETE_WINDOW); Fyne then runs the window's close handler.
func (w *window) close() {
	w.d.t.Helper()
	c, err := w.d.x()
	if err != nil {
		w.d.t.Fatal(err)
	}
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(c, false, uint16(len(name)), name).Reply()
		if err != nil {
			w.d.t.Fatal(err)
		}
		return r.Atom
	}
	id, _ := strconv.ParseUint(w.id, 10, 32)
	ev := xproto.ClientMessageEvent{
		Format: 32, Window: xproto.Window(id), Type: atom("WM_PROTOCOLS"),
		Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(atom("WM_DELETE_WINDOW")), 0, 0, 0, 0}),
	}
	if err := xproto.SendEventChecked(c, false, xproto.Window(id), 0, string(ev.Bytes())).Check(); err != nil {
		w.d.t.Fatalf("close window %q: %v", w.name, err)
	}
}

// pointer is where the display's pointer is.
func (d *display) pointer() image.Point {
	d.t.Helper()
	out := d.mustXdo("getmouselocation", "--shell")
	v := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		k, val, ok := strings.Cut(line, "=")
		if ok {
			n, _ := strconv.Atoi(val)
			v[k] = n
		}
	}
	return image.Pt(v["X"], v["Y"])
}

// x connects to the display's X server once.
func (d *display) x() (*xgb.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		return d.conn, nil
	}
	c, err := xgb.NewConnDisplay(d.name)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", d.name, err)
	}
	d.conn = c
	return c, nil
}

// capture reads the whole screen.
func (d *display) capture() (*image.RGBA, error) {
	return d.captureRect(image.Rect(0, 0, d.w, d.h))
}

// captureRect reads part of the screen; the image keeps screen
// coordinates (its Bounds are r).
func (d *display) captureRect(r image.Rectangle) (*image.RGBA, error) {
	r = r.Intersect(image.Rect(0, 0, d.w, d.h))
	if r.Empty() {
		return nil, fmt.Errorf("capture %v: outside the %dx%d screen", r, d.w, d.h)
	}
	c, err := d.x()
	if err != nil {
		return nil, err
	}
	root := xproto.Setup(c).DefaultScreen(c).Root
	img := image.NewRGBA(r)
	w := r.Dx()
	// Strips keep each reply far below the X server's size limits.
	const strip = 200
	for y := r.Min.Y; y < r.Max.Y; y += strip {
		h := min(strip, r.Max.Y-y)
		rep, err := xproto.GetImage(c, xproto.ImageFormatZPixmap, xproto.Drawable(root), int16(r.Min.X), int16(y), uint16(w), uint16(h), 0xffffffff).Reply()
		if err != nil {
			return nil, fmt.Errorf("GetImage: %w", err)
		}
		if len(rep.Data) < w*h*4 {
			return nil, fmt.Errorf("GetImage: %d bytes for %dx%d (depth %d)", len(rep.Data), w, h, rep.Depth)
		}
		for row := 0; row < h; row++ {
			dst := img.Pix[img.PixOffset(r.Min.X, y+row):]
			src := rep.Data[row*w*4:]
			for i := 0; i < w; i++ { // BGRX -> RGBA
				dst[i*4+0] = src[i*4+2]
				dst[i*4+1] = src[i*4+1]
				dst[i*4+2] = src[i*4+0]
				dst[i*4+3] = 0xff
			}
		}
	}
	return img, nil
}

func (d *display) mustCapture() *image.RGBA {
	d.t.Helper()
	img, err := d.capture()
	if err != nil {
		d.t.Fatalf("screenshot of the %s display: %v", d.role, err)
	}
	return img
}

// shot saves a screenshot of the window (or of the whole display when w
// is nil) as test output and returns the path.
func (d *display) shot(name string, w *window) string {
	d.t.Helper()
	p, err := d.saveShot(name, w)
	if err != nil {
		d.t.Fatalf("screenshot %s: %v", name, err)
	}
	return p
}

var (
	shotMu  sync.Mutex
	shotSeq int
)

func (d *display) saveShot(name string, w *window) (string, error) {
	img, err := d.capture()
	if err != nil {
		return "", err
	}
	var out image.Image = img
	if w != nil {
		r := w.rect().Intersect(img.Bounds())
		if !r.Empty() {
			out = img.SubImage(r)
		}
	}
	shotMu.Lock()
	shotSeq++
	n := shotSeq
	shotMu.Unlock()
	p := filepath.Join(shotDir, fmt.Sprintf("%02d-%s.png", n, name))
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := png.Encode(f, out); err != nil {
		return "", err
	}
	d.t.Logf("screenshot: %s", p)
	return p, nil
}

// readClipboard asks the CLIPBOARD selection's owner on this display for
// its text, as a paste into another program would.
func (d *display) readClipboard(timeout time.Duration) (string, error) {
	c, err := xgb.NewConnDisplay(d.name)
	if err != nil {
		return "", err
	}
	defer c.Close()
	screen := xproto.Setup(c).DefaultScreen(c)
	atom := func(name string) (xproto.Atom, error) {
		r, err := xproto.InternAtom(c, false, uint16(len(name)), name).Reply()
		if err != nil {
			return 0, err
		}
		return r.Atom, nil
	}
	clip, err := atom("CLIPBOARD")
	if err != nil {
		return "", err
	}
	utf8, err := atom("UTF8_STRING")
	if err != nil {
		return "", err
	}
	prop, err := atom("TETHER_E2E_PASTE")
	if err != nil {
		return "", err
	}
	win, err := xproto.NewWindowId(c)
	if err != nil {
		return "", err
	}
	if err := xproto.CreateWindowChecked(c, screen.RootDepth, win, screen.Root, 0, 0, 1, 1, 0,
		xproto.WindowClassInputOutput, screen.RootVisual, 0, nil).Check(); err != nil {
		return "", err
	}
	xproto.ConvertSelection(c, win, clip, utf8, prop, xproto.TimeCurrentTime)
	got := make(chan xproto.SelectionNotifyEvent, 1)
	go func() {
		for {
			ev, err := c.WaitForEvent()
			if ev == nil && err == nil {
				return // connection closed
			}
			if sn, ok := ev.(xproto.SelectionNotifyEvent); ok {
				got <- sn
				return
			}
		}
	}()
	select {
	case sn := <-got:
		if sn.Property == xproto.AtomNone {
			return "", errors.New("the clipboard holds no text")
		}
	case <-time.After(timeout):
		return "", errors.New("no answer from the clipboard's owner")
	}
	r, err := xproto.GetProperty(c, true, win, prop, xproto.GetPropertyTypeAny, 0, 1<<16).Reply()
	if err != nil {
		return "", err
	}
	return string(r.Value), nil
}

// block is one coloured rectangle of the test pattern on the agent's
// screen.
type block struct {
	r image.Rectangle
	c color.RGBA
}

// patternColors are saturated colours that survive VP8's chroma
// subsampling and that Fyne's dark theme does not use; magenta comes
// first because it marks the picture's top-left corner in the viewer.
var patternColors = []color.RGBA{
	{220, 40, 220, 255},  // magenta
	{40, 200, 60, 255},   // green
	{250, 220, 30, 255},  // yellow
	{40, 210, 230, 255},  // cyan
	{240, 240, 240, 255}, // white
	{230, 40, 40, 255},   // red
	{120, 60, 210, 255},  // purple
	{250, 140, 20, 255},  // orange
	{0, 110, 100, 255},   // teal
	{250, 160, 190, 255}, // pink
	{130, 140, 20, 255},  // olive
	{30, 60, 200, 255},   // blue
}

// drawPattern fills the display's root window with a cols×rows grid of
// coloured blocks: the known picture the technician's viewer must show.
// The root background stays while the X server runs (-noreset).
func (d *display) drawPattern(cols, rows int) []block {
	d.t.Helper()
	c, err := d.x()
	if err != nil {
		d.t.Fatal(err)
	}
	screen := xproto.Setup(c).DefaultScreen(c)
	pix, err := xproto.NewPixmapId(c)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := xproto.CreatePixmapChecked(c, screen.RootDepth, pix, xproto.Drawable(screen.Root), uint16(d.w), uint16(d.h)).Check(); err != nil {
		d.t.Fatalf("pattern pixmap: %v", err)
	}
	gc, err := xproto.NewGcontextId(c)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := xproto.CreateGCChecked(c, gc, xproto.Drawable(pix), 0, nil).Check(); err != nil {
		d.t.Fatalf("pattern gc: %v", err)
	}
	bw, bh := d.w/cols, d.h/rows
	var blocks []block
	for row := 0; row < rows; row++ {
		for col := 0; col < cols; col++ {
			b := block{r: image.Rect(col*bw, row*bh, (col+1)*bw, (row+1)*bh), c: patternColors[(row*cols+col)%len(patternColors)]}
			blocks = append(blocks, b)
			xproto.ChangeGC(c, gc, xproto.GcForeground, []uint32{uint32(b.c.R)<<16 | uint32(b.c.G)<<8 | uint32(b.c.B)})
			xproto.PolyFillRectangle(c, xproto.Drawable(pix), gc, []xproto.Rectangle{{X: int16(b.r.Min.X), Y: int16(b.r.Min.Y), Width: uint16(bw), Height: uint16(bh)}})
		}
	}
	if err := xproto.ChangeWindowAttributesChecked(c, screen.Root, xproto.CwBackPixmap, []uint32{uint32(pix)}).Check(); err != nil {
		d.t.Fatalf("root background: %v", err)
	}
	if err := xproto.ClearAreaChecked(c, true, screen.Root, 0, 0, 0, 0).Check(); err != nil {
		d.t.Fatalf("clear root: %v", err)
	}
	return blocks
}

// near reports whether two colours differ by at most tol in every channel.
func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a.R, b.R) <= tol && d(a.G, b.G) <= tol && d(a.B, b.B) <= tol
}

// avg is the mean colour of the pixels of img within r.
func avg(img *image.RGBA, r image.Rectangle) color.RGBA {
	r = r.Intersect(img.Bounds())
	var sr, sg, sb, n int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			sr, sg, sb, n = sr+int(c.R), sg+int(c.G), sb+int(c.B), n+1
		}
	}
	if n == 0 {
		return color.RGBA{}
	}
	return color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255}
}

// poll calls ok every 250 ms until it returns true, and fails the test
// with a screenshot of d after timeout.
func poll(t *testing.T, d *display, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if ok() {
			return
		}
		if time.Now().After(deadline) {
			if d != nil {
				d.fail("timed out after %v waiting for %s", timeout, what)
			}
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
