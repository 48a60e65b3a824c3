package apiclient

import (
	"context"

	"github.com/tetherdesk/tether/internal/api"
)

// Info returns what a client needs before logging in: the organisation's
// name, the broker's public URL and protocol version. It needs no token.
func (c *Client) Info(ctx context.Context) (*api.Info, error) {
	var out api.Info
	if err := c.get(ctx, "/info", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Login signs a technician in and stores the returned token in the client.
// A wrong email or password is an unauthorized *Error; too many attempts a
// rate_limited one with RetryAfter.
func (c *Client) Login(ctx context.Context, email, password string) (*api.LoginResponse, error) {
	var out api.LoginResponse
	if err := c.post(ctx, "/login", api.LoginRequest{Email: email, Password: password}, &out); err != nil {
		return nil, err
	}
	c.SetToken(out.Token)
	return &out, nil
}

// Logout revokes the technician's token and forgets it, also when the
// broker says it was no longer valid.
func (c *Client) Logout(ctx context.Context) error {
	err := c.post(ctx, "/logout", nil, nil)
	if err == nil || IsCode(err, CodeUnauthorized) {
		c.SetToken("")
	}
	return err
}

// Me returns the signed-in technician's account.
func (c *Client) Me(ctx context.Context) (*api.Account, error) {
	var out api.Account
	if err := c.get(ctx, "/me", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetAvailability sets the technician's availability ("available",
// "busy", "away", ...) and returns the updated account.
func (c *Client) SetAvailability(ctx context.Context, availability string) (*api.Account, error) {
	var out api.Account
	if err := c.put(ctx, "/me/availability", api.AvailabilityRequest{Availability: availability}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
