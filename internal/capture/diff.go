package capture

import (
	"bytes"
	"image"
)

// diffBounds returns the bounding rectangle of the pixels that differ
// between a and b (same geometry), or an empty rectangle.
func diffBounds(a, b []byte, stride, width, height int) image.Rectangle {
	rowBytes := width * 4
	top, bottom := -1, -1
	for y := 0; y < height; y++ {
		o := y * stride
		if !bytes.Equal(a[o:o+rowBytes], b[o:o+rowBytes]) {
			if top < 0 {
				top = y
			}
			bottom = y
		}
	}
	if top < 0 {
		return image.Rectangle{}
	}
	left, right := width, -1
	for y := top; y <= bottom; y++ {
		o := y * stride
		ra, rb := a[o:o+rowBytes], b[o:o+rowBytes]
		for x := 0; x < left; x++ {
			if !bytes.Equal(ra[x*4:x*4+4], rb[x*4:x*4+4]) {
				left = x
				break
			}
		}
		for x := width - 1; x > right; x-- {
			if !bytes.Equal(ra[x*4:x*4+4], rb[x*4:x*4+4]) {
				right = x
				break
			}
		}
	}
	return image.Rect(left, top, right+1, bottom+1)
}
