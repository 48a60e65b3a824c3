package media

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
)

// peerLink is one viewer's connection to the shared screen.
type peerLink struct {
	id   int64
	rtc  *rtc.Host
	mode input.Mode // what the end user allowed this viewer; guarded by Host.mu and Host.imu (either to read)

	kbps      atomic.Int64 // the connection's congestion estimate, as rtc last applied it
	connected atomic.Bool

	// Touched only by the cursor goroutine.
	cursor      Cursor
	cursorSent  bool
	mons        Monitors // the monitor list last sent
	monsSent    bool
	qualitySent input.Quality // the quality last sent; 0 before

	// qualityStale asks the cursor goroutine to send the quality again:
	// this viewer's request to change it was refused.
	qualityStale atomic.Bool
}

// peerEncoder is the codec.Encoder each viewer's rtc.Host is given: the
// Host encodes once for all (rtc.Host.WriteFrame), so this one only passes
// the connection's keyframe requests and bitrate on.
type peerEncoder struct {
	h *Host
	p *peerLink
}

var errSharedEncoder = errors.New("media: frames are encoded by the Host")

func (e peerEncoder) Encode(*codec.I420, time.Duration) (codec.Packet, bool, error) {
	return codec.Packet{}, false, errSharedEncoder
}

func (e peerEncoder) SetBitrate(kbps int) error { e.p.kbps.Store(int64(kbps)); return nil }
func (e peerEncoder) RequestKeyframe()          { e.h.wantKey.Store(true) }
func (e peerEncoder) Close() error              { return nil }

// ViewerInfo describes one viewer of a Host.
type ViewerInfo struct {
	ID int64
	// Mode is what the end user allowed this viewer (view only or control).
	Mode input.Mode
	// Controlling is true for the one viewer whose input is injected.
	Controlling bool
	Connected   bool
}

// AddViewer connects one more technician to the shared screen: it sets up
// a connection of its own and sends the offer through sig. id names the
// viewer in the other calls (the technician's account id); mode is what
// the end user allowed this viewer: input.ModeViewOnly, or
// input.ModeControl, which lets SetController give it control. A new
// viewer only watches. The other viewers are not disturbed: the newcomer
// gets a keyframe once connected.
func (h *Host) AddViewer(ctx context.Context, id int64, mode input.Mode, sig rtc.Signaler) error {
	if mode != input.ModeViewOnly && mode != input.ModeControl {
		return fmt.Errorf("%w: a viewer's mode is view only or control, not %s", ErrInvalidConfig, mode)
	}
	if sig == nil {
		return fmt.Errorf("%w: nil signaler", ErrInvalidConfig)
	}
	h.mu.Lock()
	err := h.usableLocked()
	if err == nil && h.findLocked(id) != nil {
		err = fmt.Errorf("%w: %d", ErrViewerExists, id)
	}
	h.mu.Unlock()
	if err != nil {
		return err
	}

	p := &peerLink{id: id, mode: mode}
	cfg := h.cfg.RTC
	onState := cfg.OnState
	cfg.OnState = func(s rtc.ConnState) {
		switch s {
		case rtc.StateConnected:
			p.connected.Store(true)
			h.onKeyframeRequest() // a newcomer starts from a keyframe
		case rtc.StateDisconnected, rtc.StateFailed, rtc.StateClosed:
			p.connected.Store(false)
		}
		if onState != nil {
			onState(s)
		}
		if h.cfg.OnViewerState != nil {
			h.cfg.OnViewerState(id, s)
		}
	}
	start := h.cfg.Encoder.BitrateKbps
	if start > 0 && h.cfg.MaxBitrateKbps > 0 {
		start = min(start, h.cfg.MaxBitrateKbps)
	}
	if start > 0 {
		start = max(start, h.cfg.MinBitrateKbps, rtc.DefaultMinBitrateKbps)
	}
	r, err := rtc.NewHost(ctx, rtc.HostConfig{
		Config:            cfg,
		Encoder:           peerEncoder{h: h, p: p},
		MinBitrateKbps:    h.cfg.MinBitrateKbps,
		MaxBitrateKbps:    h.cfg.MaxBitrateKbps,
		StartBitrateKbps:  start,
		OnMessage:         func(m rtc.Message) { h.onMessage(p, m) },
		OnKeyframeRequest: h.onKeyframeRequest,
	}, sig)
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	p.rtc = r

	h.mu.Lock()
	err = h.usableLocked()
	if err == nil && h.findLocked(id) != nil {
		err = fmt.Errorf("%w: %d", ErrViewerExists, id)
	}
	if err == nil {
		ps := *h.peers.Load()
		next := append(make([]*peerLink, 0, len(ps)+1), ps...)
		next = append(next, p)
		h.peers.Store(&next)
	}
	h.mu.Unlock()
	if err != nil {
		r.Close()
		return err
	}
	h.log.Info("viewer added", "viewer", id, "mode", mode.String())
	return nil
}

