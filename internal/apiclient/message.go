package apiclient

import (
	"context"
	"net/url"
	"strconv"

	"github.com/tetherdesk/tether/internal/api"
)

func afterQuery(afterID int64) url.Values {
	if afterID <= 0 {
		return nil
	}
	return url.Values{"after_id": {strconv.FormatInt(afterID, 10)}}
}

// Messages returns a session's chat messages after afterID (0: from the
// start), oldest first, as many as the broker returns in one page.
func (c *Client) Messages(ctx context.Context, sessionID, afterID int64) ([]api.Message, error) {
	var out []api.Message
	if err := c.get(ctx, idPath("/sessions/%d/messages", sessionID), afterQuery(afterID), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// PostMessage sends a chat message to a session.
func (c *Client) PostMessage(ctx context.Context, sessionID int64, text string) (*api.Message, error) {
	var out api.Message
	if err := c.post(ctx, idPath("/sessions/%d/messages", sessionID), api.PostMessageRequest{Text: text}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
