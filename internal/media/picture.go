package media

import (
	"image"
	"time"
)

// Picture is one decoded screen picture, ready to draw. The Viewer reuses
// its buffer: Release it once it is no longer shown (e.g. when the next
// Picture replaced it on screen), never write into it, and do not use it
// after Release.
type Picture struct {
	Image    *image.RGBA
	Keyframe bool
	// Received is when the frame's last packet arrived, Decoded when the
	// decoder finished and Converted when Image was ready.
	Received, Decoded, Converted time.Time

	pool chan *Picture
}

// Release gives the buffer back for reuse. Safe on a nil Picture.
func (p *Picture) Release() {
	if p == nil || p.pool == nil {
		return
	}
	select {
	case p.pool <- p:
	default: // pool full: let the garbage collector have it
	}
}

// mailbox holds at most one Picture: putting a new one releases the unread
// older one. It has a single producer.
type mailbox struct {
	ch chan *Picture
}

func newMailbox() *mailbox { return &mailbox{ch: make(chan *Picture, 1)} }

// put stores p and reports whether an unread picture was replaced.
func (m *mailbox) put(p *Picture) (replaced bool) {
	for {
		select {
		case m.ch <- p:
			return replaced
		default:
		}
		select {
		case old := <-m.ch:
			old.Release()
			replaced = true
		default:
		}
	}
}

func (m *mailbox) drain() {
	for {
		select {
		case p := <-m.ch:
			p.Release()
		default:
			return
		}
	}
}
