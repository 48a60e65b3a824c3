package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
)

// keyframeRetry is how long after answering a keyframe request on a still
// screen the picture is sent once more: the encoder throttles forced
// keyframes (codec.DefaultKeyframeMinInterval), and a request that fell
// inside the throttle window is honoured only by a later frame, which a
// still screen would not produce until the capture refresh.
const keyframeRetry = codec.DefaultKeyframeMinInterval + 50*time.Millisecond

// While less than smallChange of the screen changed in every frame of
// the last changeWindow, the encoder's rate is capped at smallChangeKbps
// (see encoder.setCap): typing, a blinking caret, a ticking clock.
const (
	smallChange     = 0.05
	changeWindow    = time.Second
	smallChangeKbps = 600
)

// stillRefreshes is how many refresh frames of a still screen are encoded
// before the Host stops sending any until the screen changes.
const stillRefreshes = 2

// Host is the end user's side of a session: it shares one monitor with
// one or more technicians (viewers, see AddViewer) and injects the input of
// the one who controls, both only as far as the end user allowed (Allow,
// and each viewer's own mode). It starts in input.ModeNone: nothing is
// captured or sent and no input is injected.
//
// The screen is captured and encoded once whatever the number of viewers:
// every viewer's connection sends the same VP8 frames. A keyframe request
// from any viewer forces a keyframe for all (a newcomer needs one to start)
// and the encoder runs at the lowest of the viewers' bandwidth estimates,
// tuned for the one input.Quality they chose last (SetQuality).
type Host struct {
	cfg   HostConfig
	log   *slog.Logger
	enc   *encoder
	start time.Time

	// peers is the current set of viewers, replaced (never modified) under
	// mu so that the stream loop reads it without locking or allocating.
	peers atomic.Pointer[[]*peerLink]

	// wantKey asks the stream loop for a keyframe before its next Encode.
	wantKey atomic.Bool

	// imu serialises injection with changes of the controller, so no event
	// of a previous controller lands after control moved (lock order: mu,
	// then imu).
	imu  sync.Mutex           // guards the following fields
	gate *input.GatedInjector // nil: no injector (yet), all input refused
	ctrl *peerLink            // the viewer whose input is injected; nil: nobody

	// quality is the input.Quality asked for last (SetQuality); the stream
	// loop applies it to the encoder before its next frame.
	quality atomic.Uint32

	// Touched only by the stream goroutine.
	appliedKbps    int
	appliedQuality input.Quality
	lastTS         time.Duration
	haveTS         bool

	monitor atomic.Int32 // index of the shared monitor, for injected events

	// kick asks the stream loop to send its current picture again (a
	// keyframe request arrived); wake interrupts its wait for damage.
	kick atomic.Bool
	wmu  sync.Mutex // guards the following field
	wake context.CancelFunc

	captured, injected, refused, malformed atomic.Uint64

	// Work the controller asks for that takes long (a monitor switch
	// reopens the capture, a clipboard read waits for another X client)
	// runs on goroutines of its own: not on pion's, which would hold up
	// later input, and not under imu. Close ends and waits for them before
	// it takes mu, which a monitor switch needs.
	bmu      sync.Mutex // guards the following fields
	bgClosed bool
	bg       sync.WaitGroup
	bgCtx    context.Context
	bgCancel context.CancelFunc

	wantMon  atomic.Int32 // the monitor the controller asked for last
	monBusy  atomic.Bool  // a switch is running; it picks up wantMon
	clipBusy atomic.Bool  // a clipboard read is running

	clipMu sync.Mutex      // guards the following field
	clip   input.Clipboard // opened on the first request (or HostConfig.Clipboard)

	mu      sync.Mutex // guards the following fields; held across mode changes, including waiting for the stream to end
	mode    input.Mode
	stopped bool
	closed  bool
	src     capture.Source
	mon     capture.Monitor
	pic     codec.I420    // the current picture; used only by the stream goroutine while it runs
	cancel  func()        // ends the running stream; nil when not streaming
	done    chan struct{} // closed when the stream goroutines have ended
}

