package sos

import (
	"context"
	"encoding/json"

	"github.com/tetherdesk/tether/internal/rtc"
)

// signaler adapts the broker's signaling channel to rtc.Signaler for one
// technician: signals from other technicians of the session (collaborators
// watching another connection) are skipped, and undecodable ones dropped.
type signaler struct {
	ch           SignalChannel
	technicianID int64
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
		env, err := s.ch.Recv(ctx)
		if err != nil {
			return rtc.Signal{}, err
		}
		if s.technicianID != 0 && env.FromID != s.technicianID {
			continue
		}
		var sig rtc.Signal
		if err := json.Unmarshal(env.Data, &sig); err != nil || sig.Type == "" {
			continue
		}
		return sig, nil
	}
}
