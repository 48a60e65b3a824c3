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
	rate                     atomic.Int64 // the rate last given to libvpx, kbit/s

	mu      sync.Mutex // guards the following fields
	inner   codec.Encoder
	kbps    int     // latest SetBitrate (the congestion controller's); 0 means cfg.BitrateKbps
	capKbps int     // content cap (see setCap); 0 means none
	prof    profile // the quality profile (see setProfile)
	closed  bool
}

// effective is the rate given to libvpx: the congestion controller's,
// lowered by the content cap and the quality profile's ceiling. e.mu is
// held.
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
	if e.prof.maxKbps > 0 {
		k = min(k, e.prof.maxKbps)
	}
	return k
}

// tuning is the speed and quantiser range of the current profile. e.mu
// is held.
func (e *encoder) tuning() codec.Tuning {
	return e.prof.over(codec.Tuning{CPUUsed: e.cfg.CPUUsed, MinQuantizer: e.cfg.MinQuantizer, MaxQuantizer: e.cfg.MaxQuantizer})
}

// setRate gives libvpx the effective rate if it changed. e.mu is held
// and e.inner is set.
func (e *encoder) setRate() error {
	k := e.effective()
	if int64(k) == e.rate.Load() {
		return nil
	}
	if err := e.inner.SetBitrate(k); err != nil {
		return err
	}
	e.rate.Store(int64(k))
	return nil
}

// setProfile switches to another quality profile from the next Encode on:
// new tuning, new ceiling, and no keyframe (libvpx changes both on a
// running stream).
func (e *encoder) setProfile(p profile) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.prof = p
	if e.inner == nil {
		return nil // the next Encode creates it so
	}
	if t, ok := e.inner.(codec.Tuner); ok {
		if err := t.SetTuning(e.tuning()); err != nil {
			return err
		}
	}
	return e.setRate()
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
	e.capKbps = kbps
	if e.inner != nil {
		_ = e.setRate()
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
		t := e.tuning()
		cfg.CPUUsed, cfg.MinQuantizer, cfg.MaxQuantizer = t.CPUUsed, t.MinQuantizer, t.MaxQuantizer
		inner, err := codec.NewVP8Encoder(cfg)
		if err != nil {
			return codec.Packet{}, false, err
		}
		e.inner, e.cfg.Width, e.cfg.Height = inner, pic.Width, pic.Height
		e.rate.Store(int64(cfg.BitrateKbps))
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
		return e.setRate()
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