// HostStats adds the Host's own counters to the connection's.
type HostStats struct {
	rtc.Stats
	// Captured counts pictures taken from the screen; Encoded and
	// EncodedBytes what the encoder produced from them (video payload).
	Captured, Encoded, EncodedBytes, Keyframes uint64
	// Injected counts input events passed to the injector; Refused those
	// the gate (or a missing injector) turned away; Malformed those that
	// did not decode.
	Injected, Refused, Malformed uint64
	Mode                         input.Mode
	// Quality is the picture asked for last (see Host.SetQuality); it
	// applies from the next frame on. EncoderKbps is the rate last given
	// to the encoder: the congestion controller's estimate, under the
	// content cap and the quality's ceiling.
	Quality     input.Quality
	EncoderKbps int
}

// NewHost opens the capture source (which captures nothing yet). With a
// signaler it also connects the first viewer (id 0, which may control as
// far as Allow lets it) and sends it the offer; with nil sig viewers come
// with AddViewer. Sharing starts only with Allow. Close the Host when done.
func NewHost(ctx context.Context, cfg HostConfig, sig rtc.Signaler) (*Host, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	src, err := capture.Open(cfg.Capture)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	mon, err := monitorOf(src, cfg.Capture.Monitor)
	if err != nil {
		src.Close()
		return nil, err
	}
	h := &Host{
		cfg:            cfg,
		log:            cfg.Logger,
		enc:            &encoder{cfg: cfg.Encoder, prof: profileOf(cfg.Quality)},
		start:          time.Now(),
		src:            src,
		mon:            mon,
		clip:           cfg.Clipboard,
		appliedQuality: cfg.Quality,
	}
	h.quality.Store(uint32(cfg.Quality))
	h.bgCtx, h.bgCancel = context.WithCancel(context.Background())
	h.monitor.Store(int32(mon.Index))
	h.peers.Store(new([]*peerLink))
	if cfg.Injector != nil {
		h.gate = input.NewGatedInjector(cfg.Injector)
	}
	if sig != nil {
		if err := h.AddViewer(ctx, 0, input.ModeControl, sig); err != nil {
			h.Close()
			return nil, err
		}
		if err := h.SetController(0); err != nil {
			h.Close()
			return nil, err
		}
	}
	return h, nil
}

func monitorOf(src capture.Source, index int) (capture.Monitor, error) {
	mons, err := src.Monitors()
	if err != nil {
		return capture.Monitor{}, fmt.Errorf("media: %w", err)
	}
	if index < 0 || index >= len(mons) {
		return capture.Monitor{}, fmt.Errorf("media: %w: %d of %d", capture.ErrNoMonitor, index, len(mons))
	}
	return mons[index], nil
}

// WaitConnected blocks until the first viewer is connected (ErrNoViewer
// when there is none).
func (h *Host) WaitConnected(ctx context.Context) error {
	ps := *h.peers.Load()
	if len(ps) == 0 {
		return ErrNoViewer
	}
	return ps[0].rtc.WaitConnected(ctx)
}

// RestartICE renegotiates every viewer's connection with fresh ICE
// credentials through its signaler: the app calls it when a connection
// went rtc.StateFailed (see HostConfig.RTC.OnState), e.g. after a network
// change, or to re-establish the path after its signaling came back. See
// RestartViewerICE for one viewer.
func (h *Host) RestartICE(ctx context.Context) error {
	var err error
	for _, p := range *h.peers.Load() {
		if e := p.rtc.RestartICE(ctx); err == nil && e != nil {
			err = e
		}
	}
	return err
}

