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
var arrowCursor = drawArrow([]string{
	"#...........",
	"##..........",
	"#o#.........",
	"#oo#........",
	"#ooo#.......",
	"#oooo#......",
	"#ooooo#.....",
	"#oooooo#....",
	"#ooooooo#...",
	"#oooooooo#..",
	"#ooooo#####.",
	"#oo#oo#.....",
	"#o#.#oo#....",
	"##..#oo#....",
	"#....#oo#...",
	".....#oo#...",
	"......#oo#..",
	"......#oo#..",
	".......##...",
})

// drawArrow turns a bitmap ('#' black, 'o' white, '.' transparent) into an
// image.
func drawArrow(rows []string) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, len(rows[0]), len(rows)))
	for y, row := range rows {
		for x, c := range row {
			switch c {
			case '#':
				img.SetNRGBA(x, y, color.NRGBA{A: 255})
			case 'o':
				img.SetNRGBA(x, y, color.NRGBA{R: 255, G: 255, B: 255, A: 255})
			}
		}
	}
	return img
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
