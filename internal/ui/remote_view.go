package ui

import (
	"image"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/input"
)

// RemoteView shows the end user's screen and, when allowed, turns the
// technician's mouse and keyboard into input events for it.
//
// SetFrame, SetCursor and SetViewOnly may be called from any goroutine;
// everything else belongs to the Fyne thread, like any widget. Pointer
// events are sent whenever the pointer is over the picture (hovering is the
// technician's intent); keyboard events need focus, which a click gives.
type RemoteView struct {
	widget.BaseWidget

	// OnInput receives every input event, on the Fyne thread. Set it before
	// the view is shown. Nothing is sent while the view is view-only.
	OnInput func(input.Event)

	frames       *frameBuffer
	applyFrameFn func() // v.applyFrame, bound once so SetFrame does not allocate

	cursorMu     sync.Mutex // guards the following fields
	cursorIn     remoteCursor
	cursorQueued bool

	viewOnly atomic.Bool
	monitor  atomic.Uint32

	// Fyne thread only from here on.
	renderer  *remoteViewRenderer // nil until rendered
	shown     *image.RGBA         // frame on screen, nil before the first
	mode      ViewMode
	offX      float32 // ViewModeActual pan, local units
	offY      float32
	cursor    remoteCursor
	input     inputState
	focused   bool
	scrollAcc [2]float32
}

var (
	_ fyne.Widget       = (*RemoteView)(nil)
	_ fyne.Focusable    = (*RemoteView)(nil)
	_ fyne.Tabbable     = (*RemoteView)(nil)
	_ fyne.Scrollable   = (*RemoteView)(nil)
	_ fyne.Shortcutable = (*RemoteView)(nil)
	_ fyne.Draggable    = (*RemoteView)(nil)
	_ desktop.Mouseable = (*RemoteView)(nil)
	_ desktop.Hoverable = (*RemoteView)(nil)
	_ desktop.Keyable   = (*RemoteView)(nil)
)

// NewRemoteView returns an empty view in ViewModeFit.
func NewRemoteView() *RemoteView {
	v := &RemoteView{frames: newFrameBuffer(), mode: ViewModeFit}
	v.applyFrameFn = v.applyFrame
	v.input.reset()
	v.ExtendBaseWidget(v)
	return v
}

// SetFrame shows img as the newest picture of the remote screen. It may be
// called from any goroutine and copies img, so the caller may reuse it at
// once. Frames that arrive faster than the screen refreshes replace each
// other; only the newest is drawn.
func (v *RemoteView) SetFrame(img *image.RGBA) {
	if v.frames.put(img) {
		fyne.Do(v.applyFrameFn)
	}
}

func (v *RemoteView) applyFrame() {
	buf := v.frames.take()
	if buf == nil {
		return
	}
	resized := v.shown == nil || v.shown.Rect.Size() != buf.Rect.Size()
	v.shown = buf
	if r := v.renderer; r != nil {
		r.showFrame(buf, resized)
	}
}

// SetCursor places the remote pointer at x, y (normalised on the picture)
// with the given shape, hot spot at its top left; a nil shape draws a plain
// arrow. It may be called from any goroutine; rapid updates are coalesced.
func (v *RemoteView) SetCursor(x, y float32, visible bool, shape image.Image) {
	v.cursorMu.Lock()
	v.cursorIn = remoteCursor{x: x, y: y, visible: visible, shape: shape}
	queue := !v.cursorQueued
	v.cursorQueued = true
	v.cursorMu.Unlock()
	if queue {
		fyne.Do(v.applyCursor)
	}
}

func (v *RemoteView) applyCursor() {
	v.cursorMu.Lock()
	c := v.cursorIn
	v.cursorQueued = false
	v.cursorMu.Unlock()
	shapeChanged := !sameImage(c.shape, v.cursor.shape)
	v.cursor = c
	if r := v.renderer; r != nil {
		r.showCursor(shapeChanged)
	}
}

// SetMode switches between fitting the picture into the view and showing
// it at actual size. In ViewModeActual a picture larger than the view pans
// with the pointer.
func (v *RemoteView) SetMode(m ViewMode) {
	if m == ViewModeUnknown {
		m = ViewModeFit
	}
	if m == v.mode {
		return
	}
	v.mode = m
	v.offX, v.offY = 0, 0
	v.Refresh()
}

// Mode reports the current ViewMode.
func (v *RemoteView) Mode() ViewMode { return v.mode }

// SetViewOnly stops (true) or resumes (false) sending input events. Turning
// it on releases whatever keys and buttons the view holds down on the remote
// side first. It may be called from any goroutine.
func (v *RemoteView) SetViewOnly(on bool) {
	if was := v.viewOnly.Swap(on); on && !was {
		fyne.Do(v.releaseHeld)
	}
}

// ViewOnly reports whether input events are suppressed.
func (v *RemoteView) ViewOnly() bool { return v.viewOnly.Load() }

// SetMonitor sets the remote monitor the view shows; it is stamped on every
// pointer event. It may be called from any goroutine.
func (v *RemoteView) SetMonitor(m uint8) { v.monitor.Store(uint32(m)) }

// RemoteSize reports the pixel size of the frame on screen, 0,0 before the
// first frame.
func (v *RemoteView) RemoteSize() (w, h int) {
	if v.shown == nil {
		return 0, 0
	}
	return v.shown.Rect.Dx(), v.shown.Rect.Dy()
}

// CreateRenderer is part of fyne.Widget.
func (v *RemoteView) CreateRenderer() fyne.WidgetRenderer {
	v.ExtendBaseWidget(v)
	r := newRemoteViewRenderer(v)
	v.renderer = r
	return r
}

// geometry describes the view as it is now laid out.
func (v *RemoteView) geometry() Geometry {
	return v.geometryFor(v.Size())
}

func (v *RemoteView) geometryFor(size fyne.Size) Geometry {
	g := Geometry{ViewW: size.Width, ViewH: size.Height, Mode: v.mode, Scale: 1, OffsetX: v.offX, OffsetY: v.offY}
	g.RemoteW, g.RemoteH = v.RemoteSize()
	if app := fyne.CurrentApp(); app != nil {
		if c := app.Driver().CanvasForObject(v); c != nil && c.Scale() > 0 {
			g.Scale = c.Scale()
		}
	}
	return g
}
