package ui

import (
	"image"
	"sync"
)

// frameBuffer hands frames from decoder goroutines to the Fyne thread
// through three reused buffers: at any time one is shown (the canvas paints
// it), at most one is pending (written, waiting for the Fyne thread) and at
// most one is being written. The writer therefore never touches the buffer
// being painted, and once frame sizes are stable no frame allocates.
type frameBuffer struct {
	writeMu sync.Mutex // serialises writers so only one buffer is ever in the writing state

	mu      sync.Mutex // guards the following fields
	bufs    [3]*image.RGBA
	shown   int // index into bufs, -1 before the first take
	pending int // index into bufs, -1 when no frame waits
}

func newFrameBuffer() *frameBuffer {
	return &frameBuffer{shown: -1, pending: -1}
}

// put copies src into a free buffer and makes it the pending frame. A frame
// still pending is dropped: latency beats completeness. It reports whether
// no frame was pending before, i.e. whether the caller must schedule a take;
// otherwise one is already scheduled and will pick up this newer frame.
func (b *frameBuffer) put(src *image.RGBA) (schedule bool) {
	if src == nil || src.Rect.Empty() {
		return false
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()

	b.mu.Lock()
	w := 0
	for w == b.shown || w == b.pending {
		w++
	}
	dst := b.bufs[w]
	b.mu.Unlock()

	// Buffer w is neither shown nor pending, and writeMu keeps other writers
	// out, so it is ours alone while we copy without holding mu.
	dst = resize(dst, src.Rect.Dx(), src.Rect.Dy())
	copyRGBA(dst, src)

	b.mu.Lock()
	b.bufs[w] = dst
	schedule = b.pending < 0
	b.pending = w
	b.mu.Unlock()
	return schedule
}

// take makes the pending frame the shown one and returns it, or nil when no
// frame is pending. The previously shown buffer becomes free for writers,
// so the caller must stop painting it before painting anything else: call
// take only on the Fyne thread and swap the canvas image in the same call.
func (b *frameBuffer) take() *image.RGBA {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending < 0 {
		return nil
	}
	b.shown, b.pending = b.pending, -1
	return b.bufs[b.shown]
}

// resize returns an RGBA image of w×h pixels at origin 0,0, reusing img and
// its pixel memory when they are large enough.
func resize(img *image.RGBA, w, h int) *image.RGBA {
	n := 4 * w * h
	if img == nil {
		return image.NewRGBA(image.Rect(0, 0, w, h))
	}
	if img.Rect.Dx() == w && img.Rect.Dy() == h && img.Rect.Min == (image.Point{}) {
		return img
	}
	if cap(img.Pix) < n {
		return image.NewRGBA(image.Rect(0, 0, w, h))
	}
	img.Pix = img.Pix[:n]
	img.Stride = 4 * w
	img.Rect = image.Rect(0, 0, w, h)
	return img
}

// copyRGBA copies src into dst, which has src's size at origin 0,0.
func copyRGBA(dst, src *image.RGBA) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	row := 4 * w
	start := src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y)
	if src.Stride == row && dst.Stride == row {
		copy(dst.Pix[:row*h], src.Pix[start:start+row*h])
		return
	}
	for y := 0; y < h; y++ {
		s := start + y*src.Stride
		copy(dst.Pix[y*dst.Stride:y*dst.Stride+row], src.Pix[s:s+row])
	}
}