// Allow sets what the technician may do: input.ModeViewOnly shares the
// screen, input.ModeControl also injects input, input.ModeNone pauses
// both. Leaving control releases every held key and button. When Allow
// returns ModeNone, no further frame is sent.
func (h *Host) Allow(mode input.Mode) error {
	if mode > input.ModeControl {
		return fmt.Errorf("%w: unknown mode %d", ErrInvalidConfig, mode)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return ErrClosed
	case h.stopped:
		return ErrStopped
	}
	// Input first on the way down, video first on the way up: consent
	// never covers more than the end user gave at any moment.
	h.mode = mode
	if err := h.applyGateLocked(); err != nil {
		return err
	}
	if mode == input.ModeNone {
		h.stopStreamLocked()
	} else if h.cancel == nil {
		h.startStreamLocked()
	}
	h.log.Info("sharing mode", "mode", mode.String())
	return nil
}

// setGate sets the injector's mode. h.imu is held.
func (h *Host) setGate(mode input.Mode) error {
	if h.gate == nil {
		return nil
	}
	if err := h.gate.SetMode(mode); err != nil && !errors.Is(err, input.ErrClosed) {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}

// gateMode is what the injector may do: control only while the end user
// allows control (Allow) and a viewer allowed to control holds it. h.mu
// and h.imu are held.
func (h *Host) gateMode() input.Mode {
	switch {
	case h.mode == input.ModeNone:
		return input.ModeNone
	case h.mode == input.ModeControl && h.ctrl != nil && h.ctrl.mode == input.ModeControl:
		return input.ModeControl
	}
	return input.ModeViewOnly
}

// applyGateLocked brings the injector's mode in line with h.mode and the
// controller. h.mu is held.
func (h *Host) applyGateLocked() error {
	h.imu.Lock()
	defer h.imu.Unlock()
	return h.setGate(h.gateMode())
}

// Stop ends sharing at once: input is refused and every held key and
// button released, the stream ends, and no frame is sent after Stop
// returns. A stopped Host cannot be resumed (ErrStopped); the connection
// stays up until Close so the app can still say goodbye.
func (h *Host) Stop() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	h.stopped = true
	h.mode = input.ModeNone
	h.imu.Lock()
	err := h.setGate(input.ModeNone)
	if h.gate != nil {
		// SetMode releases only when leaving control; releasing is always safe.
		if rerr := h.gate.ReleaseAll(); err == nil && rerr != nil {
			err = fmt.Errorf("media: release input: %w", rerr)
		}
	}
	h.imu.Unlock()
	h.stopStreamLocked()
	h.log.Info("sharing stopped")
	return err
}

// Mode returns what the technician may do now.
func (h *Host) Mode() input.Mode {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.mode
}

// Monitors lists the monitors that can be shared.
func (h *Host) Monitors() ([]capture.Monitor, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	return h.src.Monitors()
}

// SetMonitor shares another monitor. The stream restarts on it with a
// keyframe, input maps to it from then on, and every viewer is told the
// new choice (see Viewer.Monitors). The controlling viewer can ask for
// the same with an input.KindSelectMonitor event.
func (h *Host) SetMonitor(index int) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	if index == h.mon.Index {
		return nil
	}
	cfg := h.cfg.Capture
	cfg.Monitor = index
	src, err := capture.Open(cfg)
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	mon, err := monitorOf(src, index)
	if err != nil {
		src.Close()
		return err
	}
	streaming := h.cancel != nil
	h.stopStreamLocked()
	h.src.Close()
	h.src, h.mon = src, mon
	h.monitor.Store(int32(index))
	// The same size keeps the encoder, whose next frame would be a delta
	// on the other monitor's picture.
	h.wantKey.Store(true)
	if streaming {
		h.startStreamLocked()
	}
	h.log.Info("sharing monitor", "monitor", index, "width", mon.Width, "height", mon.Height)
	return nil
}

// SetQuality chooses between a smooth and a sharp picture for every
// viewer; it applies from the next frame on, without a keyframe, and the
// viewers are told. A controlling viewer can ask for the same with an
// input.KindQuality event (any viewer while nobody controls).
func (h *Host) SetQuality(q input.Quality) error {
	if !q.Valid() {
		return fmt.Errorf("%w: unknown quality %d", ErrInvalidConfig, q)
	}
	if prev := input.Quality(h.quality.Swap(uint32(q))); prev != q {
		h.log.Info("picture quality", "quality", q.String())
	}
	return nil
}

