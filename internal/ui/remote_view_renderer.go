package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// barColor fills the view where the picture is not: neutral, so that the
// remote desktop's own colours stand out.
var barColor = color.NRGBA{A: 255}

// remoteViewRenderer draws the bars, the picture and the remote cursor. The
// picture is placed by Geometry rather than by the image's own fill mode so
// that what is drawn and what input maps to are the same rectangle.
type remoteViewRenderer struct {
	v       *RemoteView
	bars    *canvas.Rectangle
	picture *canvas.Image
	cursor  *canvas.Image
	objects []fyne.CanvasObject
}

func newRemoteViewRenderer(v *RemoteView) *remoteViewRenderer {
	r := &remoteViewRenderer{v: v, bars: canvas.NewRectangle(barColor)}
	r.picture = &canvas.Image{
		// The GPU scales: smooth scaling rescales every frame on the CPU.
		ScaleMode: canvas.ImageScaleFastest,
		FillMode:  canvas.ImageFillContain,
	}
	r.cursor = &canvas.Image{ScaleMode: canvas.ImageScaleFastest, FillMode: canvas.ImageFillStretch}
	r.objects = []fyne.CanvasObject{r.bars, r.picture, r.cursor}
	r.setFrame(v.shown)
	r.setCursorShape()
	return r
}

func (r *remoteViewRenderer) Layout(size fyne.Size) {
	r.bars.Resize(size)
	g := r.v.geometryFor(size)
	p := g.Picture()
	r.picture.Move(fyne.NewPos(p.X, p.Y))
	r.picture.Resize(fyne.NewSize(p.W, p.H))
	r.layoutCursor(g)
}

func (r *remoteViewRenderer) layoutCursor(g Geometry) {
	c := r.v.cursor
	px := g.PixelSize()
	if !c.visible || px <= 0 {
		r.cursor.Hide()
		return
	}
	x, y := g.ToLocal(c.x, c.y)
	b := r.cursor.Image.Bounds()
	r.cursor.Move(fyne.NewPos(x, y))
	r.cursor.Resize(fyne.NewSize(float32(b.Dx())*px, float32(b.Dy())*px))
	r.cursor.Show()
}

func (r *remoteViewRenderer) MinSize() fyne.Size { return fyne.NewSize(64, 48) }

func (r *remoteViewRenderer) Refresh() {
	r.bars.FillColor = barColor
	r.bars.Refresh()
	r.setFrame(r.v.shown)
	r.setCursorShape()
	r.Layout(r.v.Size())
}

func (r *remoteViewRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *remoteViewRenderer) Destroy() {
	if r.v.renderer == r {
		r.v.renderer = nil
	}
}

// showFrame swaps in a new frame buffer; the texture is uploaded again on
// the next paint. Layout only runs when the picture changed size.
func (r *remoteViewRenderer) showFrame(img *image.RGBA, resized bool) {
	r.setFrame(img)
	if resized {
		r.Layout(r.v.Size())
	}
}

func (r *remoteViewRenderer) setFrame(img *image.RGBA) {
	if img == nil {
		r.picture.Hide()
		return
	}
	r.picture.Image = img
	r.picture.Show()
	r.picture.Refresh()
}

// showCursor moves the cursor and uploads its shape again if it changed.
func (r *remoteViewRenderer) showCursor(shapeChanged bool) {
	if shapeChanged {
		r.setCursorShape()
	}
	r.layoutCursor(r.v.geometry())
}

func (r *remoteViewRenderer) setCursorShape() {
	var shape image.Image = arrowCursor
	if s := r.v.cursor.shape; s != nil && !s.Bounds().Empty() {
		shape = s
	}
	if !sameImage(r.cursor.Image, shape) {
		r.cursor.Image = shape
		r.cursor.Refresh()
	}
}
