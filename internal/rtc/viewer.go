package rtc

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/tetherdesk/tether/internal/codec"
)

// DefaultPLIInterval is the least time between two keyframe requests.
const DefaultPLIInterval = 250 * time.Millisecond

// ViewerConfig configures the technician's side.
type ViewerConfig struct {
	Config
	// Decoder decodes the video. Required. The Viewer calls it from one
	// goroutine only; the caller owns it and closes it after the Viewer.
	Decoder codec.Decoder
	// PLIInterval throttles keyframe requests (default DefaultPLIInterval).
	PLIInterval time.Duration
	// OnMessage receives messages the host sends on the input channel, one
	// at a time, on a pion goroutine. It must not call Close.
	OnMessage func(Message)
}

func (c *ViewerConfig) validate() error {
	if c.Decoder == nil {
		return fmt.Errorf("%w: viewer needs a decoder", ErrInvalidConfig)
	}
	if c.PLIInterval < 0 {
		return fmt.Errorf("%w: negative pli interval", ErrInvalidConfig)
	}
	if c.PLIInterval == 0 {
		c.PLIInterval = DefaultPLIInterval
	}
	return nil
}

// Viewer is the technician's side: it answers the host's offer, decodes
// the screen video and sends input.
type Viewer struct {
	*peer
	cfg    ViewerConfig
	frames *mailbox
	pool   chan *Frame

	trackTaken atomic.Bool

	fps, bits, pkts, lost meter
	delivered, dropped    atomic.Uint64
	keyframes, plis       atomic.Uint64
	lastPLI               atomic.Int64 // unix nanoseconds of the last keyframe request
}

// NewViewer sets up the peer connection and waits, in the background, for
// the host's offer, which it answers. Decoded frames arrive on Frames.
// Close the Viewer when done.
func NewViewer(ctx context.Context, cfg ViewerConfig, sig Signaler) (*Viewer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	v := &Viewer{cfg: cfg, frames: newMailbox(), pool: make(chan *Frame, 3)}
	media := func(me *webrtc.MediaEngine, reg *interceptor.Registry) error {
		// Sends transport-wide congestion feedback for the host's estimator.
		return webrtc.ConfigureTWCCSender(me, reg)
	}
	p, err := newPeer(ctx, cfg.Config, sig, cfg.OnMessage, media)
	if err != nil {
		return nil, err
	}
	v.peer = p
	p.onDescription = v.onDescription
	p.pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		switch dc.Label() {
		case labelInput:
			v.attach(ChannelInput, dc)
		case labelPointer:
			v.attach(ChannelPointer, dc)
		default:
			v.log.Warn("unknown data channel", "label", dc.Label())
		}
	})
	p.pc.OnTrack(func(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
		if t.Kind() != webrtc.RTPCodecTypeVideo || !v.trackTaken.CompareAndSwap(false, true) {
			return
		}
		tail := newTailWatch()
		v.goroutine(func() { v.readVideo(t, tail) })
		v.goroutine(func() { v.readReports(uint32(t.SSRC()), r, tail) })
	})
	p.start()
	return v, nil
}

func (v *Viewer) onDescription(ctx context.Context, s Signal) error {
	if s.Type != SignalOffer {
		return fmt.Errorf("%w: viewer got %q", ErrUnexpectedSignal, s.Type)
	}
	if err := v.setRemote(webrtc.SDPTypeOffer, s.SDP); err != nil {
		return err
	}
	answer, err := v.pc.CreateAnswer(nil)
	if err != nil {
		return fmt.Errorf("create answer: %w", err)
	}
	if err := v.setLocal(answer); err != nil {
		return err
	}
	return v.sendDescription(ctx, Signal{Type: SignalAnswer, SDP: answer.SDP})
}

// readVideo is the receive path: packets → frames → decoder → mailbox. It
// runs until the track ends.
// requestKeyframe sends a picture loss indication, at most one per
// PLIInterval whoever asks (the packet loop or the report loop).
func (v *Viewer) requestKeyframe(ssrc uint32, now time.Time) {
	last := v.lastPLI.Load()
	if now.UnixNano()-last < int64(v.cfg.PLIInterval) || !v.lastPLI.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	if err := v.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}); err != nil {
		v.log.Debug("send pli", "err", err)
		return
	}
	v.plis.Add(1)
}

