package media

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
)

// Viewer is the technician's side of a session: it shows the end user's
// screen and sends the technician's input.
type Viewer struct {
	cfg  ViewerConfig
	log  *slog.Logger
	rtc  *rtc.Viewer
	dec  codec.Decoder
	pics *mailbox
	pool chan *Picture

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	converted, replaced atomic.Uint64

	cmu       sync.Mutex // guards the following fields
	cursor    Cursor
	hasCursor bool
	mons      Monitors
	hasMons   bool
	quality   input.Quality // as the host last announced it; 0 before

	smu      sync.Mutex // guards the following fields
	lastMove input.Event
	moved    bool

	closeOnce sync.Once
	closeErr  error
}

// NewViewer sets up the peer connection and answers the host's offer in
// the background. Pictures arrive on Frames. Close the Viewer when done.
func NewViewer(ctx context.Context, cfg ViewerConfig, sig rtc.Signaler) (*Viewer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	dec, err := codec.NewVP8Decoder()
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	v := &Viewer{
		cfg:  cfg,
		log:  cfg.Logger,
		dec:  dec,
		pics: newMailbox(),
		pool: make(chan *Picture, 3),
	}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	v.rtc, err = rtc.NewViewer(ctx, rtc.ViewerConfig{
		Config:      cfg.RTC,
		Decoder:     dec,
		PLIInterval: cfg.PLIInterval,
		OnMessage:   v.onMessage,
	}, sig)
	if err != nil {
		v.cancel()
		dec.Close()
		return nil, fmt.Errorf("media: %w", err)
	}
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		v.convertLoop()
	}()
	return v, nil
}

// WaitConnected blocks until connected to the host.
func (v *Viewer) WaitConnected(ctx context.Context) error { return v.rtc.WaitConnected(ctx) }

// Frames delivers the newest picture; an unread one is replaced (and
// released) when a newer arrives, so a slow UI skips pictures instead of
// falling behind. Release each Picture after use. The channel is never
// closed.
func (v *Viewer) Frames() <-chan *Picture { return v.pics.ch }

// convertLoop turns decoded I420 frames into RGBA pictures.
func (v *Viewer) convertLoop() {
	for {
		var f *rtc.Frame
		select {
		case <-v.ctx.Done():
			return
		case f = <-v.rtc.Frames():
		}
		p := v.getPicture(f.Picture.Width, f.Picture.Height)
		if err := codec.I420ToRGBA(&f.Picture, p.Image); err != nil {
			v.log.Warn("convert picture", "err", err)
			f.Release()
			p.Release()
			continue
		}
		p.Keyframe, p.Received, p.Decoded, p.Converted = f.Keyframe, f.Received, f.Decoded, time.Now()
		f.Release()
		v.converted.Add(1)
		if v.pics.put(p) {
			v.replaced.Add(1)
		}
	}
}

// getPicture returns a pooled picture of w×h, allocating only when the pool
// is empty or the size changed.
func (v *Viewer) getPicture(w, h int) *Picture {
	for {
		select {
		case p := <-v.pool:
			if p.Image.Rect.Dx() == w && p.Image.Rect.Dy() == h {
				return p
			}
			continue // stale size: drop it
		default:
		}
		return &Picture{Image: image.NewRGBA(image.Rect(0, 0, w, h)), pool: v.pool}
	}
}

// SendInput sends one event to the host: pointer moves on the unordered
// channel (stale ones are dropped there), everything else on the reliable
// one, waiting until it is open. A button event is preceded by the last
// pointer position on the reliable channel, so the click lands where the
// technician clicked even if the unordered move was lost or overtaken.
func (v *Viewer) SendInput(ctx context.Context, ev input.Event) error {
	data, err := input.Marshal(ev, nil)
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	if ev.Kind == input.KindPointerMove {
		v.smu.Lock()
		v.lastMove, v.moved = ev, true
		v.smu.Unlock()
		if err := v.rtc.SendPointer(data); err != nil {
			return fmt.Errorf("media: %w", err)
		}
		return nil
	}
	if ev.Kind == input.KindButton {
		v.smu.Lock()
		move, ok := v.lastMove, v.moved
		v.smu.Unlock()
		if ok {
			mdata, err := input.Marshal(move, nil)
			if err != nil {
				return fmt.Errorf("media: %w", err)
			}
			if err := v.rtc.SendInput(ctx, mdata); err != nil {
				return fmt.Errorf("media: %w", err)
			}
		}
	}
	if err := v.rtc.SendInput(ctx, data); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}

