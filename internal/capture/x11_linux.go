package capture

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/damage"
	"github.com/jezek/xgb/randr"
	"github.com/jezek/xgb/shm"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"
	"golang.org/x/sys/unix"

	"github.com/tetherdesk/tether/internal/x11ext"
)

// maxChangedRects caps Frame.Changed; beyond it the damage extents are
// reported instead (a consumer gains nothing from hundreds of slivers).
const maxChangedRects = 64

// x11Source captures with one persistent X connection and one MIT-SHM
// segment the size of the monitor. XDamage (report level non-empty) wakes
// Next; the accumulated damage region is fetched and reset in one round
// trip per frame. XFixes cursor notifications say when the cursor image
// changed, so Cursor fetches the image only then.
type x11Source struct {
	cfg  Config
	conn *xgb.Conn
	root xproto.Window
	mon  Monitor

	seg    shm.Seg
	mem    []byte // the attached segment; Frame.Data aliases it
	dmg    damage.Damage
	region xfixes.Region

	damaged    chan struct{} // cap 1: damage is pending on the server
	done       chan struct{} // closed by Close
	lost       chan struct{} // closed by the event reader when the connection ends
	readerDone chan struct{} // closed when the event reader returns

	closed        atomic.Bool
	closeOnce     sync.Once
	readerStarted bool // set once by openX11 before the source is shared

	mu      sync.Mutex // guards the following fields; held for the whole of Next
	frame   Frame
	changed []image.Rectangle
	first   bool
	last    time.Time

	cmu         sync.Mutex // guards the following cursor fields
	shapeDirty  bool
	serial      uint32
	transparent bool
}

func open(cfg Config) (Source, error) {
	switch cfg.Backend {
	case BackendScreenshot:
		return openScreenshot(cfg)
	case BackendX11:
		return openX11(cfg)
	}
	s, err := openX11(cfg)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, ErrUnsupported) {
		return nil, err
	}
	cfg.Logger.Warn("X11 SHM capture unavailable, falling back to screenshot polling", "err", err)
	return openScreenshot(cfg)
}

func openX11(cfg Config) (_ *x11Source, err error) {
	conn, err := xgb.NewConnDisplay(cfg.Display)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrNoDisplay, cfg.Display, err)
	}
	s := &x11Source{
		cfg:        cfg,
		conn:       conn,
		damaged:    make(chan struct{}, 1),
		done:       make(chan struct{}),
		lost:       make(chan struct{}),
		readerDone: make(chan struct{}),
		first:      true,
		shapeDirty: true,
	}
	defer func() {
		if err != nil {
			s.teardown()
		}
	}()
	setup := xproto.Setup(conn)
	screen := setup.DefaultScreen(conn)
	s.root = screen.Root
	if err := checkFormat(setup, screen); err != nil {
		return nil, err
	}
	// Every extension is made usable here, before the connection is
	// shared (see x11ext.Use); a missing one is only a missing feature.
	for _, e := range []struct {
		name string
		init func(*xgb.Conn) error
	}{{"RANDR", randr.Init}, {"XINERAMA", xinerama.Init}} {
		if err := x11ext.Use(conn, e.name, e.init); err != nil {
			cfg.Logger.Debug("X extension unavailable", "extension", e.name, "err", err)
		}
	}
	mons, err := x11Monitors(conn, screen)
	if err != nil {
		return nil, err
	}
	if s.mon, err = pickMonitor(mons, cfg.Monitor); err != nil {
		return nil, err
	}
	if err := s.initExtensions(); err != nil {
		return nil, err
	}
	if err := s.attachSHM(); err != nil {
		return nil, err
	}
	s.frame = Frame{Stride: s.mon.Width * 4, Width: s.mon.Width, Height: s.mon.Height}
	s.readerStarted = true
	go s.readEvents()
	cfg.Logger.Info("capture opened", "backend", BackendX11.String(), "monitor", s.mon.Index,
		"x", s.mon.X, "y", s.mon.Y, "width", s.mon.Width, "height", s.mon.Height)
	return s, nil
}

