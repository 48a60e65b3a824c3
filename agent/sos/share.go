package sos

import (
	"context"
	"fmt"

	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/rtc"
)

// Sharer is the screen-sharing host as the agent drives it; *media.Host
// implements it.
type Sharer interface {
	Allow(mode input.Mode) error
	Stop() error
	Close() error
}

// ShareRequest says what the end user allowed and to whom.
type ShareRequest struct {
	// Control is true when the end user allowed control; a host made for
	// viewing must refuse all input (no injector at all).
	Control      bool
	TechnicianID int64
}

// HostFactory creates the sharing host once the end user allowed it. The
// host must start with nothing shared: the agent calls Allow next.
type HostFactory func(ctx context.Context, req ShareRequest, sig rtc.Signaler) (Sharer, error)

// MediaHost returns the HostFactory of the real media path: media.NewHost
// with cfg, and with an injector from newInjector only when control was
// allowed. newInjector receives the monitors capture sees, so injected
// events land on the shared monitor.
func MediaHost(cfg media.HostConfig, newInjector func(monitors []input.Rect) (input.Injector, error)) HostFactory {
	return func(ctx context.Context, req ShareRequest, sig rtc.Signaler) (Sharer, error) {
		c := cfg
		c.Injector = nil
		if req.Control && newInjector != nil {
			mons, err := monitors(cfg.Capture)
			if err != nil {
				return nil, err
			}
			inj, err := newInjector(mons)
			if err != nil {
				return nil, fmt.Errorf("input: %w", err)
			}
			c.Injector = inj
		}
		h, err := media.NewHost(ctx, c, sig)
		if err != nil {
			if c.Injector != nil {
				c.Injector.Close()
			}
			return nil, err
		}
		return h, nil
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