// Quality returns the picture asked for last.
func (h *Host) Quality() input.Quality { return input.Quality(h.quality.Load()) }

// Stats returns live figures; cheap enough to call once a second. The
// connection's figures are the controller's, or the first viewer's when
// nobody controls (see ViewerStats for each).
func (h *Host) Stats() HostStats {
	var st rtc.Stats
	h.imu.Lock()
	p := h.ctrl
	h.imu.Unlock()
	if ps := *h.peers.Load(); p == nil && len(ps) > 0 {
		p = ps[0]
	}
	if p != nil {
		st = p.rtc.Stats()
	}
	return HostStats{
		Stats:        st,
		Captured:     h.captured.Load(),
		Encoded:      h.enc.frames.Load(),
		EncodedBytes: h.enc.bytes.Load(),
		Keyframes:    h.enc.keyframes.Load(),
		Injected:     h.injected.Load(),
		Refused:      h.refused.Load(),
		Malformed:    h.malformed.Load(),
		Mode:         h.Mode(),
		Quality:      h.Quality(),
		EncoderKbps:  int(h.enc.rate.Load()),
	}
}

// Close stops sharing, ends the connection, releases held input and
// closes the injector, the encoder and the capture source. It returns
// after every goroutine has ended and is idempotent.
func (h *Host) Close() error {
	h.bmu.Lock()
	h.bgClosed = true
	h.bmu.Unlock()
	h.bgCancel()
	h.bg.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	h.mode = input.ModeNone
	h.stopStreamLocked()
	// The connections go before the gate: their callbacks may still inject.
	ps := *h.peers.Load()
	h.peers.Store(new([]*peerLink))
	var err error
	for _, p := range ps {
		if cerr := p.rtc.Close(); err == nil {
			err = cerr
		}
	}
	h.imu.Lock()
	h.ctrl = nil
	if h.gate != nil {
		if gerr := h.gate.Close(); err == nil {
			err = gerr
		}
	}
	h.imu.Unlock()
	h.enc.Close()
	h.src.Close()
	h.clipMu.Lock()
	if h.clip != nil {
		if cerr := h.clip.Close(); err == nil {
			err = cerr
		}
		h.clip = nil
	}
	h.clipMu.Unlock()
	return err
}

// startStreamLocked starts the capture loop and the cursor poller for the
// current source. h.mu is held.
func (h *Host) startStreamLocked() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	src, mon := h.src, h.mon
	go func() {
		defer wg.Done()
		h.streamLoop(ctx, src)
	}()
	go func() {
		defer wg.Done()
		h.cursorLoop(ctx, src, mon)
	}()
	go func() {
		wg.Wait()
		close(done)
	}()
	h.cancel, h.done = cancel, done
}

// stopStreamLocked ends the stream and waits for it. h.mu is held; the
// stream goroutines never take it.
func (h *Host) stopStreamLocked() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	<-h.done
	h.cancel, h.done = nil, nil
}

