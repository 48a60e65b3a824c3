package apiclient

import (
	"context"

	"github.com/tetherdesk/tether/internal/api"
)

// ListChannels returns the channels the caller may see.
func (c *Client) ListChannels(ctx context.Context) ([]api.Channel, error) {
	var out []api.Channel
	if err := c.get(ctx, "/channels", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Channel returns one channel.
func (c *Client) Channel(ctx context.Context, id int64) (*api.Channel, error) {
	var out api.Channel
	if err := c.get(ctx, idPath("/channels/%d", id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateChannel creates a channel.
func (c *Client) CreateChannel(ctx context.Context, req api.ChannelRequest) (*api.Channel, error) {
	var out api.Channel
	if err := c.post(ctx, "/channels", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateChannel replaces every setting of a channel (zero values take the
// broker's defaults): send the whole channel, not only the changes.
func (c *Client) UpdateChannel(ctx context.Context, id int64, req api.ChannelRequest) (*api.Channel, error) {
	var out api.Channel
	if err := c.put(ctx, idPath("/channels/%d", id), req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteChannel deletes a channel.
func (c *Client) DeleteChannel(ctx context.Context, id int64) error {
	return c.del(ctx, idPath("/channels/%d", id))
}

// ChannelSessions returns a channel's sessions (its queue); q.ChannelID is
// ignored.
func (c *Client) ChannelSessions(ctx context.Context, id int64, q SessionQuery) ([]api.Session, error) {
	q.ChannelID = 0
	var out []api.Session
	if err := c.get(ctx, idPath("/channels/%d/sessions", id), q.values(), &out); err != nil {
		return nil, err
	}
	return out, nil
}
