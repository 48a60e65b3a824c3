package rtc

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// peer is what Host and Viewer share: the peer connection, its sockets,
// the signaling loop and the data channels.
type peer struct {
	cfg       Config
	log       *slog.Logger
	sig       Signaler
	pc        *webrtc.PeerConnection
	mux       *UDPMux
	ownMux    bool
	onMessage func(Message)
	// onDescription handles an offer or answer (role specific).
	onDescription func(ctx context.Context, s Signal) error

	ctx    context.Context // ends on Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	connected     chan struct{} // closed on the first StateConnected
	connectedOnce sync.Once
	closeOnce     sync.Once
	closeErr      error
	state         atomic.Int32 // ConnState
	pointerSeq    atomic.Uint32

	// candMu is held while sending descriptions and candidates, so that a
	// local candidate never overtakes the description it belongs to: after
	// an ICE restart the remote side would apply it to the old session.
	candMu     sync.Mutex // guards the following fields
	descSent   bool
	localCands []Signal

	msgMu       sync.Mutex // serialises OnMessage calls and guards the following field
	pointerLast seqFilter

	// id addresses this connection in signals (Signal.From and To).
	id string

	mu       sync.Mutex // guards the following fields
	closed   bool
	remoteID string                    // the other connection's id, from its descriptions
	pending  []webrtc.ICECandidateInit // remote candidates before the remote description
	channels [3]*webrtc.DataChannel    // by Channel
	opened   [3]chan struct{}          // closed when the channel opens
}

// newPeer builds the peer connection. media registers the role's codecs
// and interceptors.
func newPeer(ctx context.Context, cfg Config, sig Signaler, onMessage func(Message),
	media func(*webrtc.MediaEngine, *interceptor.Registry) error,
) (*peer, error) {
	if sig == nil {
		return nil, fmt.Errorf("%w: nil signaler", ErrInvalidConfig)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	p := &peer{cfg: cfg, log: cfg.Logger, sig: sig, onMessage: onMessage, connected: make(chan struct{}), id: rand.Text()}
	for i := range p.opened {
		p.opened[i] = make(chan struct{})
	}

	p.mux = cfg.UDPMux
	if p.mux == nil {
		m, err := NewUDPMux(ctx, cfg)
		if err != nil {
			return nil, err
		}
		p.mux, p.ownMux = m, true
	}

	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType:  webrtc.MimeTypeVP8,
			ClockRate: 90000,
			RTCPFeedback: []webrtc.RTCPFeedback{
				{Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}, {Type: webrtc.TypeRTCPFBTransportCC},
			},
		},
		PayloadType: 96,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		p.closeMux()
		return nil, fmt.Errorf("rtc: register vp8: %w", err)
	}
	reg := &interceptor.Registry{}
	for _, f := range cfg.wireInterceptors {
		reg.Add(f)
	}
	err := errors.Join(
		webrtc.ConfigureRTCPReports(reg),
		webrtc.ConfigureStatsInterceptor(reg),
		media(me, reg),
	)
	if err != nil {
		p.closeMux()
		return nil, fmt.Errorf("rtc: interceptors: %w", err)
	}
	for _, f := range cfg.extraInterceptors {
		reg.Add(f)
	}

	se := webrtc.SettingEngine{LoggerFactory: newPionLoggerFactory(p.log)}
	se.SetICEUDPMux(p.mux.mux)
	se.SetIncludeLoopbackCandidate(p.mux.loopback)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	// Both ends are our own binaries: no need to hide or resolve .local names.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetSCTPMaxMessageSize(MaxMessageSize + pointerHeaderLen)

	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(cfg.webrtcConfiguration())
	if err != nil {
		p.closeMux()
		return nil, fmt.Errorf("rtc: new peer connection: %w", err)
	}
	p.pc = pc
	p.ctx, p.cancel = context.WithCancel(context.Background())

	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		init := c.ToJSON()
		s := Signal{Type: SignalCandidate, Candidate: &Candidate{
			Candidate: init.Candidate, SDPMid: init.SDPMid, SDPMLineIndex: init.SDPMLineIndex,
		}}
		p.candMu.Lock()
		defer p.candMu.Unlock()
		if !p.descSent {
			p.localCands = append(p.localCands, s)
			return
		}
		p.sendCandidate(s)
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		st := fromPion(s)
		p.state.Store(int32(st))
		p.log.Debug("peer connection state", "state", st.String())
		if st == StateConnected {
			p.connectedOnce.Do(func() { close(p.connected) })
		}
		if p.cfg.OnState != nil {
			p.cfg.OnState(st)
		}
	})
	return p, nil
}