// streamLoop waits for damage, converts and sends, one frame at a time:
// damage arriving while a frame is encoded is merged into the next
// capture, so frames are dropped rather than queued.
func (h *Host) streamLoop(ctx context.Context, src capture.Source) {
	have := false       // h.pic holds a picture
	var retry time.Time // when to resend after a keyframe request
	// Capture yields a full frame after Refresh without damage. The first
	// few are worth encoding (rate control may have left the last picture
	// of a burst blurred, and they refine it); after that the screen is
	// still and the picture sharp, and a lost frame is repaired by a
	// keyframe request, so further refreshes are not encoded.
	refresh := h.cfg.Capture.Refresh
	if refresh == 0 {
		refresh = capture.DefaultRefresh
	}
	var last, bigChange time.Time
	still := 0
	pace := time.NewTimer(time.Hour)
	pace.Stop()
	for {
		if h.kick.Swap(false) && have {
			h.send(time.Since(h.start))
			retry = time.Now().Add(keyframeRetry)
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		if !retry.IsZero() {
			wctx, cancel = context.WithDeadline(ctx, retry)
		}
		h.setWake(cancel)
		if h.kick.Load() {
			cancel() // a request raced with setWake
		}
		var f *capture.Frame
		err := h.pace(wctx, pace, last)
		if err == nil {
			f, err = src.Next(wctx)
		}
		h.setWake(nil)
		cancel()
		if err != nil {
			switch {
			case ctx.Err() != nil:
				return
			case errors.Is(err, context.DeadlineExceeded):
				retry = time.Time{}
				if have {
					h.send(time.Since(h.start))
				}
				continue
			case errors.Is(err, context.Canceled):
				continue // kicked
			}
			h.log.Error("capture failed, sharing paused", "err", err)
			return
		}
		h.captured.Add(1)
		if have && f.Full() && f.Time.Sub(last) >= refresh*9/10 {
			still++
		} else {
			still = 0
		}
		last = f.Time
		if still > stillRefreshes {
			continue
		}
		if err := codec.BGRAToI420(f.Data, f.Stride, f.Width, f.Height, &h.pic); err != nil {
			h.log.Error("convert frame", "err", err)
			continue
		}
		if still == 0 && changedShare(f) >= smallChange {
			bigChange = f.Time
		}
		if f.Time.Sub(bigChange) > changeWindow {
			h.enc.setCap(smallChangeKbps)
		} else {
			h.enc.setCap(0)
		}
		have = true
		h.send(f.Time.Sub(h.start))
	}
}

// pace waits until the quality's frame interval has passed since the
// frame taken at last (Capture.MinInterval is the capture's own), so that
// damage in between merges into one frame; ctx's error if it ends first.
// Only the stream goroutine calls it, with its own timer.
func (h *Host) pace(ctx context.Context, t *time.Timer, last time.Time) error {
	d := time.Until(last.Add(profileOf(h.Quality()).interval))
	if last.IsZero() || d <= 0 {
		return nil
	}
	t.Reset(d)
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		t.Stop() // since Go 1.23 no stale tick is left to drain
		return ctx.Err()
	}
}

// send encodes the current picture once and writes it to every viewer.
// Nothing is encoded while nobody watches.
func (h *Host) send(ts time.Duration) {
	ps := *h.peers.Load()
	if len(ps) == 0 {
		return
	}
	h.applyQuality()
	h.applyBitrate(ps)
	if h.wantKey.Swap(false) {
		h.enc.RequestKeyframe()
	}
	pkt, ok, err := h.enc.Encode(&h.pic, ts)
	if err != nil {
		h.log.Warn("encode frame", "err", err)
		return
	}
	if !ok {
		return // dropped by rate control
	}
	d := 33 * time.Millisecond
	if h.haveTS && ts > h.lastTS {
		d = ts - h.lastTS
	}
	h.lastTS, h.haveTS = ts, true
	for _, p := range ps {
		if err := p.rtc.WriteFrame(pkt, d); err != nil && !errors.Is(err, rtc.ErrClosed) {
			h.log.Warn("send frame", "viewer", p.id, "err", err)
		}
	}
}

// applyBitrate runs the encoder at the lowest of the viewers' congestion
// estimates: one stream serves all, and the slowest link must keep up.
// Changes under 5% are ignored (libvpx reconfiguration is not free).
func (h *Host) applyBitrate(ps []*peerLink) {
	target := 0
	for _, p := range ps {
		if k := int(p.kbps.Load()); k > 0 && (target == 0 || k < target) {
			target = k
		}
	}
	if target == 0 {
		return
	}
	if d := target - h.appliedKbps; h.appliedKbps == 0 || d*20 > h.appliedKbps || -d*20 > h.appliedKbps {
		if err := h.enc.SetBitrate(target); err != nil {
			h.log.Warn("encoder bitrate", "kbps", target, "err", err)
			return
		}
		h.appliedKbps = target
	}
}

