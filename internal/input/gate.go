package input

import (
	"fmt"
	"sync"
)

// Mode is how much a session may do to the end user's desktop. The zero
// value, ModeNone, is the state before consent: nothing is allowed.
type Mode uint8

const (
	// ModeNone: no consent yet (or withdrawn); input is refused.
	ModeNone Mode = iota
	// ModeViewOnly: the technician sees the screen; input is refused.
	ModeViewOnly
	// ModeControl: the end user granted control; input is injected.
	ModeControl
	modeEnd
)

var modeNames = [...]string{"none", "view_only", "control"}

func (m Mode) String() string {
	if m >= modeEnd {
		return "unknown"
	}
	return modeNames[m]
}

// GatedInjector lets events through to the wrapped injector only while the
// session is in ModeControl. Leaving control (SetMode to view-only or
// none), Close, and a dropped connection (the owner calls Close or
// SetMode(ModeNone)) release every held key and button, so no modifier
// stays stuck on the end user's keyboard. It owns the wrapped injector and
// closes it on Close. Safe for concurrent use.
type GatedInjector struct {
	mu     sync.Mutex // guards the following fields and serialises calls to inner
	inner  Injector
	mode   Mode
	closed bool
}

// NewGatedInjector wraps inner, starting in ModeNone.
func NewGatedInjector(inner Injector) *GatedInjector {
	return &GatedInjector{inner: inner}
}

// Mode returns the current mode.
func (g *GatedInjector) Mode() Mode {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.mode
}

// SetMode changes the mode. Leaving ModeControl releases everything held.
func (g *GatedInjector) SetMode(m Mode) error {
	if m >= modeEnd {
		return fmt.Errorf("input: unknown mode %d", m)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrClosed
	}
	prev := g.mode
	g.mode = m
	if prev == ModeControl && m != ModeControl {
		return g.inner.ReleaseAll()
	}
	return nil
}

// Allow reports whether ev would be injected now.
func (g *GatedInjector) Allow(ev Event) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.closed && g.mode == ModeControl
}

// Inject passes ev on in ModeControl and returns ErrNotAllowed otherwise.
func (g *GatedInjector) Inject(ev Event) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrClosed
	}
	if g.mode != ModeControl {
		return fmt.Errorf("%w: %s event in mode %s", ErrNotAllowed, ev.Kind, g.mode)
	}
	return g.inner.Inject(ev)
}

// ReleaseAll releases everything held, in any mode: releasing is always safe.
func (g *GatedInjector) ReleaseAll() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	return g.inner.ReleaseAll()
}

// Close releases everything held and closes the wrapped injector;
// idempotent.
func (g *GatedInjector) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	g.mode = ModeNone
	rerr := g.inner.ReleaseAll()
	if err := g.inner.Close(); err != nil {
		return err
	}
	return rerr
}
