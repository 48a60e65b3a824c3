package apiclient

import (
	"context"

	"github.com/tetherdesk/tether/internal/api"
)

// RequestRemote asks the end user for consent to "view" or "control" the
// screen. The answer arrives as a consent.answered event (or poll Consent).
func (c *Client) RequestRemote(ctx context.Context, sessionID int64, mode string) (*api.Consent, error) {
	var out api.Consent
	if err := c.post(ctx, idPath("/sessions/%d/remote", sessionID), api.RemoteRequest{Mode: mode}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Consent returns a consent request and its answer.
func (c *Client) Consent(ctx context.Context, id int64) (*api.Consent, error) {
	var out api.Consent
	if err := c.get(ctx, idPath("/consents/%d", id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
