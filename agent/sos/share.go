package sos

import (
	"context"

	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/rtc"
)

// Sharer is the screen-sharing host as the agent drives it; *media.Host
// implements it. One host serves every technician the end user allowed
// (collaborators), each over a connection of their own; at most one of
// them controls.
type Sharer interface {
	// Allow sets the most any technician may do (input.ModeControl once
	// someone was allowed control).
	Allow(mode input.Mode) error
	Stop() error
	Close() error
	// AddViewer connects one more technician with what the end user
	// allowed them (view only or control).
	AddViewer(ctx context.Context, technicianID int64, mode input.Mode, sig rtc.Signaler) error
	// RemoveViewer ends a technician's connection; when they controlled,
	// nobody does any more.
	RemoveViewer(technicianID int64) error
	// SetController gives control to a technician allowed it; the
	// previous controller drops to watching.
	SetController(technicianID int64) error
	// ViewerStats describes a technician's current connection (an error
	// when they have none). Its State tells whether that connection is
	// closed or failed: a report (ShareRequest.OnViewerClosed,
	// OnViewerFailed) may be about a connection since replaced by a newer
	// one.
	ViewerStats(technicianID int64) (rtc.Stats, error)
	// RestartViewerICE renegotiates a technician's connection with fresh
	// ICE credentials, over its signaling: the offer reaches them only
	// through the broker. It returns once the offer is sent (or ctx ends),
	// not when the connection is back.
	RestartViewerICE(ctx context.Context, technicianID int64) error
}

// ShareRequest says what the end user allowed and to whom: the first
// technician the host is made for.
type ShareRequest struct {
	// Control is true when the end user allowed control.
	Control      bool
	TechnicianID int64
	// OnViewerClosed, when set, is called with a technician's id when one
	// of their connections closed for good: they closed their viewer (it
	// said goodbye), or it was closed here (RemoveViewer, Close). A
	// connection that failed or disconnected is not reported: it may
	// recover (ICE consent resumes, or an ICE restart). The report may be
	// about a connection already replaced (see Sharer.ViewerStats). It is
	// called from any goroutine and must not block or call into the host.
	OnViewerClosed func(technicianID int64)
	// OnViewerFailed, when set, is called with a technician's id when one
	// of their connections went rtc.StateFailed: ICE gave up (the network
	// was cut for longer than its timeout, or changed), and only an ICE
	// restart (Sharer.RestartViewerICE) brings it back. Like
	// OnViewerClosed, the report may be about a connection already
	// replaced; it is called from any goroutine and must not block or call
	// into the host.
	OnViewerFailed func(technicianID int64)
}

// HostFactory creates the sharing host once the end user allowed the first
// technician, with that technician's connection (AddViewer with req's mode
// and sig). The host must start with nothing shared and nobody in control:
// the agent calls Allow and SetController next.
type HostFactory func(ctx context.Context, req ShareRequest, sig rtc.Signaler) (Sharer, error)

// MediaHost returns the HostFactory of the real media path: media.NewHost
// with cfg. An injector is made by newInjector only once a technician is
// given control, so sharing that stays view only never holds one.
// newInjector receives the monitors capture sees, so injected events land
// on the shared monitor.
func MediaHost(cfg media.HostConfig, newInjector func(monitors []input.Rect) (input.Injector, error)) HostFactory {
	return func(ctx context.Context, req ShareRequest, sig rtc.Signaler) (Sharer, error) {
		c := cfg
		c.Injector = nil
		c.NewInjector = nil
		c.OnViewerState = viewerStates(cfg.OnViewerState, req)
		if newInjector != nil {
			c.NewInjector = func() (input.Injector, error) {
				mons, err := monitors(cfg.Capture)
				if err != nil {
					return nil, err
				}
				return newInjector(mons)
			}
		}
		h, err := media.NewHost(ctx, c, nil)
		if err != nil {
			return nil, err
		}
		mode := input.ModeViewOnly
		if req.Control {
			mode = input.ModeControl
		}
		if err := h.AddViewer(ctx, req.TechnicianID, mode, sig); err != nil {
			h.Close()
			return nil, err
		}
		return h, nil
	}
}

// viewerStates returns the media.HostConfig.OnViewerState that passes
// every state to next (when set) and reports closed and failed
// connections to req's callbacks.
func viewerStates(next func(int64, rtc.ConnState), req ShareRequest) func(int64, rtc.ConnState) {
	if req.OnViewerClosed == nil && req.OnViewerFailed == nil {
		return next
	}
	return func(id int64, s rtc.ConnState) {
		if next != nil {
			next(id, s)
		}
		switch {
		case s == rtc.StateClosed && req.OnViewerClosed != nil:
			req.OnViewerClosed(id)
		case s == rtc.StateFailed && req.OnViewerFailed != nil:
			req.OnViewerFailed(id)
		}
	}
}

func monitors(cfg capture.Config) ([]input.Rect, error) {
	src, err := capture.Open(cfg)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	mons, err := src.Monitors()
	if err != nil {
		return nil, err
	}
	out := make([]input.Rect, 0, len(mons))
	for _, m := range mons {
		out = append(out, input.Rect{X: m.X, Y: m.Y, Width: m.Width, Height: m.Height})
	}
	return out, nil
}
