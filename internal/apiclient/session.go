package apiclient

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/tetherdesk/tether/internal/api"
)

// SessionQuery filters session lists. Zero fields do not filter.
type SessionQuery struct {
	// Mine keeps the sessions the caller is assignee or collaborator of.
	Mine bool
	// States keeps sessions in these states ("queued", "active", ...).
	States []string
	// Sort is created_at, state, end_user_name, channel, assignee or wait,
	// prefixed with - for descending.
	Sort      string
	ChannelID int64
	// Limit is 1..10000 (0: the broker's default).
	Limit int
}

func (q SessionQuery) values() url.Values {
	v := url.Values{}
	if q.Mine {
		v.Set("mine", "1")
	}
	if len(q.States) > 0 {
		v.Set("state", strings.Join(q.States, ","))
	}
	if q.Sort != "" {
		v.Set("sort", q.Sort)
	}
	if q.ChannelID != 0 {
		v.Set("channel_id", strconv.FormatInt(q.ChannelID, 10))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// ListSessions returns the sessions the caller may see.
func (c *Client) ListSessions(ctx context.Context, q SessionQuery) ([]api.Session, error) {
	var out []api.Session
	if err := c.get(ctx, "/sessions", q.values(), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Session returns one session.
func (c *Client) Session(ctx context.Context, id int64) (*api.Session, error) {
	var out api.Session
	if err := c.get(ctx, idPath("/sessions/%d", id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// sessionAction posts a body-less session action.
func (c *Client) sessionAction(ctx context.Context, id int64, action string) (*api.Session, error) {
	var out api.Session
	if err := c.post(ctx, idPath("/sessions/%d/", id)+action, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Take assigns a waiting or queued session to the caller.
func (c *Client) Take(ctx context.Context, id int64) (*api.Session, error) {
	return c.sessionAction(ctx, id, "take")
}

// Release puts the caller's session back into its channel's queue.
func (c *Client) Release(ctx context.Context, id int64) (*api.Session, error) {
	return c.sessionAction(ctx, id, "release")
}

// Close ends a session.
func (c *Client) Close(ctx context.Context, id int64) (*api.Session, error) {
	return c.sessionAction(ctx, id, "close")
}

// Delete deletes a session.
func (c *Client) Delete(ctx context.Context, id int64) error {
	return c.del(ctx, idPath("/sessions/%d", id))
}

// Transfer hands a session to another technician, another channel, or both
// (zero ids are left unchanged).
func (c *Client) Transfer(ctx context.Context, id, technicianID, channelID int64) (*api.Session, error) {
	var out api.Session
	if err := c.post(ctx, idPath("/sessions/%d/transfer", id), api.TransferRequest{TechnicianID: technicianID, ChannelID: channelID}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Invite adds a technician to a session as collaborator.
func (c *Client) Invite(ctx context.Context, id, technicianID int64) (*api.Session, error) {
	var out api.Session
	if err := c.post(ctx, idPath("/sessions/%d/invite", id), api.InviteRequest{TechnicianID: technicianID}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Timeline returns the audit records of a session, oldest first.
func (c *Client) Timeline(ctx context.Context, id int64) ([]api.AuditRecord, error) {
	var out []api.AuditRecord
	if err := c.get(ctx, idPath("/sessions/%d/timeline", id), nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ClaimCode takes the session of an end user's 9-digit code; channelID 0
// takes it into the first channel routed to the caller.
func (c *Client) ClaimCode(ctx context.Context, code string, channelID int64) (*api.Session, error) {
	var out api.Session
	if err := c.post(ctx, "/codes/claim", api.ClaimCodeRequest{Code: code, ChannelID: channelID}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// TransferTargets lists the channels a session can be transferred into,
// each with the technicians who may work it.
func (c *Client) TransferTargets(ctx context.Context, id int64) ([]api.TransferTarget, error) {
	var out []api.TransferTarget
	if err := c.get(ctx, idPath("/sessions/%d/transfer-targets", id), nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}
