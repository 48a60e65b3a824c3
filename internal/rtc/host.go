package rtc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/tetherdesk/tether/internal/codec"
)

// Bitrate bounds applied to the congestion controller's estimate.
const (
	DefaultMinBitrateKbps   = 300
	DefaultMaxBitrateKbps   = 8000
	DefaultStartBitrateKbps = 2500
)

// HostConfig configures the end user's side.
type HostConfig struct {
	Config
	// Encoder compresses the pictures given to SendPicture. Required. The
	// Host calls Encode, SetBitrate and RequestKeyframe only from the
	// goroutine that calls SendPicture or WriteFrame, so the encoder needs
	// no locking; the caller owns it and closes it after the Host.
	Encoder codec.Encoder
	// Bitrate bounds for the congestion controller (defaults above).
	MinBitrateKbps, MaxBitrateKbps, StartBitrateKbps int
	// OnMessage receives the technician's input, one message at a time in
	// arrival order, on a pion goroutine. It may block briefly (that holds
	// back further input) but must not call Close.
	OnMessage func(Message)
	// OnKeyframeRequest, when set, is called (on a pion goroutine, must not
	// block) when the viewer asks for a keyframe. A pipeline that sends only
	// on screen change should then send the current picture again: the
	// request is applied to the encoder on the next SendPicture.
	OnKeyframeRequest func()
}

func (c *HostConfig) validate() error {
	if c.Encoder == nil {
		return fmt.Errorf("%w: host needs an encoder", ErrInvalidConfig)
	}
	if c.MinBitrateKbps < 0 || c.MaxBitrateKbps < 0 || c.StartBitrateKbps < 0 {
		return fmt.Errorf("%w: negative bitrate", ErrInvalidConfig)
	}
	if c.MinBitrateKbps == 0 {
		c.MinBitrateKbps = DefaultMinBitrateKbps
	}
	if c.MaxBitrateKbps == 0 {
		c.MaxBitrateKbps = DefaultMaxBitrateKbps
	}
	if c.StartBitrateKbps == 0 {
		c.StartBitrateKbps = min(max(DefaultStartBitrateKbps, c.MinBitrateKbps), c.MaxBitrateKbps)
	}
	if c.MinBitrateKbps > c.MaxBitrateKbps || c.StartBitrateKbps < c.MinBitrateKbps || c.StartBitrateKbps > c.MaxBitrateKbps {
		return fmt.Errorf("%w: bitrates must satisfy min <= start <= max", ErrInvalidConfig)
	}
	return nil
}

// Host is the end user's side: it offers the connection, sends the screen
// as VP8 video and receives the technician's input.
type Host struct {
	*peer
	cfg    HostConfig
	track  *webrtc.TrackLocalStaticSample
	sender *webrtc.RTPSender
	bwe    cc.BandwidthEstimator

	wantKey    atomic.Bool
	targetKbps atomic.Int64 // clamped BWE estimate
	plis       atomic.Uint64

	fps, bits meter

	// Touched only by the goroutine calling SendPicture / WriteFrame.
	sendMu      sync.Mutex // guards the following fields
	appliedKbps int
	lastTS      time.Duration
	haveTS      bool
	frames      uint64
	skipped     uint64
	keyframes   uint64
}

