package sos

import (
	"context"
	"errors"
	"io"

	"github.com/tetherdesk/tether/internal/api"
)

// Broker is what the agent needs of the broker: the calls of an agent
// client bound to one broker address. The join calls (JoinLink,
// RequestCode, SubmitSOS) give the client its agent token; the calls after
// them use it.
type Broker interface {
	JoinLink(ctx context.Context, token string, dev api.Device) (*api.AgentJoinResponse, error)
	RequestCode(ctx context.Context, name string, dev api.Device) (*api.AgentJoinResponse, error)
	SOSChannels(ctx context.Context) ([]api.SOSChannel, error)
	SubmitSOS(ctx context.Context, req api.SOSRequest) (*api.AgentJoinResponse, error)

	AgentSession(ctx context.Context) (*api.AgentSession, error)
	UpdateDevice(ctx context.Context, dev api.Device) (*api.AgentSession, error)
	AnswerConsent(ctx context.Context, id int64, answer string) (*api.Consent, error)
	AgentMessages(ctx context.Context) ([]api.Message, error)
	AgentPostMessage(ctx context.Context, text string) (*api.Message, error)
	// AgentSendFile uploads size bytes from r under name; progress, when
	// set, is called with the bytes sent so far.
	AgentSendFile(ctx context.Context, name string, r io.Reader, size int64, progress func(sent int64)) (*api.Message, error)
	// AgentDownloadFile writes attachment id to w; progress, when set, is
	// called with the bytes received so far.
	AgentDownloadFile(ctx context.Context, id int64, w io.Writer, progress func(received int64)) error
	Rate(ctx context.Context, stars int, comment string) (*api.Rating, error)

	// Connect opens the events connection. It reconnects by itself with
	// backoff, catching up on missed events, until Close.
	Connect(ctx context.Context, cfg EventsConfig) (Events, error)
}

// LinkState is the state of the events connection.
type LinkState int

const (
	LinkUnknown LinkState = iota
	LinkConnecting
	LinkConnected
	LinkReconnecting
	// LinkFailed: the broker refused the connection for good (the agent
	// token expired or the session was deleted).
	LinkFailed
)

func (s LinkState) String() string {
	switch s {
	case LinkConnecting:
		return "connecting"
	case LinkConnected:
		return "connected"
	case LinkReconnecting:
		return "reconnecting"
	case LinkFailed:
		return "failed"
	}
	return "unknown"
}

// EventsConfig configures Broker.Connect. The callbacks run on the
// connection's goroutine, one at a time, and must not block for long.
type EventsConfig struct {
	// Since replays the events after this sequence number; 0 replays none.
	Since   int64
	OnEvent func(api.Envelope)
	OnState func(LinkState)
}

// Events is a live events connection.
type Events interface {
	// Signals returns the signaling channel of a session.
	Signals(sessionID int64) SignalChannel
	Close() error
}

// SignalChannel carries opaque WebRTC signaling through the broker.
type SignalChannel interface {
	Send(ctx context.Context, data []byte) error
	// SendTo sends to one technician of the session: each technician the
	// screen is shared with has a connection of their own.
	SendTo(ctx context.Context, technicianID int64, data []byte) error
	// Recv returns the next signal envelope from a technician (FromID set).
	Recv(ctx context.Context) (api.Envelope, error)
	// Close stops routing the session's signals here: a later Signals
	// call starts afresh, without stale signals of an ended connection.
	Close() error
}

// errCode returns the broker's error code of err, or "" when err is not a
// broker answer (the broker could not be reached).
func errCode(err error) string {
	var ae *api.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

// errText is the message shown to the end user for a failed call.
func errText(err error) string {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Message != "" {
		return ae.Message
	}
	return ""
}
