package input

import (
	"slices"
	"sync"
)

// Injector replays events on the local desktop. Implementations are safe
// for concurrent use.
type Injector interface {
	// Inject performs one event. A KindReleaseAll event is ReleaseAll.
	Inject(ev Event) error
	// ReleaseAll releases every key and button pressed through this
	// injector and not yet released, so nothing stays stuck when control
	// ends or the connection drops.
	ReleaseAll() error
	// Close releases everything held and frees the injector; idempotent.
	Close() error
}

// held tracks pressed keys and buttons in press order. Not safe for
// concurrent use: owners guard it.
type held struct {
	keys    []string
	buttons []Button
}

// note records ev's effect on the held set.
func (h *held) note(ev Event) {
	switch ev.Kind {
	case KindKey:
		i := slices.Index(h.keys, ev.Key)
		switch {
		case ev.Down && i < 0:
			h.keys = append(h.keys, ev.Key)
		case !ev.Down && i >= 0:
			h.keys = slices.Delete(h.keys, i, i+1)
		}
	case KindButton:
		i := slices.Index(h.buttons, ev.Button)
		switch {
		case ev.Down && i < 0:
			h.buttons = append(h.buttons, ev.Button)
		case !ev.Down && i >= 0:
			h.buttons = slices.Delete(h.buttons, i, i+1)
		}
	}
}

// releases returns the events that undo everything held (buttons first,
// then keys in reverse press order, so modifiers go last) and clears the set.
func (h *held) releases() []Event {
	var evs []Event
	for _, b := range h.buttons {
		evs = append(evs, Event{Kind: KindButton, Button: b})
	}
	for i := len(h.keys) - 1; i >= 0; i-- {
		evs = append(evs, Event{Kind: KindKey, Key: h.keys[i]})
	}
	h.keys, h.buttons = h.keys[:0], h.buttons[:0]
	return evs
}

// Recorder is an Injector that records events in order, for tests of the
// packages that feed injectors. ReleaseAll records the key and button
// releases a real injector would send.
type Recorder struct {
	mu     sync.Mutex // guards the following fields
	events []Event
	held   held
	closed bool
}

// Inject records ev.
func (r *Recorder) Inject(ev Event) error {
	if ev.Kind == KindReleaseAll {
		return r.ReleaseAll()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	r.events = append(r.events, ev)
	r.held.note(ev)
	return nil
}

// ReleaseAll records a release for every held key and button.
func (r *Recorder) ReleaseAll() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, r.held.releases()...)
	return nil
}

// Close releases everything held and refuses further events.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.events = append(r.events, r.held.releases()...)
		r.closed = true
	}
	return nil
}

// Events returns a copy of the recorded events.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Reset forgets the recorded events (not the held set).
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = r.events[:0]
}

// Closed reports whether Close was called.
func (r *Recorder) Closed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}
