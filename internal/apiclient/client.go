package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tetherdesk/tether/internal/api"
)

// MaxJSONBytes bounds a JSON response body read by the client.
const MaxJSONBytes = 8 << 20

// maxErrorBytes bounds an error response body read by the client.
const maxErrorBytes = 64 << 10

// DefaultUserAgent is sent when Options.UserAgent is empty.
const DefaultUserAgent = "tether-apiclient/1"

// Options configures a Client; every field is optional.
type Options struct {
	// HTTPClient does the requests (default: a client over
	// http.DefaultTransport without a global timeout; use contexts to
	// bound calls, since downloads and uploads may take long).
	HTTPClient *http.Client
	// Logger receives debug lines per request (method, path, status) and
	// the events connection's state changes; never tokens or message text.
	Logger *slog.Logger
	// UserAgent is sent as the User-Agent header.
	UserAgent string
	// Language, when set, is sent as the Accept-Language header of every
	// request and of the events connection, so that the broker's error
	// messages come in the language the user sees ("de", "pt-BR", or a
	// whole Accept-Language list); the broker falls back to English.
	Language string
	// PinSHA256, when set, trusts exactly the broker certificate with this
	// SHA-256 fingerprint (as the broker prints it for its self-signed
	// certificate) instead of the system's CAs. It cannot be combined with
	// HTTPClient.
	PinSHA256 string
}

// Client calls the broker's HTTP API. It is safe for concurrent use.
type Client struct {
	base *url.URL // scheme://host[:port][/prefix], no trailing slash
	hc   *http.Client
	log  *slog.Logger
	ua   string
	lang string // Accept-Language; "" sends none

	mu    sync.RWMutex // guards the following fields
	token string
}

// New returns a client of the broker at baseURL (http or https, with an
// optional path prefix when the broker is mounted below one).
func New(baseURL string, opts Options) (*Client, error) {
	u, err := parseBase(baseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{base: u, hc: opts.HTTPClient, log: opts.Logger, ua: opts.UserAgent, lang: opts.Language}
	if opts.PinSHA256 != "" {
		if c.hc != nil {
			return nil, errors.New("apiclient: PinSHA256 and HTTPClient cannot be combined")
		}
		if u.Scheme != "https" {
			return nil, errors.New("apiclient: a certificate pin needs an https broker URL")
		}
		pin, err := ParsePin(opts.PinSHA256)
		if err != nil {
			return nil, err
		}
		c.hc = pinnedClient(pin)
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.ua == "" {
		c.ua = DefaultUserAgent
	}
	return c, nil
}

func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("apiclient: invalid broker URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("apiclient: broker URL must be http or https, not %q", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("apiclient: broker URL has no host")
	}
	if u.User != nil {
		return nil, errors.New("apiclient: broker URL must not carry credentials")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("apiclient: broker URL must not have a query or fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// BaseURL returns the broker's base URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// SetToken sets the bearer token sent with every request ("" for none).
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = token
}

// Token returns the current bearer token.
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.token
}

// endpoint is the URL of an API path (below api.Prefix) with a query.
func (c *Client) endpoint(path string, q url.Values) string {
	u := *c.base
	u.Path = c.base.Path + api.Prefix + path
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// request is one API call.
type request struct {
	method string
	path   string     // below api.Prefix, e.g. "/sessions/7"
	query  url.Values // optional
	body   any        // JSON-encoded when not nil
	// raw is sent as is instead of body, with rawType and rawLen.
	raw     io.Reader
	rawType string
	rawLen  int64
}

// send does a request and returns the response of a success status; an
// error status becomes an *Error, a transport failure ErrUnreachable.
// The caller closes the body.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	var body io.Reader
	ctype := ""
	length := int64(-1)
	switch {
	case r.raw != nil:
		body, ctype, length = r.raw, r.rawType, r.rawLen
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("apiclient: encode %s %s: %w", r.method, r.path, err)
		}
		body, ctype, length = bytes.NewReader(b), "application/json", int64(len(b))
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.endpoint(r.path, r.query), body)
	if err != nil {
		return nil, fmt.Errorf("apiclient: %s %s: %w", r.method, r.path, err)
	}
	if body != nil {
		req.ContentLength = length
		if length == 0 {
			req.Body = http.NoBody
		}
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.ua)
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	if tok := c.Token(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("apiclient: %s %s: %w", r.method, r.path, ctx.Err())
		}
		c.log.Debug("broker request failed", "method", r.method, "path", r.path, "err", err)
		return nil, fmt.Errorf("apiclient: %s %s: %w", r.method, r.path, unreachable(err))
	}
	c.log.Debug("broker request", "method", r.method, "path", r.path, "status", resp.StatusCode,
		"duration_ms", time.Since(start).Milliseconds())
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, readError(resp)
}

// readError rebuilds the broker's error from an error response.
func readError(resp *http.Response) error {
	e := &Error{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header, time.Now())}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	var body api.Error
	if json.Unmarshal(raw, &body) == nil && body.Code != "" {
		e.Code, e.Message = body.Code, body.Message
	} else {
		e.Code, e.Message = codeOfStatus(resp.StatusCode), http.StatusText(resp.StatusCode)
	}
	return e
}

// do does a JSON request and decodes the response into out (ignored when
// nil).
func (c *Client) do(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBytes))
		return nil
	}
	return decodeBody(resp.Body, out, r)
}

func decodeBody(rd io.Reader, out any, r request) error {
	raw, err := io.ReadAll(io.LimitReader(rd, MaxJSONBytes+1))
	if err != nil {
		return fmt.Errorf("apiclient: %s %s: read response: %w", r.method, r.path, unreachable(err))
	}
	if len(raw) > MaxJSONBytes {
		return fmt.Errorf("apiclient: %s %s: %w (more than %d bytes)", r.method, r.path, ErrResponseTooLarge, MaxJSONBytes)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("apiclient: %s %s: decode response: %w", r.method, r.path, err)
	}
	return nil
}

// get, post, put, patch and del are shorthands of do.
func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.do(ctx, request{method: http.MethodGet, path: path, query: q}, out)
}

func (c *Client) post(ctx context.Context, path string, body, out any) error {
	return c.do(ctx, request{method: http.MethodPost, path: path, body: body}, out)
}

func (c *Client) put(ctx context.Context, path string, body, out any) error {
	return c.do(ctx, request{method: http.MethodPut, path: path, body: body}, out)
}

func (c *Client) patch(ctx context.Context, path string, body, out any) error {
	return c.do(ctx, request{method: http.MethodPatch, path: path, body: body}, out)
}

func (c *Client) del(ctx context.Context, path string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: path}, nil)
}

// idPath formats a path with one numeric id: idPath("/sessions/%d/take", 7).
func idPath(format string, id int64) string { return fmt.Sprintf(format, id) }
