package rtc

import (
	"context"
	"sync"
	"testing"
	"time"
)

// recordingSignaler keeps what its side sent.
type recordingSignaler struct {
	Signaler
	mu   sync.Mutex
	sent []Signal
}

func (r *recordingSignaler) Send(ctx context.Context, s Signal) error {
	r.mu.Lock()
	r.sent = append(r.sent, s)
	r.mu.Unlock()
	return r.Signaler.Send(ctx, s)
}

func (r *recordingSignaler) last(t SignalType) (Signal, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.sent) - 1; i >= 0; i-- {
		if r.sent[i].Type == t {
			return r.sent[i], true
		}
	}
	return Signal{}, false
}

// injectingSignaler receives what its pipe delivers and what a test
// injects, like the agent's signal router, which hands a technician's
// newest connection everything that technician sends.
type injectingSignaler struct {
	pipe *PipeSignaler
	in   chan Signal
}

func newInjecting(ctx context.Context, pipe *PipeSignaler) *injectingSignaler {
	s := &injectingSignaler{pipe: pipe, in: make(chan Signal, 64)}
	go func() {
		for {
			sig, err := pipe.Recv(ctx)
			if err != nil {
				return
			}
			s.in <- sig
		}
	}()
	return s
}

func (s *injectingSignaler) Send(ctx context.Context, sig Signal) error {
	return jsonSignaler{s.pipe}.Send(ctx, sig)
}

func (s *injectingSignaler) Recv(ctx context.Context) (Signal, error) {
	select {
	case sig := <-s.in:
		return sig, nil
	case <-ctx.Done():
		return Signal{}, ctx.Err()
	}
}

// TestLateByeOfAClosedConnection: a technician closes a viewer and opens
// another; the first one's goodbye reaches the end user's new connection
// late. It must not end the new connection, nor must a stray signal of
// some third connection; the new viewer's own goodbye does.
func TestLateByeOfAClosedConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// The first window and its connection.
	h1sig, v1pipe := NewPipeSignalers()
	defer h1sig.Close()
	v1sig := &recordingSignaler{Signaler: jsonSignaler{v1pipe}}
	v1, err := NewViewer(ctx, ViewerConfig{Config: loopbackConfig(t), Decoder: &fakeDecoder{}}, v1sig)
	if err != nil {
		t.Fatal(err)
	}
	h1, err := NewHost(ctx, HostConfig{Config: loopbackConfig(t), Encoder: &fakeEncoder{}}, jsonSignaler{h1sig})
	if err != nil {
		t.Fatal(err)
	}
	defer h1.Close()
	if err := v1.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	v1.Close()
	bye, ok := v1sig.last(SignalBye)
	if !ok || bye.From == "" || bye.To == "" {
		t.Fatalf("the first viewer's goodbye %+v: want it sent, from and to its connections", bye)
	}

	// The second window and the end user's new connection.
	h2pipe, v2pipe := NewPipeSignalers()
	defer h2pipe.Close()
	h2sig := newInjecting(ctx, h2pipe)
	states := make(chan ConnState, 16)
	v2, err := NewViewer(ctx, ViewerConfig{Config: loopbackConfig(t), Decoder: &fakeDecoder{}}, jsonSignaler{v2pipe})
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	hc := HostConfig{Config: loopbackConfig(t), Encoder: &fakeEncoder{}}
	hc.OnState = func(s ConnState) { states <- s }
	h2, err := NewHost(ctx, hc, h2sig)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if err := h2.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}

	for _, stray := range []Signal{
		bye, // the first window's, late
		{Type: SignalBye, From: "some-other-connection"},               // unaddressed, from a stranger
		{Type: SignalBye, From: bye.From, To: "some-other-connection"}, // addressed elsewhere
	} {
		h2sig.in <- stray
	}
	time.Sleep(500 * time.Millisecond)
	if st := h2.connState(); st != StateConnected {
		t.Fatalf("the new connection is %v after stray goodbyes, want connected", st)
	}
	if err := v2.SendInput(ctx, []byte("still here")); err != nil {
		t.Fatalf("input on the new connection: %v", err)
	}

	// Its own viewer's goodbye is heard.
	v2.Close()
	for {
		select {
		case s := <-states:
			if s == StateClosed {
				return
			}
		case <-ctx.Done():
			t.Fatal("the host never reported closed after its own viewer's goodbye")
		}
	}
}
