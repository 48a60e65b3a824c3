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

	mu      sync.Mutex // guards the following fields
	inner   codec.Encoder
	kbps    int // latest SetBitrate (the congestion controller's); 0 means cfg.BitrateKbps
	capKbps int // content cap (see setCap); 0 means none
	closed  bool
}

// effective is the rate given to libvpx: the congestion controller's,
// lowered by the content cap. e.mu is held.
func (e *encoder) effective() int {
	k := e.kbps
	if k == 0 {
		k = e.cfg.BitrateKbps
	}
	if k == 0 {
		k = codec.DefaultBitrateKbps
	}
	if e.capKbps > 0 {
		k = min(k, e.capKbps)
	}
	return k
}

// setCap limits the rate while little of the screen changes (0 lifts
// the limit). With a CBR target of megabits and a dozen small updates a
// second, libvpx spends the spare budget re-coding still parts of the
// screen (cyclic refresh at a finer quantiser): measured on the typing
// workload, 1.2-1.5 KB per keystroke at 1-2.5 Mbit/s against ~0.8 KB at
// 300 kbit/s, for no visible gain.
func (e *encoder) setCap(kbps int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if kbps == e.capKbps {
		return
	}
	before := e.effective()
	e.capKbps = kbps
	if e.inner != nil && e.effective() != before {
		_ = e.inner.SetBitrate(e.effective())
	}
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
		cfg.BitrateKbps = e.effective()
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
		return e.inner.SetBitrate(e.effective())
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
