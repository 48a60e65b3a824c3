package ui

// ViewMode says how the remote picture is fitted into the view. The zero
// value is unknown and treated like ViewModeFit.
type ViewMode uint8

const (
	ViewModeUnknown ViewMode = iota
	// ViewModeFit scales the picture to the largest size that fits the view,
	// keeping its aspect ratio; the rest of the view shows bars.
	ViewModeFit
	// ViewModeActual shows one remote pixel per device pixel. A picture
	// larger than the view is panned with Geometry.Offset.
	ViewModeActual
	viewModeEnd
)

var viewModeNames = [...]string{"unknown", "fit", "actual"}

func (m ViewMode) String() string {
	if m >= viewModeEnd {
		return "unknown"
	}
	return viewModeNames[m]
}

// Rect is an axis-aligned rectangle in the view's local units (Fyne units,
// origin at the view's top left).
type Rect struct {
	X, Y, W, H float32
}

// Geometry is everything the mapping between the view and the remote screen
// depends on. It is plain data so the arithmetic can be tested without a
// window; the widget builds one from its size, the last frame and the mode.
type Geometry struct {
	// ViewW, ViewH is the size of the view in local units.
	ViewW, ViewH float32
	// RemoteW, RemoteH is the size of the remote picture in pixels.
	RemoteW, RemoteH int
	Mode             ViewMode
	// Scale is device pixels per local unit (the canvas scale); it sets the
	// picture size in ViewModeActual. Zero means 1.
	Scale float32
	// OffsetX, OffsetY is the point of the picture (local units from its top
	// left) shown at the view's top left in ViewModeActual. It is clamped to
	// the pannable range, so callers may pass anything.
	OffsetX, OffsetY float32
}

func (g Geometry) valid() bool {
	return g.ViewW > 0 && g.ViewH > 0 && g.RemoteW > 0 && g.RemoteH > 0
}

// Picture is where the remote picture is drawn, in local units. Parts may
// lie outside the view in ViewModeActual; the widget clips them.
func (g Geometry) Picture() Rect {
	if !g.valid() {
		return Rect{}
	}
	rw, rh := float32(g.RemoteW), float32(g.RemoteH)
	if g.Mode == ViewModeActual {
		s := g.Scale
		if s <= 0 {
			s = 1
		}
		w, h := rw/s, rh/s
		return Rect{X: place(g.ViewW, w, g.OffsetX), Y: place(g.ViewH, h, g.OffsetY), W: w, H: h}
	}
	s := min(g.ViewW/rw, g.ViewH/rh)
	w, h := rw*s, rh*s
	return Rect{X: (g.ViewW - w) / 2, Y: (g.ViewH - h) / 2, W: w, H: h}
}

// place returns where a picture of length pic starts in a view of length
// view: centred when it fits, otherwise shifted left by the clamped offset.
func place(view, pic, offset float32) float32 {
	if pic <= view {
		return (view - pic) / 2
	}
	return -min(max(offset, 0), pic-view)
}

// ToRemote maps a local position to normalised remote coordinates (0,0 top
// left, 1,1 bottom right of the picture). inside is false over the bars,
// outside the view, or when there is no picture; nx, ny are then clamped to
// the nearest edge of the picture, which is what a drag that leaves the
// picture should reach.
func (g Geometry) ToRemote(x, y float32) (nx, ny float32, inside bool) {
	p := g.Picture()
	if p.W <= 0 || p.H <= 0 {
		return 0, 0, false
	}
	nx, ny = (x-p.X)/p.W, (y-p.Y)/p.H
	// edge absorbs float32 rounding of the picture rectangle, so that the
	// picture's own corners count as inside.
	const edge = 1e-3
	inside = x >= p.X-edge && x <= p.X+p.W+edge && y >= p.Y-edge && y <= p.Y+p.H+edge &&
		x >= -edge && y >= -edge && x <= g.ViewW+edge && y <= g.ViewH+edge
	return clamp01(nx), clamp01(ny), inside
}

// ToLocal is the inverse of ToRemote: where the normalised remote point
// nx, ny lies in the view (possibly outside it in ViewModeActual).
func (g Geometry) ToLocal(nx, ny float32) (x, y float32) {
	p := g.Picture()
	return p.X + nx*p.W, p.Y + ny*p.H
}

// PixelSize is the size of one remote pixel in local units, used to draw the
// remote cursor at the picture's scale. Zero without a picture.
func (g Geometry) PixelSize() float32 {
	if !g.valid() {
		return 0
	}
	return g.Picture().W / float32(g.RemoteW)
}

// FollowOffset is the ViewModeActual offset that pans the picture with the
// pointer at local x, y: the pointer's fraction of the view becomes the
// same fraction of the pannable range, so moving to a view edge reveals the
// picture's edge and every remote pixel is reachable without scroll bars.
func (g Geometry) FollowOffset(x, y float32) (ox, oy float32) {
	p := g.Picture()
	return follow(x, g.ViewW, p.W), follow(y, g.ViewH, p.H)
}

func follow(pos, view, pic float32) float32 {
	if pic <= view || view <= 0 {
		return 0
	}
	return clamp01(pos/view) * (pic - view)
}

func clamp01(v float32) float32 {
	return min(max(v, 0), 1)
}