// send stamps s with this connection's id and, once known, the other's.
func (p *peer) send(ctx context.Context, s Signal) error {
	p.mu.Lock()
	s.From, s.To = p.id, p.remoteID
	p.mu.Unlock()
	return p.sig.Send(ctx, s)
}

// stale reports whether s belongs to another connection: addressed to
// one that is not this, or, once the other side is known, an unaddressed
// signal from a different connection. Descriptions teach the other
// side's id.
func (p *peer) stale(s Signal) bool {
	if s.To != "" && s.To != p.id {
		return true
	}
	if s.From == "" {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.remoteID == "" && (s.Type == SignalOffer || s.Type == SignalAnswer):
		p.remoteID = s.From
	case p.remoteID != "" && s.From != p.remoteID && s.To == "":
		return true
	}
	return false
}

func (p *peer) sendCandidate(s Signal) {
	if err := p.send(p.ctx, s); err != nil && p.ctx.Err() == nil {
		p.log.Warn("send ice candidate", "err", err)
	}
}

// setLocal applies a local description, holding back the candidates it
// starts gathering until sendDescription.
func (p *peer) setLocal(d webrtc.SessionDescription) error {
	p.candMu.Lock()
	p.descSent = false
	p.candMu.Unlock()
	if err := p.pc.SetLocalDescription(d); err != nil {
		return fmt.Errorf("set local %s: %w", d.Type, err)
	}
	return nil
}

// sendDescription sends an offer or answer, then the candidates held back.
func (p *peer) sendDescription(ctx context.Context, s Signal) error {
	p.candMu.Lock()
	defer p.candMu.Unlock()
	if err := p.send(ctx, s); err != nil {
		return fmt.Errorf("send %s: %w", s.Type, err)
	}
	p.descSent = true
	for _, c := range p.localCands {
		p.sendCandidate(c)
	}
	p.localCands = nil
	return nil
}

// start runs the signaling loop. Call it once the role has set up its
// tracks and callbacks.
func (p *peer) start() {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.signalLoop()
	}()
}

func (p *peer) signalLoop() {
	for {
		s, err := p.sig.Recv(p.ctx)
		if err != nil {
			if p.ctx.Err() == nil {
				p.log.Warn("signaling ended", "err", err)
			}
			return
		}
		if err := p.handleSignal(s); err != nil {
			p.log.Warn("signal", "type", string(s.Type), "err", err)
		}
	}
}

func (p *peer) handleSignal(s Signal) error {
	if p.stale(s) {
		p.log.Debug("signal of another connection ignored", "type", string(s.Type))
		return nil
	}
	switch s.Type {
	case SignalCandidate:
		if s.Candidate == nil {
			return fmt.Errorf("%w: candidate signal without candidate", ErrUnexpectedSignal)
		}
		c := webrtc.ICECandidateInit{Candidate: s.Candidate.Candidate, SDPMid: s.Candidate.SDPMid, SDPMLineIndex: s.Candidate.SDPMLineIndex}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.pc.RemoteDescription() == nil {
			p.pending = append(p.pending, c)
			return nil
		}
		return p.pc.AddICECandidate(c)
	case SignalOffer, SignalAnswer:
		return p.onDescription(p.ctx, s)
	case SignalBye:
		p.log.Info("remote side closed")
		// Closing the peer connection reports StateClosed; the owner still
		// calls Close to release everything.
		return p.pc.Close()
	}
	return fmt.Errorf("%w: type %q", ErrUnexpectedSignal, s.Type)
}

// setRemote applies a remote description and the candidates that arrived
// before it.
func (p *peer) setRemote(typ webrtc.SDPType, sdp string) error {
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: typ, SDP: sdp}); err != nil {
		return fmt.Errorf("set remote %s: %w", typ, err)
	}
	p.mu.Lock()
	pending := p.pending
	p.pending = nil
	p.mu.Unlock()
	for _, c := range pending {
		if err := p.pc.AddICECandidate(c); err != nil {
			p.log.Warn("add ice candidate", "err", err)
		}
	}
	return nil
}

