package console

import (
	"context"
	"io"
	"sync"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// APIClient is the Client of a real broker, over internal/apiclient.
type APIClient struct {
	C *apiclient.Client

	mu     sync.Mutex // guards events
	events *apiclient.Events
}

var _ Client = (*APIClient)(nil)

// NewAPIClient returns a client of the broker at baseURL.
func NewAPIClient(baseURL string, opts apiclient.Options) (*APIClient, error) {
	c, err := apiclient.New(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &APIClient{C: c}, nil
}

// Events returns the running events connection (for the remote viewer's
// signaling), nil before Connect.
func (a *APIClient) Events() *apiclient.Events {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.events
}

func val[T any](p *T, err error) (T, error) {
	var zero T
	if err != nil || p == nil {
		return zero, err
	}
	return *p, nil
}

func (a *APIClient) Login(ctx context.Context, email, password string) (api.LoginResponse, error) {
	return val(a.C.Login(ctx, email, password))
}
func (a *APIClient) Logout(ctx context.Context) error { return a.C.Logout(ctx) }
func (a *APIClient) Me(ctx context.Context) (api.Account, error) {
	return val(a.C.Me(ctx))
}
func (a *APIClient) SetAvailability(ctx context.Context, av string) (api.Account, error) {
	return val(a.C.SetAvailability(ctx, av))
}
func (a *APIClient) ListChannels(ctx context.Context) ([]api.Channel, error) {
	return a.C.ListChannels(ctx)
}
func (a *APIClient) ListTechnicians(ctx context.Context) ([]api.Account, error) {
	return a.C.ListTechnicians(ctx)
}
func (a *APIClient) TransferTargets(ctx context.Context, id int64) ([]api.TransferTarget, error) {
	return a.C.TransferTargets(ctx, id)
}
func (a *APIClient) ListSessions(ctx context.Context, q SessionQuery) ([]api.Session, error) {
	aq := apiclient.SessionQuery{Mine: q.Mine, States: q.States, Limit: q.Limit}
	if q.ChannelID != 0 {
		return a.C.ChannelSessions(ctx, q.ChannelID, aq)
	}
	return a.C.ListSessions(ctx, aq)
}
func (a *APIClient) Session(ctx context.Context, id int64) (api.Session, error) {
	return val(a.C.Session(ctx, id))
}
func (a *APIClient) CreateLink(ctx context.Context, req api.CreateLinkRequest) (api.CreateLinkResponse, error) {
	return val(a.C.CreateLink(ctx, req))
}
func (a *APIClient) ClaimCode(ctx context.Context, code string, channelID int64) (api.Session, error) {
	return val(a.C.ClaimCode(ctx, code, channelID))
}
func (a *APIClient) Take(ctx context.Context, id int64) (api.Session, error) {
	return val(a.C.Take(ctx, id))
}
func (a *APIClient) Release(ctx context.Context, id int64) (api.Session, error) {
	return val(a.C.Release(ctx, id))
}
func (a *APIClient) Close(ctx context.Context, id int64) (api.Session, error) {
	return val(a.C.Close(ctx, id))
}
func (a *APIClient) Delete(ctx context.Context, id int64) error { return a.C.Delete(ctx, id) }
func (a *APIClient) Transfer(ctx context.Context, id int64, req api.TransferRequest) (api.Session, error) {
	return val(a.C.Transfer(ctx, id, req.TechnicianID, req.ChannelID))
}
func (a *APIClient) Invite(ctx context.Context, id, technicianID int64) (api.Session, error) {
	return val(a.C.Invite(ctx, id, technicianID))
}
func (a *APIClient) RequestRemote(ctx context.Context, id int64, mode string) (api.Consent, error) {
	return val(a.C.RequestRemote(ctx, id, mode))
}
func (a *APIClient) Timeline(ctx context.Context, id int64) ([]api.AuditRecord, error) {
	return a.C.Timeline(ctx, id)
}
func (a *APIClient) Messages(ctx context.Context, id int64) ([]api.Message, error) {
	return a.C.Messages(ctx, id, 0)
}
func (a *APIClient) PostMessage(ctx context.Context, id int64, text string) (api.Message, error) {
	return val(a.C.PostMessage(ctx, id, text))
}
func (a *APIClient) SendFile(ctx context.Context, id int64, name string, r io.Reader, size int64, progress func(int64)) (api.Message, error) {
	return val(a.C.SendFile(ctx, id, name, r, size, func(sent, _ int64) { progress(sent) }))
}
func (a *APIClient) DownloadFile(ctx context.Context, fileID int64, w io.Writer, progress func(int64)) error {
	_, err := a.C.DownloadFile(ctx, fileID, w, func(got, _ int64) { progress(got) })
	return err
}

// Connect starts the events connection; states map to ConnState.
func (a *APIClient) Connect(ctx context.Context, onEvent func(api.Envelope), onState func(ConnState)) (Stream, error) {
	var mu sync.Mutex
	connectedOnce := false
	ev := a.C.Connect(ctx, apiclient.EventsConfig{
		OnEvent: onEvent,
		OnState: func(s apiclient.State) {
			mu.Lock()
			defer mu.Unlock()
			switch s.Status {
			case apiclient.StatusConnected:
				connectedOnce = true
				onState(Connected)
			case apiclient.StatusConnecting:
				if connectedOnce {
					onState(Reconnecting)
				} else {
					onState(Connecting)
				}
			case apiclient.StatusDisconnected:
				onState(Reconnecting)
			case apiclient.StatusStopped:
				onState(Stopped)
			}
		},
	})
	a.mu.Lock()
	a.events = ev
	a.mu.Unlock()
	return ev, nil
}
