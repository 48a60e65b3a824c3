package sos

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/rtc"
)

// signalQueue is how many signals of one technician wait for their
// connection; more are dropped (ICE trickling sends a few dozen at most).
const signalQueue = 128

// signalMux shares the session's one signaling channel between the
// technicians the screen is shared with: each has a connection of its own,
// so incoming signals are sorted by sender (FromID) and outgoing ones
// addressed to one technician (SendTo). Signals of technicians without a
// connection are dropped.
type signalMux struct {
	ch     SignalChannel
	cancel context.CancelFunc
	done   chan struct{} // closed when the reader ends

	mu     sync.Mutex // guards the following field
	queues map[int64]*signaler
}

func newSignalMux(ch SignalChannel) *signalMux {
	ctx, cancel := context.WithCancel(context.Background())
	m := &signalMux{ch: ch, cancel: cancel, done: make(chan struct{}), queues: map[int64]*signaler{}}
	go m.read(ctx)
	return m
}

func (m *signalMux) read(ctx context.Context) {
	defer close(m.done)
	for {
		env, err := m.ch.Recv(ctx)
		if err != nil {
			return
		}
		m.mu.Lock()
		s := m.queues[env.FromID]
		m.mu.Unlock()
		if s == nil {
			continue
		}
		select {
		case s.in <- env:
		default: // a connection that does not read: drop, never block the others
		}
	}
}

// signaler returns technician id's rtc.Signaler for a new connection. The
// signaler of their previous connection is retired: it receives nothing
// more, and what it sends (its goodbye when closed) is dropped, since it
// would reach the technician's new window.
func (m *signalMux) signaler(id int64) *signaler {
	s := &signaler{m: m, technicianID: id, in: make(chan api.Envelope, signalQueue)}
	m.mu.Lock()
	if old := m.queues[id]; old != nil {
		old.retired.Store(true)
	}
	m.queues[id] = s
	m.mu.Unlock()
	return s
}

// Close ends the reader and closes the channel. Idempotent.
func (m *signalMux) Close() error {
	err := m.ch.Close()
	m.cancel()
	<-m.done
	return err
}

// signaler adapts the broker's signaling channel to rtc.Signaler for one
// technician: what it sends is addressed to them, and it receives only
// their signals; undecodable ones are dropped.
type signaler struct {
	m            *signalMux
	technicianID int64
	in           chan api.Envelope
	retired      atomic.Bool
}

var _ rtc.Signaler = (*signaler)(nil)

func (s *signaler) Send(ctx context.Context, sig rtc.Signal) error {
	b, err := json.Marshal(sig)
	if err != nil {
		return err
	}
	if s.retired.Load() {
		return nil
	}
	return s.m.ch.SendTo(ctx, s.technicianID, b)
}

func (s *signaler) Recv(ctx context.Context) (rtc.Signal, error) {
	for {
		var env api.Envelope
		select {
		case env = <-s.in:
		case <-s.m.done:
			return rtc.Signal{}, rtc.ErrClosed
		case <-ctx.Done():
			return rtc.Signal{}, ctx.Err()
		}
		var sig rtc.Signal
		if err := json.Unmarshal(env.Data, &sig); err != nil || sig.Type == "" {
			continue
		}
		return sig, nil
	}
}