// NewHost sets up the peer connection, the video track and both data
// channels, and sends the offer. It does not wait for the viewer: see
// WaitConnected. Close the Host when done.
func NewHost(ctx context.Context, cfg HostConfig, sig Signaler) (*Host, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h := &Host{cfg: cfg}
	h.targetKbps.Store(int64(cfg.StartBitrateKbps))
	h.appliedKbps = 0 // forces one SetBitrate with the start rate

	var estimator cc.BandwidthEstimator
	media := func(me *webrtc.MediaEngine, reg *interceptor.Registry) error {
		f, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
			return gcc.NewSendSideBWE(
				gcc.SendSideBWEInitialBitrate(cfg.StartBitrateKbps*1000),
				gcc.SendSideBWEMinBitrate(cfg.MinBitrateKbps*1000),
				gcc.SendSideBWEMaxBitrate(cfg.MaxBitrateKbps*1000),
				// The leaky-bucket pacer delays packets to smooth bursts;
				// we would rather have the latency, and the raised receive
				// buffer absorbs keyframe bursts.
				gcc.SendSideBWEPacer(gcc.NewNoOpPacer()),
			)
		})
		if err != nil {
			return err
		}
		f.OnNewPeerConnection(func(_ string, e cc.BandwidthEstimator) { estimator = e })
		reg.Add(f)
		return webrtc.ConfigureTWCCHeaderExtensionSender(me, reg)
	}
	p, err := newPeer(ctx, cfg.Config, sig, cfg.OnMessage, media)
	if err != nil {
		return nil, err
	}
	h.peer = p
	h.bwe = estimator
	if h.bwe != nil {
		h.bwe.OnTargetBitrateChange(func(bps int) {
			kbps := min(max(bps/1000, h.cfg.MinBitrateKbps), h.cfg.MaxBitrateKbps)
			h.targetKbps.Store(int64(kbps))
		})
	}
	p.onDescription = h.onDescription

	if err := h.setup(); err != nil {
		_ = p.close()
		return nil, err
	}
	p.start()
	if err := h.offer(ctx, false); err != nil {
		_ = p.close()
		return nil, err
	}
	return h, nil
}

func (h *Host) setup() error {
	track, err := webrtc.NewTrackLocalStaticSample(
		webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "screen", "tether")
	if err != nil {
		return fmt.Errorf("rtc: video track: %w", err)
	}
	tr, err := h.pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return fmt.Errorf("rtc: add track: %w", err)
	}
	h.track, h.sender = track, tr.Sender()

	input, err := h.pc.CreateDataChannel(labelInput, nil)
	if err != nil {
		return fmt.Errorf("rtc: input channel: %w", err)
	}
	unordered, zero := false, uint16(0)
	pointer, err := h.pc.CreateDataChannel(labelPointer, &webrtc.DataChannelInit{Ordered: &unordered, MaxRetransmits: &zero})
	if err != nil {
		return fmt.Errorf("rtc: pointer channel: %w", err)
	}
	h.attach(ChannelInput, input)
	h.attach(ChannelPointer, pointer)

	// Reading RTCP drives the interceptors (receiver reports, congestion
	// feedback) and brings the viewer's keyframe requests.
	h.goroutine(h.readRTCP)
	return nil
}

func (h *Host) readRTCP() {
	for {
		pkts, _, err := h.sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				h.plis.Add(1)
				h.wantKey.Store(true)
				if h.cfg.OnKeyframeRequest != nil {
					h.cfg.OnKeyframeRequest()
				}
			}
		}
	}
}

// offer creates and sends an offer; iceRestart gathers fresh credentials.
func (h *Host) offer(ctx context.Context, iceRestart bool) error {
	var opts *webrtc.OfferOptions
	if iceRestart {
		opts = &webrtc.OfferOptions{ICERestart: true}
	}
	offer, err := h.pc.CreateOffer(opts)
	if err != nil {
		return fmt.Errorf("rtc: create offer: %w", err)
	}
	if err := h.setLocal(offer); err != nil {
		return fmt.Errorf("rtc: %w", err)
	}
	if err := h.sendDescription(ctx, Signal{Type: SignalOffer, SDP: offer.SDP}); err != nil {
		return fmt.Errorf("rtc: %w", err)
	}
	return nil
}

func (h *Host) onDescription(_ context.Context, s Signal) error {
	if s.Type != SignalAnswer {
		return fmt.Errorf("%w: host got %q", ErrUnexpectedSignal, s.Type)
	}
	return h.setRemote(webrtc.SDPTypeAnswer, s.SDP)
}

// RestartICE renegotiates with fresh ICE credentials, e.g. after the
// connection went StateFailed because a network changed.
func (h *Host) RestartICE(ctx context.Context) error {
	if h.ctx.Err() != nil {
		return ErrClosed
	}
	return h.offer(ctx, true)
}