// readReports reads the track's incoming RTCP (which also drives the
// receiver-side interceptors) and asks for a keyframe when a sender report
// shows that the tail of the stream was lost (see tailWatch).
func (v *Viewer) readReports(ssrc uint32, r *webrtc.RTPReceiver, tail *tailWatch) {
	for {
		pkts, _, err := r.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			if sr, ok := p.(*rtcp.SenderReport); ok && sr.SSRC == ssrc && tail.senderReport(sr.PacketCount) {
				v.log.Debug("stream tail lost, asking for a keyframe")
				v.requestKeyframe(ssrc, time.Now())
			}
		}
	}
}

func (v *Viewer) readVideo(t *webrtc.TrackRemote, tail *tailWatch) {
	ssrc := uint32(t.SSRC())
	asm := newAssembler()
	buf := make([]byte, 1600)
	var pkt rtp.Packet
	var lostBefore uint64
	pli := func(now time.Time) { v.requestKeyframe(ssrc, now) }
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		now := time.Now()
		tail.received(pkt.SequenceNumber)
		v.pkts.add(now, 1)
		v.bits.add(now, float64(len(pkt.Payload)*8))
		res := asm.push(&pkt.Header, pkt.Payload)
		if l := asm.lostPkts - lostBefore; l > 0 {
			v.lost.add(now, float64(l))
			v.dropped.Add(1)
			lostBefore = asm.lostPkts
		}
		if res.needPLI {
			pli(now)
		}
		if res.frame == nil {
			continue
		}
		pic, err := v.cfg.Decoder.Decode(res.frame)
		if err != nil || pic == nil {
			v.log.Debug("decode failed, asking for a keyframe", "err", err)
			v.dropped.Add(1)
			asm.resync()
			pli(now)
			continue
		}
		f := v.getFrame()
		f.copyFrom(pic)
		f.Keyframe, f.RTPTimestamp, f.Received, f.Decoded = res.keyframe, pkt.Timestamp, now, time.Now()
		if res.keyframe {
			v.keyframes.Add(1)
		}
		v.fps.add(now, 1)
		v.delivered.Add(1)
		if v.frames.put(f) {
			v.dropped.Add(1)
		}
	}
}

func (v *Viewer) getFrame() *Frame {
	select {
	case f := <-v.pool:
		return f
	default:
		return &Frame{pool: v.pool}
	}
}

// Frames delivers decoded pictures. It holds at most one: when the UI is
// slower than the stream, older frames are dropped, never queued. Release
// each Frame after use. The channel is never closed: select on it together
// with your own shutdown signal.
func (v *Viewer) Frames() <-chan *Frame { return v.frames.ch }

// SendInput sends an input message (button, key, text, clipboard, control)
// on the ordered, reliable channel, waiting until it is open.
func (v *Viewer) SendInput(ctx context.Context, data []byte) error { return v.sendInput(ctx, data) }

// SendPointer sends a pointer move on the unordered, unreliable channel
// with the next sequence number; the host drops moves older than the newest
// it has seen. It returns ErrNotConnected until the channel is open.
func (v *Viewer) SendPointer(data []byte) error { return v.sendPointer(data) }

// WaitConnected blocks until connected to the host.
func (v *Viewer) WaitConnected(ctx context.Context) error { return v.waitConnected(ctx) }

// Stats returns live figures. It is cheap enough to call once a second.
func (v *Viewer) Stats() Stats {
	now := time.Now()
	st := Stats{
		FPS:           v.fps.rate(now),
		BitrateKbps:   v.bits.rate(now) / 1000,
		Frames:        v.delivered.Load(),
		FramesDropped: v.dropped.Load(),
		Keyframes:     v.keyframes.Load(),
		PLIs:          v.plis.Load(),
	}
	if got, lost := v.pkts.rate(now), v.lost.rate(now); got+lost > 0 {
		st.PacketLoss = lost / (got + lost)
	}
	v.fillTransport(&st)
	return st
}

// Close ends the session and waits for every goroutine. Idempotent.
func (v *Viewer) Close() error {
	err := v.close()
	v.frames.drain()
	return err
}
