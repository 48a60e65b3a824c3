package sos

import (
	"context"
	"errors"
	"io"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// NewBroker returns the Broker of the broker at baseURL, over apiclient.
func NewBroker(baseURL string, opts apiclient.Options) (Broker, error) {
	c, err := apiclient.New(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &clientBroker{c: c}, nil
}

// clientBroker adapts *apiclient.Client to Broker; the broker's errors
// become *api.Error so the UI can show their messages.
type clientBroker struct{ c *apiclient.Client }

func conv(err error) error {
	var e *apiclient.Error
	if errors.As(err, &e) {
		return &api.Error{Code: e.Code, Message: e.Message}
	}
	return err
}

func ret[T any](v T, err error) (T, error) { return v, conv(err) }

func (b *clientBroker) JoinLink(ctx context.Context, token string, dev api.Device) (*api.AgentJoinResponse, error) {
	return ret(b.c.JoinLink(ctx, token, dev))
}

func (b *clientBroker) RequestCode(ctx context.Context, name string, dev api.Device) (*api.AgentJoinResponse, error) {
	return ret(b.c.RequestCode(ctx, name, dev))
}

func (b *clientBroker) SOSChannels(ctx context.Context) ([]api.SOSChannel, error) {
	return ret(b.c.SOSChannels(ctx))
}

func (b *clientBroker) SubmitSOS(ctx context.Context, req api.SOSRequest) (*api.AgentJoinResponse, error) {
	return ret(b.c.SubmitSOS(ctx, req))
}

func (b *clientBroker) AgentSession(ctx context.Context) (*api.AgentSession, error) {
	return ret(b.c.AgentSession(ctx))
}

func (b *clientBroker) UpdateDevice(ctx context.Context, dev api.Device) (*api.AgentSession, error) {
	return ret(b.c.UpdateDevice(ctx, dev))
}

func (b *clientBroker) AnswerConsent(ctx context.Context, id int64, answer string) (*api.Consent, error) {
	return ret(b.c.AnswerConsent(ctx, id, answer))
}

func (b *clientBroker) AgentMessages(ctx context.Context) ([]api.Message, error) {
	var all []api.Message
	var after int64
	for {
		page, err := b.c.AgentMessages(ctx, after)
		if err != nil {
			return nil, conv(err)
		}
		if len(page) == 0 {
			return all, nil
		}
		all = append(all, page...)
		after = page[len(page)-1].ID
	}
}

func (b *clientBroker) AgentPostMessage(ctx context.Context, text string) (*api.Message, error) {
	return ret(b.c.AgentPostMessage(ctx, text))
}

func (b *clientBroker) AgentSendFile(ctx context.Context, name string, r io.Reader, size int64, progress func(int64)) (*api.Message, error) {
	return ret(b.c.AgentSendFile(ctx, name, r, size, func(sent, _ int64) {
		if progress != nil {
			progress(sent)
		}
	}))
}

func (b *clientBroker) AgentDownloadFile(ctx context.Context, id int64, w io.Writer, progress func(int64)) error {
	_, err := b.c.AgentDownloadFile(ctx, id, w, func(got, _ int64) {
		if progress != nil {
			progress(got)
		}
	})
	return conv(err)
}

func (b *clientBroker) Rate(ctx context.Context, stars int, comment string) (*api.Rating, error) {
	return ret(b.c.Rate(ctx, stars, comment))
}

func (b *clientBroker) Connect(ctx context.Context, cfg EventsConfig) (Events, error) {
	connected := false
	ev := b.c.Connect(ctx, apiclient.EventsConfig{
		Since:   cfg.Since,
		OnEvent: cfg.OnEvent,
		OnState: func(s apiclient.State) {
			if cfg.OnState == nil {
				return
			}
			switch s.Status {
			case apiclient.StatusConnecting:
				if connected {
					cfg.OnState(LinkReconnecting)
				} else {
					cfg.OnState(LinkConnecting)
				}
			case apiclient.StatusConnected:
				connected = true
				cfg.OnState(LinkConnected)
			case apiclient.StatusDisconnected:
				cfg.OnState(LinkReconnecting)
			case apiclient.StatusStopped:
				if s.Err != nil {
					cfg.OnState(LinkFailed)
				}
			}
		},
	})
	return clientEvents{ev}, nil
}

type clientEvents struct{ e *apiclient.Events }

func (e clientEvents) Signals(sessionID int64) SignalChannel {
	return clientSignals{e.e.Signals(sessionID)}
}

func (e clientEvents) Close() error { return e.e.Close() }

type clientSignals struct{ s *apiclient.SignalChannel }

func (s clientSignals) Send(ctx context.Context, data []byte) error { return conv(s.s.Send(ctx, data)) }

func (s clientSignals) SendTo(ctx context.Context, technicianID int64, data []byte) error {
	return conv(s.s.SendTo(ctx, technicianID, data))
}

func (s clientSignals) Recv(ctx context.Context) (api.Envelope, error) {
	return s.s.RecvEnvelope(ctx)
}

func (s clientSignals) Close() error { return s.s.Close() }
