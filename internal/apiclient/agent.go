package apiclient

import (
	"context"
	"io"

	"github.com/tetherdesk/tether/internal/api"
)

// The end user's agent side of the API. JoinLink, RequestCode and
// SubmitSOS need no token and store the returned agent token in the
// client; the other agent methods use it.

func (c *Client) joined(ctx context.Context, path string, body any) (*api.AgentJoinResponse, error) {
	var out api.AgentJoinResponse
	if err := c.post(ctx, path, body, &out); err != nil {
		return nil, err
	}
	c.SetToken(out.Token)
	return &out, nil
}

// JoinLink joins the session of a support link (the token from ParseLink).
func (c *Client) JoinLink(ctx context.Context, linkToken string, dev api.Device) (*api.AgentJoinResponse, error) {
	return c.joined(ctx, "/agent/join", api.AgentJoinRequest{LinkToken: linkToken, Device: dev})
}

// RequestCode opens a session and returns the 9-digit code the end user
// reads to the technician (Code, CodeExpiresAt).
func (c *Client) RequestCode(ctx context.Context, name string, dev api.Device) (*api.AgentJoinResponse, error) {
	return c.joined(ctx, "/agent/code", api.AgentCodeRequest{Name: name, Device: dev})
}

// SOSChannels returns the channels accepting SOS Calls.
func (c *Client) SOSChannels(ctx context.Context) ([]api.SOSChannel, error) {
	var out []api.SOSChannel
	if err := c.get(ctx, "/agent/sos-channels", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// SubmitSOS queues an SOS Call in a channel.
func (c *Client) SubmitSOS(ctx context.Context, req api.SOSRequest) (*api.AgentJoinResponse, error) {
	return c.joined(ctx, "/agent/sos", req)
}

// AgentSession returns the agent's session.
func (c *Client) AgentSession(ctx context.Context) (*api.AgentSession, error) {
	var out api.AgentSession
	if err := c.get(ctx, "/agent/session", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateDevice replaces the agent's device information (screens changed,
// ...) and returns the session.
func (c *Client) UpdateDevice(ctx context.Context, dev api.Device) (*api.AgentSession, error) {
	var out api.AgentSession
	if err := c.put(ctx, "/agent/device", dev, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AgentConsent returns a consent request of the agent's session.
func (c *Client) AgentConsent(ctx context.Context, id int64) (*api.Consent, error) {
	var out api.Consent
	if err := c.get(ctx, idPath("/agent/consents/%d", id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AnswerConsent answers a consent request: "allow_view", "allow_control"
// or "deny".
func (c *Client) AnswerConsent(ctx context.Context, id int64, answer string) (*api.Consent, error) {
	var out api.Consent
	if err := c.post(ctx, idPath("/agent/consents/%d", id), api.ConsentAnswerRequest{Answer: answer}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AgentMessages returns the session's chat messages after afterID.
func (c *Client) AgentMessages(ctx context.Context, afterID int64) ([]api.Message, error) {
	var out []api.Message
	if err := c.get(ctx, "/agent/messages", afterQuery(afterID), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// AgentPostMessage sends a chat message from the end user.
func (c *Client) AgentPostMessage(ctx context.Context, text string) (*api.Message, error) {
	var out api.Message
	if err := c.post(ctx, "/agent/messages", api.PostMessageRequest{Text: text}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AgentSendFile uploads a file from the end user into the chat; see
// SendFile.
func (c *Client) AgentSendFile(ctx context.Context, name string, r io.Reader, size int64, progress func(sent, total int64)) (*api.Message, error) {
	return c.upload(ctx, "/agent/files", name, r, size, progress)
}

// AgentDownloadFile downloads a chat attachment to the end user; see
// DownloadFile.
func (c *Client) AgentDownloadFile(ctx context.Context, fileID int64, w io.Writer, progress func(got, total int64)) (string, error) {
	return c.download(ctx, idPath("/agent/files/%d", fileID), w, progress)
}

// Rate submits the end user's satisfaction rating (1..5 stars).
func (c *Client) Rate(ctx context.Context, stars int, comment string) (*api.Rating, error) {
	var out api.Rating
	if err := c.post(ctx, "/agent/rating", api.RatingRequest{Stars: stars, Comment: comment}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
