package console

import (
	"context"
	"io"

	"github.com/tetherdesk/tether/internal/api"
)

// SessionQuery selects sessions for a list (GET /sessions and
// GET /channels/{id}/sessions).
type SessionQuery struct {
	ChannelID int64
	States    []string
	Mine      bool
	Limit     int
}

// ConnState is the state of the events connection.
type ConnState int

const (
	// Connecting: the first connection is being made.
	Connecting ConnState = iota
	// Connected: events flow; every event up to now was delivered.
	Connected
	// Reconnecting: the connection broke; the client retries and catches up.
	Reconnecting
	// Stopped: the stream ended for good (logged out, token revoked).
	Stopped
)

// Stream is a running events connection; Close ends it.
type Stream interface {
	Close() error
}

// Client is what the console needs of the broker. The production
// implementation wraps internal/apiclient (see NewAPIClient); every method
// blocks on the network and is never called on the UI goroutine.
type Client interface {
	Login(ctx context.Context, email, password string) (api.LoginResponse, error)
	Logout(ctx context.Context) error
	Me(ctx context.Context) (api.Account, error)
	SetAvailability(ctx context.Context, availability string) (api.Account, error)

	ListChannels(ctx context.Context) ([]api.Channel, error)
	ListTechnicians(ctx context.Context) ([]api.Account, error)
	// TransferTargets lists the channels a session can be transferred into
	// (second line included), each with the technicians who may work it.
	TransferTargets(ctx context.Context, id int64) ([]api.TransferTarget, error)
	ListSessions(ctx context.Context, q SessionQuery) ([]api.Session, error)
	Session(ctx context.Context, id int64) (api.Session, error)

	CreateLink(ctx context.Context, req api.CreateLinkRequest) (api.CreateLinkResponse, error)
	ClaimCode(ctx context.Context, code string, channelID int64) (api.Session, error)
	Take(ctx context.Context, id int64) (api.Session, error)
	Release(ctx context.Context, id int64) (api.Session, error)
	Close(ctx context.Context, id int64) (api.Session, error)
	Delete(ctx context.Context, id int64) error
	Transfer(ctx context.Context, id int64, req api.TransferRequest) (api.Session, error)
	Invite(ctx context.Context, id, technicianID int64) (api.Session, error)
	RequestRemote(ctx context.Context, id int64, mode string) (api.Consent, error)

	Timeline(ctx context.Context, id int64) ([]api.AuditRecord, error)
	Messages(ctx context.Context, id int64) ([]api.Message, error)
	PostMessage(ctx context.Context, id int64, text string) (api.Message, error)
	// SendFile uploads an attachment; progress reports bytes sent so far.
	SendFile(ctx context.Context, id int64, name string, r io.Reader, size int64, progress func(sent int64)) (api.Message, error)
	// DownloadFile writes an attachment to w; progress reports bytes received.
	DownloadFile(ctx context.Context, fileID int64, w io.Writer, progress func(received int64)) error

	// Connect starts the events connection: it reconnects by itself and
	// catches up with every event missed meanwhile. The callbacks run on
	// the connection's goroutine.
	Connect(ctx context.Context, onEvent func(api.Envelope), onState func(ConnState)) (Stream, error)
}
