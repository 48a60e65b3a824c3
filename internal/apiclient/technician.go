package apiclient

import (
	"context"

	"github.com/tetherdesk/tether/internal/api"
)

// ListTechnicians returns the technician accounts the caller may see.
func (c *Client) ListTechnicians(ctx context.Context) ([]api.Account, error) {
	var out []api.Account
	if err := c.get(ctx, "/technicians", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateTechnician creates a technician account.
func (c *Client) CreateTechnician(ctx context.Context, req api.CreateTechnicianRequest) (*api.Account, error) {
	var out api.Account
	if err := c.post(ctx, "/technicians", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateTechnician changes the set fields of a technician account.
func (c *Client) UpdateTechnician(ctx context.Context, id int64, req api.UpdateTechnicianRequest) (*api.Account, error) {
	var out api.Account
	if err := c.patch(ctx, idPath("/technicians/%d", id), req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