// attach wires a data channel's callbacks.
func (p *peer) attach(ch Channel, dc *webrtc.DataChannel) {
	p.mu.Lock()
	if p.channels[ch] != nil {
		p.mu.Unlock()
		p.log.Warn("duplicate data channel ignored", "label", dc.Label())
		return
	}
	p.channels[ch] = dc
	opened := p.opened[ch]
	p.mu.Unlock()
	dc.OnOpen(func() { close(opened) })
	dc.OnMessage(func(msg webrtc.DataChannelMessage) { p.deliver(ch, msg.Data) })
}

// deliver hands a received message to onMessage, one at a time and in
// arrival order, dropping oversized messages and stale pointer moves.
func (p *peer) deliver(ch Channel, data []byte) {
	if len(data) > MaxMessageSize+pointerHeaderLen || (ch == ChannelInput && len(data) > MaxMessageSize) {
		p.log.Warn("dropped oversized message", "channel", ch.String(), "size", len(data))
		return
	}
	m := Message{Channel: ch, Data: data}
	p.msgMu.Lock()
	defer p.msgMu.Unlock()
	if ch == ChannelPointer {
		seq, payload, err := parsePointer(data)
		if err != nil {
			p.log.Warn("dropped malformed pointer message", "size", len(data))
			return
		}
		if !p.pointerLast.accept(seq) {
			return
		}
		m.Seq, m.Data = seq, payload
	}
	if p.onMessage != nil {
		p.onMessage(m)
	}
}

// sendInput sends on the reliable channel, waiting for it to open.
func (p *peer) sendInput(ctx context.Context, data []byte) error {
	if len(data) > MaxMessageSize {
		return fmt.Errorf("%w: %d bytes (max %d)", ErrMessageTooLarge, len(data), MaxMessageSize)
	}
	if p.ctx.Err() != nil {
		return ErrClosed
	}
	p.mu.Lock()
	opened := p.opened[ChannelInput]
	p.mu.Unlock()
	select {
	case <-opened:
	case <-p.ctx.Done():
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	p.mu.Lock()
	dc := p.channels[ChannelInput]
	p.mu.Unlock()
	if err := dc.Send(data); err != nil {
		return fmt.Errorf("rtc: send input: %w", err)
	}
	return nil
}

// sendPointer sends a pointer move with the next sequence number. Moves
// are disposable: nothing waits for the channel to open.
func (p *peer) sendPointer(data []byte) error {
	if len(data) > MaxMessageSize {
		return fmt.Errorf("%w: %d bytes (max %d)", ErrMessageTooLarge, len(data), MaxMessageSize)
	}
	if p.ctx.Err() != nil {
		return ErrClosed
	}
	p.mu.Lock()
	dc := p.channels[ChannelPointer]
	opened := p.opened[ChannelPointer]
	p.mu.Unlock()
	select {
	case <-opened:
	default:
		return ErrNotConnected
	}
	seq := p.pointerSeq.Add(1)
	if err := dc.Send(appendPointer(make([]byte, 0, pointerHeaderLen+len(data)), seq, data)); err != nil {
		return fmt.Errorf("rtc: send pointer: %w", err)
	}
	return nil
}

// waitConnected blocks until the connection is first established.
func (p *peer) waitConnected(ctx context.Context) error {
	select {
	case <-p.connected:
		return nil
	case <-p.ctx.Done():
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// goroutine runs f as an owned goroutine unless the peer is closing.
func (p *peer) goroutine(f func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		f()
	}()
	return true
}

// close says goodbye, closes the peer connection and waits for every owned
// goroutine. Idempotent.
func (p *peer) close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		// Best effort: the remote side learns at once instead of waiting for
		// ICE consent to time out.
		byeCtx, cancel := context.WithTimeout(p.ctx, 200*time.Millisecond)
		_ = p.send(byeCtx, Signal{Type: SignalBye})
		cancel()
		p.cancel()
		p.closeErr = p.pc.Close()
		p.wg.Wait()
		p.closeMux()
	})
	return p.closeErr
}

func (p *peer) closeMux() {
	if p.ownMux && p.mux != nil {
		_ = p.mux.Close()
	}
}

func (p *peer) connState() ConnState { return ConnState(p.state.Load()) }
