package rtc

import (
	"context"
	"sync"
)

// SignalType says what a Signal carries.
type SignalType string

const (
	SignalOffer     SignalType = "offer"
	SignalAnswer    SignalType = "answer"
	SignalCandidate SignalType = "candidate"
	// SignalBye tells the other side that this side closed.
	SignalBye SignalType = "bye"
)

// Signal is one signaling message. The broker relays it as opaque JSON.
type Signal struct {
	Type SignalType `json:"type"`
	// SDP is set for offers and answers. An offer that arrives on an
	// established connection is a renegotiation or an ICE restart.
	SDP       string     `json:"sdp,omitempty"`
	Candidate *Candidate `json:"candidate,omitempty"`
	// From is the sending connection's random id, To the receiving
	// connection's once the sender learned it from a description. A
	// connection ignores signals addressed to another one: the goodbye of
	// a technician's closed viewer window, arriving late, must not end the
	// connection of the window they opened next. Empty in signals of
	// versions that did not set them, which are accepted.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// Candidate is a trickled ICE candidate, shaped like the browser's
// RTCIceCandidateInit.
type Candidate struct {
	Candidate     string  `json:"candidate"`
	SDPMid        *string `json:"sdpMid,omitempty"`
	SDPMLineIndex *uint16 `json:"sdpMLineIndex,omitempty"`
}

// Signaler carries signals to the other side and back; the app implements
// it over the broker's WebSocket.
type Signaler interface {
	// Send delivers s to the other side. It may be called from several
	// goroutines at once.
	Send(ctx context.Context, s Signal) error
	// Recv blocks until the next signal from the other side arrives or ctx
	// ends. A Host or Viewer calls it from one goroutine only.
	Recv(ctx context.Context) (Signal, error)
}

// NewPipeSignalers returns two connected in-memory Signalers: what one
// sends, the other receives. Closing either makes both return ErrClosed.
func NewPipeSignalers() (a, b *PipeSignaler) {
	ab := make(chan Signal, 64)
	ba := make(chan Signal, 64)
	done := make(chan struct{})
	once := new(sync.Once)
	a = &PipeSignaler{out: ab, in: ba, done: done, once: once}
	b = &PipeSignaler{out: ba, in: ab, done: done, once: once}
	return a, b
}

// PipeSignaler is one end of an in-memory signaling pipe (tests, and two
// peers in one process).
type PipeSignaler struct {
	out  chan<- Signal
	in   <-chan Signal
	done chan struct{}
	once *sync.Once
}

// Send implements Signaler.
func (p *PipeSignaler) Send(ctx context.Context, s Signal) error {
	select {
	case <-p.done:
		return ErrClosed
	default:
	}
	select {
	case p.out <- s:
		return nil
	case <-p.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Recv implements Signaler.
func (p *PipeSignaler) Recv(ctx context.Context) (Signal, error) {
	select {
	case s := <-p.in:
		return s, nil
	case <-p.done:
		return Signal{}, ErrClosed
	case <-ctx.Done():
		return Signal{}, ctx.Err()
	}
}

// Close closes both ends of the pipe.
func (p *PipeSignaler) Close() error {
	p.once.Do(func() { close(p.done) })
	return nil
}
