package viewer

import (
	"context"
	"encoding/json"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/rtc"
)

// signalChannel is what the viewer needs of apiclient.SignalChannel.
type signalChannel interface {
	Send(ctx context.Context, data []byte) error
	RecvEnvelope(ctx context.Context) (api.Envelope, error)
	Close() error
}

// wireSignal is an rtc.Signal as relayed by the broker. To, when an agent
// sets it, addresses the signal to one technician of the session. The
// agent addresses its signals in the envelope (api.Envelope.To) and the
// broker delivers them to that technician only; both are checked.
type wireSignal struct {
	rtc.Signal
	To int64 `json:"to,omitempty"`
}

// signaler adapts the broker's signaling channel of a session to
// rtc.Signaler: it keeps only the agent's signals (collaborators' answers
// to the agent reach nobody else, but be strict) addressed to me or to
// everyone, and drops undecodable ones.
type signaler struct {
	ch   signalChannel
	myID int64
}

var _ rtc.Signaler = (*signaler)(nil)

func (s *signaler) Send(ctx context.Context, sig rtc.Signal) error {
	b, err := json.Marshal(sig)
	if err != nil {
		return err
	}
	return s.ch.Send(ctx, b)
}

func (s *signaler) Recv(ctx context.Context) (rtc.Signal, error) {
	for {
		env, err := s.ch.RecvEnvelope(ctx)
		if err != nil {
			return rtc.Signal{}, err
		}
		if env.From != "" && env.From != api.FromAgent {
			continue
		}
		var w wireSignal
		if err := json.Unmarshal(env.Data, &w); err != nil || w.Type == "" {
			continue
		}
		if w.To != 0 && w.To != s.myID || env.To != 0 && env.To != s.myID {
			continue
		}
		return w.Signal, nil
	}
}