// SetQuality asks the host for a smooth or a sharp picture (see
// input.Quality), on the reliable channel like other requests. The host
// obeys the controlling viewer, and any viewer while nobody controls; it
// announces the quality in force to every viewer (Quality, and
// ViewerConfig.OnEvent), also after refusing a request.
func (v *Viewer) SetQuality(ctx context.Context, q input.Quality) error {
	if !q.Valid() {
		return fmt.Errorf("media: %w: %d", input.ErrQuality, q)
	}
	return v.SendInput(ctx, input.Event{Kind: input.KindQuality, Quality: q})
}

// Quality returns the picture quality the host last announced, and false
// before it announced one.
func (v *Viewer) Quality() (input.Quality, bool) {
	v.cmu.Lock()
	defer v.cmu.Unlock()
	return v.quality, v.quality != input.QualityUnknown
}

// Cursor returns the latest remote pointer, and false before the host
// sent one.
func (v *Viewer) Cursor() (Cursor, bool) {
	v.cmu.Lock()
	defer v.cmu.Unlock()
	return v.cursor, v.hasCursor
}

// Monitors returns the host's monitor list as last announced, and false
// before the host sent one. Ask for another monitor with SendInput of an
// input.KindSelectMonitor event (only the controller is obeyed).
func (v *Viewer) Monitors() (Monitors, bool) {
	v.cmu.Lock()
	defer v.cmu.Unlock()
	return Monitors{Current: v.mons.Current, List: slices.Clone(v.mons.List)}, v.hasMons
}

// ViewerStats adds the Viewer's own counters to the connection's.
type ViewerStats struct {
	rtc.Stats
	// Converted counts pictures made ready for the UI; Replaced those the
	// UI never took because a newer one arrived first.
	Converted, Replaced uint64
}

// Stats returns live figures; cheap enough to call once a second.
func (v *Viewer) Stats() ViewerStats {
	return ViewerStats{Stats: v.rtc.Stats(), Converted: v.converted.Load(), Replaced: v.replaced.Load()}
}

// onMessage runs on a pion goroutine for each message from the host.
func (v *Viewer) onMessage(m rtc.Message) {
	if len(m.Data) > 0 && m.Data[0] == cursorTag {
		c, err := unmarshalCursor(m.Data)
		if err != nil {
			v.log.Debug("malformed cursor message", "err", err)
			return
		}
		v.cmu.Lock()
		v.cursor, v.hasCursor = c, true
		v.cmu.Unlock()
		if v.cfg.OnCursor != nil {
			v.cfg.OnCursor(c)
		}
		return
	}
	if len(m.Data) > 0 && m.Data[0] == monitorsTag {
		ms, err := unmarshalMonitors(m.Data)
		if err != nil {
			v.log.Debug("malformed monitor list", "err", err)
			return
		}
		v.cmu.Lock()
		v.mons, v.hasMons = ms, true
		v.cmu.Unlock()
		if v.cfg.OnMonitors != nil {
			v.cfg.OnMonitors(ms)
		}
		return
	}
	var ev input.Event
	if err := input.Unmarshal(m.Data, &ev); err != nil {
		v.log.Debug("malformed message from host", "err", err)
		return
	}
	if ev.Kind == input.KindQuality {
		v.cmu.Lock()
		v.quality = ev.Quality
		v.cmu.Unlock()
	}
	if v.cfg.OnEvent != nil {
		v.cfg.OnEvent(ev)
	}
}

// Close ends the session, waits for every goroutine and frees the
// decoder. Idempotent.
func (v *Viewer) Close() error {
	v.closeOnce.Do(func() {
		// rtc first: it stops calling the decoder and producing frames.
		v.closeErr = v.rtc.Close()
		v.cancel()
		v.wg.Wait()
		v.pics.drain()
		v.dec.Close()
	})
	return v.closeErr
}