// checkFormat makes sure GetImage returns 4-byte little-endian pixels.
func checkFormat(setup *xproto.SetupInfo, screen *xproto.ScreenInfo) error {
	if setup.ImageByteOrder != xproto.ImageOrderLSBFirst {
		return fmt.Errorf("%w: big-endian image byte order", ErrUnsupported)
	}
	for _, f := range setup.PixmapFormats {
		if f.Depth == screen.RootDepth {
			if f.BitsPerPixel != 32 {
				return fmt.Errorf("%w: depth %d uses %d bits per pixel", ErrUnsupported, f.Depth, f.BitsPerPixel)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: no pixmap format for depth %d", ErrUnsupported, screen.RootDepth)
}

func (s *x11Source) initExtensions() error {
	if err := x11ext.Use(s.conn, "MIT-SHM", shm.Init); err != nil {
		return fmt.Errorf("%w: MIT-SHM: %v", ErrUnsupported, err)
	}
	if err := x11ext.Use(s.conn, "XFIXES", xfixes.Init); err != nil {
		return fmt.Errorf("%w: XFIXES: %v", ErrUnsupported, err)
	}
	// XFixes and Damage refuse requests until the version is negotiated.
	if _, err := xfixes.QueryVersion(s.conn, 5, 0).Reply(); err != nil {
		return fmt.Errorf("%w: XFIXES version: %v", ErrUnsupported, err)
	}
	if err := x11ext.Use(s.conn, "DAMAGE", damage.Init); err != nil {
		return fmt.Errorf("%w: DAMAGE: %v", ErrUnsupported, err)
	}
	if _, err := damage.QueryVersion(s.conn, 1, 1).Reply(); err != nil {
		return fmt.Errorf("%w: DAMAGE version: %v", ErrUnsupported, err)
	}
	var err error
	if s.region, err = xfixes.NewRegionId(s.conn); err != nil {
		return err
	}
	if err := xfixes.CreateRegionChecked(s.conn, s.region, nil).Check(); err != nil {
		return fmt.Errorf("capture: create region: %w", err)
	}
	if s.dmg, err = damage.NewDamageId(s.conn); err != nil {
		return err
	}
	if err := damage.CreateChecked(s.conn, s.dmg, xproto.Drawable(s.root), damage.ReportLevelNonEmpty).Check(); err != nil {
		return fmt.Errorf("capture: create damage: %w", err)
	}
	if err := xfixes.SelectCursorInputChecked(s.conn, s.root, xfixes.CursorNotifyMaskDisplayCursor).Check(); err != nil {
		return fmt.Errorf("capture: select cursor input: %w", err)
	}
	return nil
}

func (s *x11Source) attachSHM() error {
	size := s.mon.Width * s.mon.Height * 4
	id, err := unix.SysvShmGet(unix.IPC_PRIVATE, size, unix.IPC_CREAT|0o600)
	if err != nil {
		return fmt.Errorf("%w: shmget: %v", ErrUnsupported, err)
	}
	// Mark for removal at once: the segment disappears when both we and the
	// server have detached, even if this process crashes.
	defer unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	mem, err := unix.SysvShmAttach(id, 0, 0)
	if err != nil {
		return fmt.Errorf("%w: shmat: %v", ErrUnsupported, err)
	}
	s.mem = mem
	if s.seg, err = shm.NewSegId(s.conn); err != nil {
		return err
	}
	// A remote or sandboxed server cannot attach our memory: that is the
	// case the screenshot fallback exists for.
	if err := shm.AttachChecked(s.conn, s.seg, uint32(id), false).Check(); err != nil {
		s.seg = 0
		return fmt.Errorf("%w: server cannot attach shared memory: %v", ErrUnsupported, err)
	}
	return nil
}

// x11Monitors asks RandR 1.5, then Xinerama, then falls back to the root
// window, as far as openX11 made them usable (it runs on every stream
// start, on a connection in use: only x11ext.Has, never Use or Init).
func x11Monitors(conn *xgb.Conn, screen *xproto.ScreenInfo) ([]Monitor, error) {
	if x11ext.Has(conn, "RANDR") {
		if _, err := randr.QueryVersion(conn, 1, 5).Reply(); err == nil {
			if r, err := randr.GetMonitors(conn, screen.Root, true).Reply(); err == nil && len(r.Monitors) > 0 {
				mons := make([]Monitor, len(r.Monitors))
				primary := false
				for i, m := range r.Monitors {
					mons[i] = Monitor{Index: i, X: int(m.X), Y: int(m.Y), Width: int(m.Width), Height: int(m.Height), Primary: m.Primary}
					primary = primary || m.Primary
				}
				if !primary {
					mons[0].Primary = true
				}
				return mons, nil
			}
		}
	}
	if x11ext.Has(conn, "XINERAMA") {
		if r, err := xinerama.QueryScreens(conn).Reply(); err == nil && len(r.ScreenInfo) > 0 {
			mons := make([]Monitor, len(r.ScreenInfo))
			for i, m := range r.ScreenInfo {
				mons[i] = Monitor{Index: i, X: int(m.XOrg), Y: int(m.YOrg), Width: int(m.Width), Height: int(m.Height), Primary: i == 0}
			}
			return mons, nil
		}
	}
	return []Monitor{{Width: int(screen.WidthInPixels), Height: int(screen.HeightInPixels), Primary: true}}, nil
}

func (s *x11Source) Monitors() ([]Monitor, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	return x11Monitors(s.conn, xproto.Setup(s.conn).DefaultScreen(s.conn))
}

// readEvents is the only reader of the connection's event queue. It ends
// when the connection is closed.
func (s *x11Source) readEvents() {
	defer close(s.readerDone)
	for {
		ev, xerr := s.conn.WaitForEvent()
		switch {
		case ev == nil && xerr == nil:
			close(s.lost)
			return
		case xerr != nil:
			s.cfg.Logger.Debug("X error on capture connection", "err", xerr)
		}
		switch ev.(type) {
		case damage.NotifyEvent:
			select {
			case s.damaged <- struct{}{}:
			default:
			}
		case xfixes.CursorNotifyEvent:
			s.cmu.Lock()
			s.shapeDirty = true
			s.cmu.Unlock()
		}
	}
}

// grab copies the monitor into the SHM segment.
func (s *x11Source) grab() error {
	_, err := shm.GetImage(s.conn, xproto.Drawable(s.root), int16(s.mon.X), int16(s.mon.Y),
		uint16(s.mon.Width), uint16(s.mon.Height), 0xffffffff, xproto.ImageFormatZPixmap, s.seg, 0).Reply()
	if err != nil {
		return s.connErr("shm get image", err)
	}
	return nil
}

func (s *x11Source) connErr(what string, err error) error {
	select {
	case <-s.lost:
		if s.closed.Load() {
			return ErrClosed
		}
		return fmt.Errorf("%w: %s: %v", ErrConnectionLost, what, err)
	default:
		return fmt.Errorf("capture: %s: %w", what, err)
	}
}

// takeDamage moves the accumulated damage into s.changed (monitor
// coordinates) and resets it on the server.
func (s *x11Source) takeDamage() error {
	damage.Subtract(s.conn, s.dmg, xfixes.Region(0), s.region)
	r, err := xfixes.FetchRegion(s.conn, s.region).Reply()
	if err != nil {
		return s.connErr("fetch damage region", err)
	}
	bounds := s.mon.Bounds()
	s.changed = s.changed[:0]
	add := func(xr xproto.Rectangle) {
		rect := image.Rect(int(xr.X), int(xr.Y), int(xr.X)+int(xr.Width), int(xr.Y)+int(xr.Height)).Intersect(bounds)
		if !rect.Empty() {
			s.changed = append(s.changed, rect.Sub(bounds.Min))
		}
	}
	if len(r.Rectangles) > maxChangedRects {
		add(r.Extents)
		return nil
	}
	for _, xr := range r.Rectangles {
		add(xr)
	}
	return nil
}

func (s *x11Source) Next(ctx context.Context) (*Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil, ErrClosed
	}
	full := s.first
	for !full {
		refresh := time.NewTimer(time.Until(s.last.Add(s.cfg.Refresh)))
		select {
		case <-s.damaged:
		case <-refresh.C:
			full = true
		case <-ctx.Done():
			refresh.Stop()
			return nil, ctx.Err()
		case <-s.done:
			refresh.Stop()
			return nil, ErrClosed
		case <-s.lost:
			refresh.Stop()
			return nil, ErrConnectionLost
		}
		refresh.Stop()
		if full {
			break
		}
		// Pace: let damage accumulate until the next frame is due.
		if err := waitUntil(ctx, s.done, s.last.Add(s.cfg.MinInterval)); err != nil {
			// The notification was taken but the damage is still on the
			// server, which reports nothing more until it is fetched: put
			// it back for the next call, or the stream would stall.
			select {
			case s.damaged <- struct{}{}:
			default:
			}
			return nil, err
		}
		if err := s.takeDamage(); err != nil {
			return nil, err
		}
		if len(s.changed) > 0 {
			break
		}
		// Damage on another monitor only: keep waiting.
	}
	if full {
		s.changed = append(s.changed[:0], image.Rect(0, 0, s.mon.Width, s.mon.Height))
		if s.first {
			// Start with an empty damage record so the first change after
			// the first frame is reported exactly.
			damage.Subtract(s.conn, s.dmg, xfixes.Region(0), xfixes.Region(0))
		}
	}
	if err := s.grab(); err != nil {
		return nil, err
	}
	s.first = false
	s.last = time.Now()
	s.frame.Data = s.mem[:s.frame.Stride*s.frame.Height]
	s.frame.Changed = s.changed
	s.frame.Time = s.last
	return &s.frame, nil
}

func (s *x11Source) Cursor() (Cursor, error) {
	if s.closed.Load() {
		return Cursor{}, ErrClosed
	}
	s.cmu.Lock()
	defer s.cmu.Unlock()
	var c Cursor
	if s.shapeDirty {
		img, err := xfixes.GetCursorImage(s.conn).Reply()
		if err != nil {
			return Cursor{}, s.connErr("get cursor image", err)
		}
		s.shapeDirty = false
		s.serial = img.CursorSerial
		c.Shape, s.transparent = cursorImage(img)
		c.X, c.Y = int(img.X)-s.mon.X, int(img.Y)-s.mon.Y
		c.HotX, c.HotY = int(img.Xhot), int(img.Yhot)
	} else {
		p, err := xproto.QueryPointer(s.conn, s.root).Reply()
		if err != nil {
			return Cursor{}, s.connErr("query pointer", err)
		}
		c.X, c.Y = int(p.RootX)-s.mon.X, int(p.RootY)-s.mon.Y
	}
	c.Serial = s.serial
	c.Visible = !s.transparent && image.Pt(c.X, c.Y).In(image.Rect(0, 0, s.mon.Width, s.mon.Height))
	return c, nil
}

// cursorImage converts XFixes' premultiplied ARGB words to RGBA and reports
// whether every pixel is transparent (a hidden cursor).
func cursorImage(r *xfixes.GetCursorImageReply) (*image.RGBA, bool) {
	w, h := int(r.Width), int(r.Height)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	transparent := true
	for i, p := range r.CursorImage {
		if i >= w*h {
			break
		}
		a := byte(p >> 24)
		if a != 0 {
			transparent = false
		}
		img.Pix[i*4], img.Pix[i*4+1], img.Pix[i*4+2], img.Pix[i*4+3] = byte(p>>16), byte(p>>8), byte(p), a
	}
	return img, transparent
}

func (s *x11Source) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.done)
		s.mu.Lock() // wait for a running Next to let go of the frame
		defer s.mu.Unlock()
		s.cmu.Lock()
		defer s.cmu.Unlock()
		s.teardown()
	})
	return nil
}

// teardown releases server resources, the connection and the segment.
func (s *x11Source) teardown() {
	if s.dmg != 0 {
		damage.Destroy(s.conn, s.dmg)
	}
	if s.region != 0 {
		xfixes.DestroyRegion(s.conn, s.region)
	}
	if s.seg != 0 {
		// A reply-bearing request flushes the detach before we hang up.
		shm.Detach(s.conn, s.seg)
		xproto.GetInputFocus(s.conn).Reply()
	}
	s.conn.Close()
	if s.readerStarted {
		<-s.readerDone
	}
	if s.mem != nil {
		unix.SysvShmDetach(s.mem)
		s.mem = nil
	}
}
