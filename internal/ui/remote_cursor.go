package ui

import (
	"image"
	"image/color"
	"reflect"
)

// remoteCursor is the end user's pointer as last reported: where it is on
// the remote picture and what it looks like. The hot spot is the shape's
// top left pixel.
type remoteCursor struct {
	x, y    float32 // normalised on the picture
	visible bool
	shape   image.Image // nil: arrowCursor
}

// arrowCursor is drawn when the remote side sends no cursor shape: a plain
// white arrow with a black outline, tip (hot spot) at the top left.
var arrowCursor = drawArrow()

func drawArrow() *image.NRGBA {
	// Outline of a classic arrow in pixel units, tip at 0,0.
	poly := [][2]float64{{0, 0}, {0, 16}, {4, 12.5}, {7, 18.5}, {9.5, 17.5}, {6.5, 11.5}, {11.5, 11.5}}
	const w, h = 12, 19
	inside := func(x, y int) bool {
		if x < 0 || y < 0 || x >= w || y >= h {
			return false
		}
		return pointInPolygon(float64(x)+0.5, float64(y)+0.5, poly)
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if !inside(x, y) {
				continue
			}
			c := color.NRGBA{R: 255, G: 255, B: 255, A: 255}
			if !inside(x-1, y) || !inside(x+1, y) || !inside(x, y-1) || !inside(x, y+1) {
				c = color.NRGBA{A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// pointInPolygon is the even-odd rule.
func pointInPolygon(x, y float64, poly [][2]float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		xi, yi, xj, yj := poly[i][0], poly[i][1], poly[j][0], poly[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// sameImage reports whether a and b are the same image value without
// panicking on image types that cannot be compared.
func sameImage(a, b image.Image) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && a == b
}