// RemoveViewer disconnects one viewer; the others keep streaming. When it
// controlled, nobody controls any more and its held keys and buttons are
// released.
func (h *Host) RemoveViewer(id int64) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return ErrClosed
	}
	p := h.findLocked(id)
	if p == nil {
		h.mu.Unlock()
		return fmt.Errorf("%w: %d", ErrNoViewer, id)
	}
	ps := *h.peers.Load()
	next := slices.DeleteFunc(slices.Clone(ps), func(q *peerLink) bool { return q == p })
	h.peers.Store(&next)
	h.imu.Lock()
	var err error
	if h.ctrl == p {
		err = h.moveControlLocked(nil)
	}
	h.imu.Unlock()
	h.mu.Unlock()
	if cerr := p.rtc.Close(); err == nil {
		err = cerr
	}
	h.log.Info("viewer removed", "viewer", id)
	return err
}

// SetViewerMode changes what the end user allows a viewer (they answered
// a new consent request). Below control, a controlling viewer drops to
// watching and its held keys and buttons are released.
func (h *Host) SetViewerMode(id int64, mode input.Mode) error {
	if mode != input.ModeViewOnly && mode != input.ModeControl {
		return fmt.Errorf("%w: a viewer's mode is view only or control, not %s", ErrInvalidConfig, mode)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	p := h.findLocked(id)
	if p == nil {
		return fmt.Errorf("%w: %d", ErrNoViewer, id)
	}
	h.imu.Lock()
	defer h.imu.Unlock()
	p.mode = mode
	if h.ctrl == p && mode != input.ModeControl {
		return h.moveControlLocked(nil)
	}
	return h.setGate(h.gateMode())
}

// SetController gives control to viewer id, who must have been allowed
// control (ErrNotAllowed otherwise); the previous controller drops to
// watching, with its held keys and buttons released first. Input is
// injected only while Allow also permits control.
func (h *Host) SetController(id int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.usableLocked(); err != nil {
		return err
	}
	p := h.findLocked(id)
	if p == nil {
		return fmt.Errorf("%w: %d", ErrNoViewer, id)
	}
	if p.mode != input.ModeControl {
		return fmt.Errorf("%w: viewer %d may only watch", ErrNotAllowed, id)
	}
	h.imu.Lock()
	defer h.imu.Unlock()
	if h.gate == nil && h.cfg.NewInjector != nil {
		inj, err := h.cfg.NewInjector()
		if err != nil {
			return fmt.Errorf("media: input: %w", err)
		}
		h.gate = input.NewGatedInjector(inj)
	}
	if h.ctrl == p {
		return h.setGate(h.gateMode())
	}
	if err := h.moveControlLocked(p); err != nil {
		return err
	}
	h.log.Info("control moved", "viewer", id)
	return nil
}

// ReleaseControl leaves everyone watching: nobody's input is injected.
func (h *Host) ReleaseControl() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	h.imu.Lock()
	defer h.imu.Unlock()
	return h.moveControlLocked(nil)
}

// moveControlLocked hands control to p (nil: nobody). The injector leaves
// control first, which releases what the previous controller held. h.mu
// and h.imu are held.
func (h *Host) moveControlLocked(p *peerLink) error {
	err := h.setGate(min(h.gateMode(), input.ModeViewOnly))
	h.ctrl = p
	if gerr := h.setGate(h.gateMode()); err == nil {
		err = gerr
	}
	return err
}

// Controller returns the controlling viewer's id; ok is false when nobody
// controls.
func (h *Host) Controller() (id int64, ok bool) {
	h.imu.Lock()
	defer h.imu.Unlock()
	if h.ctrl == nil {
		return 0, false
	}
	return h.ctrl.id, true
}

// Viewers lists the viewers in the order they were added.
func (h *Host) Viewers() []ViewerInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.imu.Lock()
	ctrl := h.ctrl
	h.imu.Unlock()
	ps := *h.peers.Load()
	out := make([]ViewerInfo, 0, len(ps))
	for _, p := range ps {
		out = append(out, ViewerInfo{ID: p.id, Mode: p.mode, Controlling: p == ctrl, Connected: p.connected.Load()})
	}
	return out
}

// ViewerStats returns one viewer's connection figures.
func (h *Host) ViewerStats(id int64) (rtc.Stats, error) {
	p := h.find(id)
	if p == nil {
		return rtc.Stats{}, fmt.Errorf("%w: %d", ErrNoViewer, id)
	}
	return p.rtc.Stats(), nil
}

// WaitViewer blocks until viewer id is connected.
func (h *Host) WaitViewer(ctx context.Context, id int64) error {
	p := h.find(id)
	if p == nil {
		return fmt.Errorf("%w: %d", ErrNoViewer, id)
	}
	return p.rtc.WaitConnected(ctx)
}

// RestartViewerICE renegotiates one viewer's connection with fresh ICE
// credentials (see RestartICE).
func (h *Host) RestartViewerICE(ctx context.Context, id int64) error {
	p := h.find(id)
	if p == nil {
		return fmt.Errorf("%w: %d", ErrNoViewer, id)
	}
	return p.rtc.RestartICE(ctx)
}

func (h *Host) find(id int64) *peerLink {
	for _, p := range *h.peers.Load() {
		if p.id == id {
			return p
		}
	}
	return nil
}

// findLocked is find under h.mu, where the set cannot change meanwhile.
func (h *Host) findLocked(id int64) *peerLink { return h.find(id) }

// usableLocked reports whether viewers may still be added or given
// control. h.mu is held.
func (h *Host) usableLocked() error {
	switch {
	case h.closed:
		return ErrClosed
	case h.stopped:
		return ErrStopped
	}
	return nil
}