// applyQuality tunes the encoder for the quality asked for last, if it
// changed since the previous frame.
func (h *Host) applyQuality() {
	q := h.Quality()
	if q == h.appliedQuality {
		return
	}
	if err := h.enc.setProfile(profileOf(q)); err != nil {
		h.log.Warn("encoder quality", "quality", q.String(), "err", err)
		return
	}
	h.appliedQuality = q
}

func (h *Host) setWake(f context.CancelFunc) {
	h.wmu.Lock()
	h.wake = f
	h.wmu.Unlock()
}

// onKeyframeRequest runs on a pion goroutine: a viewer lost the picture
// (or has just connected). The stream loop must produce a keyframe for it
// even if the screen is still.
func (h *Host) onKeyframeRequest() {
	h.wantKey.Store(true)
	h.kick.Store(true)
	h.wmu.Lock()
	if h.wake != nil {
		h.wake()
	}
	h.wmu.Unlock()
}

// cursorLoop polls the pointer and tells the viewers when it moved,
// appeared or hid (and a newly connected viewer where it is); quickly
// while it moves, slowly once it rests.
//
// It also tells each connected viewer, once, which monitors there are and
// which one is shared (the loop restarts on every monitor switch).
func (h *Host) cursorLoop(ctx context.Context, src capture.Source, mon capture.Monitor) {
	mons, monsOK := h.monitorList(src, mon)
	cursorOK := true
	interval := h.cfg.CursorInterval
	t := time.NewTimer(interval)
	defer t.Stop()
	var last Cursor
	var moved time.Time
	polled := false
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if now.Sub(moved) > cursorIdleAfter {
				interval = max(cursorIdleInterval, h.cfg.CursorInterval)
			} else {
				interval = h.cfg.CursorInterval
			}
		}
		t.Reset(interval)
		if monsOK {
			h.announceMonitors(ctx, mons)
		}
		h.announceQuality(ctx)
		if !cursorOK {
			continue
		}
		c, err := src.Cursor()
		if err != nil {
			if errors.Is(err, capture.ErrClosed) {
				return
			}
			if errors.Is(err, capture.ErrCursorUnsupported) {
				cursorOK = false
				continue
			}
			h.log.Debug("cursor", "err", err)
			continue
		}
		cur := Cursor{X: normalise(c.X, mon.Width), Y: normalise(c.Y, mon.Height), Visible: c.Visible}
		if !polled || cur != last {
			moved = time.Now()
			last, polled = cur, true
		}
		for _, p := range *h.peers.Load() {
			// Not yet connected viewers are skipped rather than waited for:
			// they must not hold back the others.
			if !p.connected.Load() || p.cursorSent && p.cursor == cur {
				continue
			}
			sctx, cancel := context.WithTimeout(ctx, time.Second)
			// A fresh 10-byte slice: the data channel may hold on to it.
			err := p.rtc.SendInput(sctx, marshalCursor(cur, nil))
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				h.log.Debug("send cursor", "viewer", p.id, "err", err)
				continue
			}
			p.cursor, p.cursorSent = cur, true
		}
	}
}

// monitorList is what viewers are told about the monitors.
func (h *Host) monitorList(src capture.Source, mon capture.Monitor) (Monitors, bool) {
	list, err := src.Monitors()
	if err != nil {
		h.log.Debug("list monitors", "err", err)
		return Monitors{}, false
	}
	m := Monitors{Current: mon.Index}
	for _, c := range list[:min(len(list), maxMonitors)] {
		m.List = append(m.List, MonitorInfo{X: c.X, Y: c.Y, Width: c.Width, Height: c.Height, Primary: c.Primary})
	}
	return m, m.Current < len(m.List)
}

