package apiclient

import (
	"context"
	"sync"

	"github.com/tetherdesk/tether/internal/api"
)

// SignalBuffer is how many incoming signals a SignalChannel holds; when
// it is full the oldest is dropped (and counted in Dropped), because the
// events connection must never wait for a slow consumer.
const SignalBuffer = 256

// SignalChannel is one session's WebRTC signaling over an Events
// connection: the apps adapt it to rtc.Signaler by marshalling rtc.Signal
// values into Send and out of Recv. Incoming signals for the session are
// routed here instead of to OnEvent while it is open. Safe for
// concurrent use.
type SignalChannel struct {
	ev        *Events
	sessionID int64

	mu      sync.Mutex // guards the following fields
	queue   []api.Envelope
	wake    chan struct{} // signalled (cap 1) on push and close
	closed  bool
	dropped int64
}

// Signals returns the session's signal channel, creating it on first use
// (later calls return the same one until it is closed). After the Events
// stopped, it returns a closed channel.
func (e *Events) Signals(sessionID int64) *SignalChannel {
	e.mu.Lock()
	defer e.mu.Unlock()
	if sc := e.signals[sessionID]; sc != nil {
		return sc
	}
	sc := &SignalChannel{ev: e, sessionID: sessionID, wake: make(chan struct{}, 1)}
	if e.stopped {
		sc.closed = true
		return sc
	}
	e.signals[sessionID] = sc
	return sc
}

// routeSignal hands an incoming signal to its session's channel, or to
// OnEvent when none is open.
func (e *Events) routeSignal(env api.Envelope) {
	e.mu.Lock()
	sc := e.signals[env.SessionID]
	e.mu.Unlock()
	if sc != nil && sc.push(env) {
		return
	}
	if e.cfg.OnEvent != nil {
		e.cfg.OnEvent(env)
	}
}

// SessionID returns the channel's session.
func (s *SignalChannel) SessionID() int64 { return s.sessionID }

// Send sends raw signal data (a JSON value) to the session's other side;
// see Events.SendSignal.
func (s *SignalChannel) Send(ctx context.Context, data []byte) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return s.ev.SendSignal(ctx, s.sessionID, data)
}

// SendTo sends raw signal data to one technician of the session (an
// agent serving several); see Events.SendSignalTo.
func (s *SignalChannel) SendTo(ctx context.Context, technicianID int64, data []byte) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return s.ev.SendSignalTo(ctx, s.sessionID, technicianID, data)
}

// Recv returns the data of the next incoming signal, waiting for one
// until ctx ends; after Close (of the channel or of the Events) it
// returns what is still queued, then ErrClosed.
func (s *SignalChannel) Recv(ctx context.Context) ([]byte, error) {
	env, err := s.RecvEnvelope(ctx)
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}

// RecvEnvelope is Recv with the whole message: From ("agent" or
// "technician") and FromID tell which technician sent it, for an agent
// serving several; To, on an agent's signal, whom it was addressed to.
func (s *SignalChannel) RecvEnvelope(ctx context.Context) (api.Envelope, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			env := s.queue[0]
			s.queue[0] = api.Envelope{}
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return env, nil
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return api.Envelope{}, ErrClosed
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return api.Envelope{}, ctx.Err()
		}
	}
}

// Dropped returns how many incoming signals were dropped because the
// buffer was full.
func (s *SignalChannel) Dropped() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Close stops routing the session's signals here (they go to OnEvent
// again) and ends pending and later Recv calls. Idempotent.
func (s *SignalChannel) Close() error {
	s.ev.mu.Lock()
	if s.ev.signals[s.sessionID] == s {
		delete(s.ev.signals, s.sessionID)
	}
	s.ev.mu.Unlock()
	s.close()
	return nil
}

func (s *SignalChannel) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.notify()
}

// push queues an incoming signal, dropping the oldest when full; false
// when the channel is closed.
func (s *SignalChannel) push(env api.Envelope) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	if len(s.queue) >= SignalBuffer {
		s.queue[0] = api.Envelope{}
		s.queue = s.queue[1:]
		s.dropped++
	}
	s.queue = append(s.queue, env)
	s.mu.Unlock()
	s.notify()
	return true
}

func (s *SignalChannel) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
