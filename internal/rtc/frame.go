package rtc

import (
	"time"

	"github.com/tetherdesk/tether/internal/codec"
)

// Frame is one decoded picture handed to the UI. It owns its planes, copied
// out of the decoder (whose picture is only valid until the next Decode),
// and returns them to the viewer's pool on Release. Convert it (e.g. to
// *image.RGBA) and Release it promptly; a Frame that is never released is
// simply garbage collected, at the price of a fresh allocation later.
type Frame struct {
	// Picture is valid until Release.
	Picture  codec.I420
	Keyframe bool
	// RTPTimestamp is the sender's 90 kHz media timestamp.
	RTPTimestamp uint32
	// Received is when the frame's last packet arrived, Decoded when its
	// decoding finished: their difference is the decode time.
	Received, Decoded time.Time

	pool chan *Frame
}

// Release gives the Frame's buffers back for reuse. The Frame must not be
// used afterwards. Release is safe on a nil Frame.
func (f *Frame) Release() {
	if f == nil || f.pool == nil {
		return
	}
	select {
	case f.pool <- f:
	default: // pool full: let the GC have it
	}
}

// copyFrom copies pic into f's planes, compacting strides to the width.
func (f *Frame) copyFrom(pic *codec.I420) {
	w, h := pic.Width, pic.Height
	cw, ch := (w+1)/2, (h+1)/2
	p := &f.Picture
	p.Width, p.Height, p.StrideY, p.StrideUV = w, h, w, cw
	p.Y = copyPlane(p.Y, pic.Y, pic.StrideY, w, h)
	p.U = copyPlane(p.U, pic.U, pic.StrideUV, cw, ch)
	p.V = copyPlane(p.V, pic.V, pic.StrideUV, cw, ch)
}

func copyPlane(dst, src []byte, stride, w, h int) []byte {
	if cap(dst) < w*h {
		dst = make([]byte, w*h)
	}
	dst = dst[:w*h]
	if stride == w && len(src) >= w*h {
		copy(dst, src[:w*h])
		return dst
	}
	for y := 0; y < h; y++ {
		off := y * stride
		if off >= len(src) {
			break
		}
		copy(dst[y*w:(y+1)*w], src[off:min(off+w, len(src))])
	}
	return dst
}

// mailbox holds at most one Frame: a new frame replaces (and releases) an
// unread one, so the UI never sees a queue, only the newest picture.
type mailbox struct {
	ch chan *Frame
}

func newMailbox() *mailbox { return &mailbox{ch: make(chan *Frame, 1)} }

// put stores f, returning whether an unread frame was dropped. One producer
// only.
func (m *mailbox) put(f *Frame) (dropped bool) {
	select {
	case m.ch <- f:
		return false
	default:
	}
	select {
	case old := <-m.ch:
		old.Release()
		dropped = true
	default: // the consumer took it meanwhile
	}
	m.ch <- f // the only producer just made room
	return dropped
}

// drain releases an unread frame.
func (m *mailbox) drain() {
	select {
	case old := <-m.ch:
		old.Release()
	default:
	}
}