// announceMonitors sends m to every connected viewer that has not had it.
// Only the cursor goroutine calls it.
func (h *Host) announceMonitors(ctx context.Context, m Monitors) {
	for _, p := range *h.peers.Load() {
		if !p.connected.Load() || p.monsSent && p.mons.equal(m) {
			continue
		}
		b, err := marshalMonitors(m, nil)
		if err != nil {
			h.log.Debug("monitor list", "err", err)
			return
		}
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		err = p.rtc.SendInput(sctx, b)
		cancel()
		if err != nil {
			h.log.Debug("send monitor list", "viewer", p.id, "err", err)
			continue
		}
		p.mons, p.monsSent = m, true
	}
}

// announceQuality tells every connected viewer the quality, when it
// changed since they were last told or their own request was refused.
// Only the cursor goroutine calls it.
func (h *Host) announceQuality(ctx context.Context) {
	q := h.Quality()
	for _, p := range *h.peers.Load() {
		if !p.connected.Load() || p.qualitySent == q && !p.qualityStale.Load() {
			continue
		}
		b, err := input.Marshal(input.Event{Kind: input.KindQuality, Quality: q}, nil)
		if err != nil {
			h.log.Debug("quality message", "err", err)
			return
		}
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		err = p.rtc.SendInput(sctx, b)
		cancel()
		if err != nil {
			h.log.Debug("send quality", "viewer", p.id, "err", err)
			continue
		}
		p.qualitySent = q
		p.qualityStale.Store(false)
	}
}

// onMessage runs on a pion goroutine for each input message from viewer
// p. Only the controller's events reach the injector, and only the
// controller may switch the monitor or read the end user's clipboard
// (which can hold passwords): a watcher's requests are refused like its
// input, and so are the controller's while the end user allows viewing
// only. The quality is no input: the controller may choose it, even while
// the end user allows viewing only, and any viewer may while nobody
// controls. Event contents are never logged.
func (h *Host) onMessage(p *peerLink, m rtc.Message) {
	var ev input.Event
	if err := input.Unmarshal(m.Data, &ev); err != nil {
		h.malformed.Add(1)
		h.log.Debug("malformed input message", "channel", m.Channel.String(), "err", err)
		return
	}
	if m.Channel == rtc.ChannelPointer && ev.Kind != input.KindPointerMove {
		// Only disposable moves may travel unreliably; a lost button
		// release would leave a button held.
		h.malformed.Add(1)
		h.log.Debug("non-move event on the pointer channel", "kind", ev.Kind.String())
		return
	}
	if ev.Kind == input.KindQuality {
		h.imu.Lock()
		ok := h.ctrl == nil || h.ctrl == p
		h.imu.Unlock()
		if !ok {
			h.refused.Add(1)
			p.qualityStale.Store(true) // it shows its wish: tell it what stays
			h.log.Info("request refused: another viewer controls", "viewer", p.id, "kind", ev.Kind.String())
			return
		}
		h.SetQuality(ev.Quality) // valid: Unmarshal checked it
		return
	}
	if ev.Kind == input.KindSelectMonitor || ev.Kind == input.KindClipboardRequest {
		h.imu.Lock()
		ok := h.gate != nil && h.ctrl == p && h.gate.Allow(ev)
		h.imu.Unlock()
		switch {
		case !ok:
			h.refused.Add(1)
			h.log.Info("request refused: not the controller", "viewer", p.id, "kind", ev.Kind.String())
		case ev.Kind == input.KindSelectMonitor:
			h.requestMonitor(int(ev.Monitor))
		default:
			h.requestClipboard(p)
		}
		return
	}
	h.imu.Lock()
	defer h.imu.Unlock()
	if h.gate == nil || h.ctrl != p {
		h.refused.Add(1)
		return
	}
	// The viewer sees one monitor: its coordinates are on the shared one.
	ev.Monitor = uint8(h.monitor.Load())
	if err := h.gate.Inject(ev); err != nil {
		h.refused.Add(1)
		if !errors.Is(err, input.ErrNotAllowed) && !errors.Is(err, input.ErrClosed) {
			h.log.Warn("inject input", "kind", ev.Kind.String(), "err", err)
		}
		return
	}
	h.injected.Add(1)
}

