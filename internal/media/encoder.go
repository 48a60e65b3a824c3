package media

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetherdesk/tether/internal/codec"
)

// encoder is the codec.Encoder the Host gives rtc: a VP8 encoder created
// for the size of the first picture and recreated when the size changes
// (another monitor), which starts the new stream with a keyframe. It also
// counts what it produces.
type encoder struct {
	cfg codec.EncoderConfig

	frames, bytes, keyframes atomic.Uint64

	mu     sync.Mutex // guards the following fields
	inner  codec.Encoder
	kbps   int // latest SetBitrate; 0 means cfg.BitrateKbps
	closed bool
}

func (e *encoder) Encode(pic *codec.I420, ts time.Duration) (codec.Packet, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return codec.Packet{}, false, codec.ErrClosed
	}
	if e.inner == nil || e.cfg.Width != pic.Width || e.cfg.Height != pic.Height {
		if e.inner != nil {
			_ = e.inner.Close()
			e.inner = nil
		}
		cfg := e.cfg
		cfg.Width, cfg.Height = pic.Width, pic.Height
		if e.kbps > 0 {
			cfg.BitrateKbps = e.kbps
		}
		inner, err := codec.NewVP8Encoder(cfg)
		if err != nil {
			return codec.Packet{}, false, err
		}
		e.inner, e.cfg.Width, e.cfg.Height = inner, pic.Width, pic.Height
	}
	pkt, ok, err := e.inner.Encode(pic, ts)
	if ok {
		e.frames.Add(1)
		e.bytes.Add(uint64(len(pkt.Data)))
		if pkt.Keyframe {
			e.keyframes.Add(1)
		}
	}
	return pkt, ok, err
}

func (e *encoder) SetBitrate(kbps int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.kbps = kbps
	if e.inner != nil {
		return e.inner.SetBitrate(kbps)
	}
	return nil
}

func (e *encoder) RequestKeyframe() {
	e.mu.Lock()
	defer e.mu.Unlock()
	// Without an inner encoder the next picture starts a new stream: a
	// keyframe anyway.
	if e.inner != nil {
		e.inner.RequestKeyframe()
	}
}

func (e *encoder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	if e.inner == nil {
		return nil
	}
	err := e.inner.Close()
	e.inner = nil
	return err
}
