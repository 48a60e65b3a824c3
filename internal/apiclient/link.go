package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/tetherdesk/tether/internal/api"
)

// Support link tokens are base64url, of this length range.
const (
	minLinkToken = 20
	maxLinkToken = 100
)

// ErrBadLink is returned by ParseLink for anything but a support link.
var ErrBadLink = errors.New("not a support link")

// ParseLink splits a support link, https://host[:port][/prefix]/s/<token>,
// into the broker's base URL (https://host[:port][/prefix]) and the link
// token to pass to JoinLink. Surrounding spaces, a trailing slash, and a
// query or fragment added by mail programs are tolerated.
func ParseLink(link string) (baseURL, token string, err error) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrBadLink, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", "", fmt.Errorf("%w: the address must start with https://", ErrBadLink)
	}
	if u.Hostname() == "" || u.User != nil {
		return "", "", fmt.Errorf("%w: the address has no valid host", ErrBadLink)
	}
	p := strings.TrimRight(u.Path, "/")
	i := strings.LastIndex(p, "/s/")
	if i < 0 {
		return "", "", fmt.Errorf("%w: the address has no /s/<token> path", ErrBadLink)
	}
	prefix, token := p[:i], p[i+len("/s/"):]
	if !validLinkToken(token) {
		return "", "", fmt.Errorf("%w: the link's token is malformed", ErrBadLink)
	}
	base := url.URL{Scheme: u.Scheme, Host: u.Host, Path: prefix}
	return base.String(), token, nil
}

func validLinkToken(t string) bool {
	if len(t) < minLinkToken || len(t) > maxLinkToken {
		return false
	}
	for _, r := range t {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// CreateLink creates a support link session in a channel; send the
// response's LinkURL to the end user.
func (c *Client) CreateLink(ctx context.Context, req api.CreateLinkRequest) (*api.CreateLinkResponse, error) {
	var out api.CreateLinkResponse
	if err := c.post(ctx, "/sessions", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