// changedShare is the fraction of f's area that its Changed rectangles
// cover (overlaps counted twice, which errs towards "big").
func changedShare(f *capture.Frame) float64 {
	if f.Width <= 0 || f.Height <= 0 {
		return 1
	}
	area := 0
	for _, r := range f.Changed {
		area += r.Dx() * r.Dy()
	}
	return float64(area) / float64(f.Width*f.Height)
}

// background runs f on an owned goroutine; false after Close began.
func (h *Host) background(f func(ctx context.Context)) bool {
	h.bmu.Lock()
	defer h.bmu.Unlock()
	if h.bgClosed {
		return false
	}
	h.bg.Add(1)
	go func() {
		defer h.bg.Done()
		f(h.bgCtx)
	}()
	return true
}

// requestMonitor switches to monitor i off the caller's goroutine.
// Requests arriving during a switch are coalesced: the last one wins.
func (h *Host) requestMonitor(i int) {
	h.wantMon.Store(int32(i))
	if !h.monBusy.CompareAndSwap(false, true) {
		return // the running switch picks wantMon up
	}
	ok := h.background(func(context.Context) {
		for {
			want := int(h.wantMon.Load())
			if err := h.SetMonitor(want); err != nil && !errors.Is(err, ErrClosed) {
				h.log.Warn("switch monitor", "monitor", want, "err", err)
			}
			h.monBusy.Store(false)
			if int(h.wantMon.Load()) == want || !h.monBusy.CompareAndSwap(false, true) {
				return
			}
		}
	})
	if !ok {
		h.monBusy.Store(false)
	}
}

// clipboardTimeout bounds reading the end user's clipboard and sending it.
const clipboardTimeout = 5 * time.Second

// requestClipboard reads the end user's clipboard and sends its text to
// viewer p as an input.KindClipboard event, off the caller's goroutine;
// one read at a time (a request during a read is dropped). Nothing is sent
// when the clipboard cannot be read or control moved meanwhile.
func (h *Host) requestClipboard(p *peerLink) {
	if !h.clipBusy.CompareAndSwap(false, true) {
		return
	}
	ok := h.background(func(ctx context.Context) {
		defer h.clipBusy.Store(false)
		ctx, cancel := context.WithTimeout(ctx, clipboardTimeout)
		defer cancel()
		text, err := h.readClipboard(ctx)
		if errors.Is(err, input.ErrClipboardTruncated) {
			h.log.Info("clipboard text cut to the wire limit", "bytes", len(text))
		} else if err != nil {
			h.log.Warn("read clipboard", "err", err)
			return
		}
		h.imu.Lock()
		still := h.ctrl == p
		h.imu.Unlock()
		if !still {
			return
		}
		b, err := input.Marshal(input.Event{Kind: input.KindClipboard, Text: text}, nil)
		if err != nil {
			h.log.Warn("clipboard reply", "err", err)
			return
		}
		if err := p.rtc.SendInput(ctx, b); err != nil {
			h.log.Warn("send clipboard", "viewer", p.id, "err", err)
			return
		}
		h.log.Info("clipboard sent", "viewer", p.id, "bytes", len(text))
	})
	if !ok {
		h.clipBusy.Store(false)
	}
}

// readClipboard reads the end user's clipboard, opening the platform's
// clipboard on first use.
func (h *Host) readClipboard(ctx context.Context) (string, error) {
	h.clipMu.Lock()
	if h.clip == nil {
		c, err := input.NewClipboard(input.ClipboardConfig{Display: h.cfg.Capture.Display, Logger: h.log})
		if err != nil {
			h.clipMu.Unlock()
			return "", err
		}
		h.clip = c
	}
	c := h.clip
	h.clipMu.Unlock()
	return c.Get(ctx)
}