// WaitConnected blocks until the viewer is connected.
func (h *Host) WaitConnected(ctx context.Context) error { return h.waitConnected(ctx) }

// applyControls hands pending keyframe and bitrate changes to the encoder.
// sendMu is held.
func (h *Host) applyControls() {
	if h.wantKey.Swap(false) {
		h.cfg.Encoder.RequestKeyframe()
	}
	target := int(h.targetKbps.Load())
	// Ignore changes under 5%: libvpx reconfiguration is not free.
	if d := target - h.appliedKbps; h.appliedKbps == 0 || d*20 > h.appliedKbps || -d*20 > h.appliedKbps {
		if err := h.cfg.Encoder.SetBitrate(target); err != nil {
			h.log.Warn("encoder bitrate", "kbps", target, "err", err)
			return
		}
		h.appliedKbps = target
	}
}

// SendPicture encodes pic, taken at ts (a monotonic capture time), and
// sends it. It returns nil when the encoder dropped the frame for rate
// control. Not for concurrent use with itself or WriteFrame.
func (h *Host) SendPicture(pic *codec.I420, ts time.Duration) error {
	if h.ctx.Err() != nil {
		return ErrClosed
	}
	h.sendMu.Lock()
	defer h.sendMu.Unlock()
	h.applyControls()
	pkt, ok, err := h.cfg.Encoder.Encode(pic, ts)
	if err != nil {
		return fmt.Errorf("rtc: encode: %w", err)
	}
	if !ok {
		h.skipped++
		return nil
	}
	d := 33 * time.Millisecond
	if h.haveTS && ts > h.lastTS {
		d = ts - h.lastTS
	}
	h.lastTS, h.haveTS = ts, true
	return h.writeLocked(pkt, d)
}

// WriteFrame sends a frame the caller encoded with cfg.Encoder; duration
// is the time since the previous frame (it advances the RTP timestamp).
// Pending keyframe and bitrate changes are applied to the encoder before it
// returns, for the next Encode.
func (h *Host) WriteFrame(pkt codec.Packet, duration time.Duration) error {
	if h.ctx.Err() != nil {
		return ErrClosed
	}
	h.sendMu.Lock()
	defer h.sendMu.Unlock()
	err := h.writeLocked(pkt, duration)
	h.applyControls()
	return err
}

func (h *Host) writeLocked(pkt codec.Packet, d time.Duration) error {
	if len(pkt.Data) == 0 {
		return nil
	}
	if err := h.track.WriteSample(media.Sample{Data: pkt.Data, Duration: d}); err != nil {
		if errors.Is(err, context.Canceled) || h.ctx.Err() != nil {
			return ErrClosed
		}
		return fmt.Errorf("rtc: write frame: %w", err)
	}
	now := time.Now()
	h.fps.add(now, 1)
	h.bits.add(now, float64(len(pkt.Data)*8))
	h.frames++
	if pkt.Keyframe {
		h.keyframes++
	}
	return nil
}

// SendInput sends a message to the viewer on the reliable channel (e.g.
// the end user's clipboard), waiting until the channel is open.
func (h *Host) SendInput(ctx context.Context, data []byte) error { return h.sendInput(ctx, data) }

// Stats returns live figures. It is cheap enough to call once a second.
func (h *Host) Stats() Stats {
	now := time.Now()
	st := Stats{
		FPS:               h.fps.rate(now),
		BitrateKbps:       h.bits.rate(now) / 1000,
		TargetBitrateKbps: int(h.targetKbps.Load()),
		PLIs:              h.plis.Load(),
	}
	h.sendMu.Lock()
	st.Frames, st.FramesDropped, st.Keyframes = h.frames, h.skipped, h.keyframes
	h.sendMu.Unlock()
	h.fillTransport(&st)
	for _, s := range h.pc.GetStats() {
		if r, ok := s.(webrtc.RemoteInboundRTPStreamStats); ok && r.Kind == "video" {
			st.PacketLoss = r.FractionLost
		}
	}
	return st
}

// Close ends the session and waits for every goroutine. Idempotent.
func (h *Host) Close() error { return h.close() }
