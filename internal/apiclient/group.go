package apiclient

import (
	"context"

	"github.com/tetherdesk/tether/internal/api"
)

// ListGroups returns the technician groups.
func (c *Client) ListGroups(ctx context.Context) ([]api.Group, error) {
	var out []api.Group
	if err := c.get(ctx, "/groups", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateGroup creates a group.
func (c *Client) CreateGroup(ctx context.Context, name, description string) (*api.Group, error) {
	var out api.Group
	if err := c.post(ctx, "/groups", api.GroupRequest{Name: &name, Description: &description}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateGroup changes the set fields of a group.
func (c *Client) UpdateGroup(ctx context.Context, id int64, req api.GroupRequest) (*api.Group, error) {
	var out api.Group
	if err := c.patch(ctx, idPath("/groups/%d", id), req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteGroup deletes a group.
func (c *Client) DeleteGroup(ctx context.Context, id int64) error {
	return c.del(ctx, idPath("/groups/%d", id))
}
