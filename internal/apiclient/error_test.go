package apiclient_test

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/server"
)

func TestErrorWrongPassword(t *testing.T) {
	b := newBroker(t)
	c := b.client(t)
	_, err := c.Login(testCtx(t), ownerEmail, "wrong")
	var e *apiclient.Error
	if !apiclient.IsCode(err, apiclient.CodeUnauthorized) || !asError(err, &e) || e.Status != http.StatusUnauthorized || e.Message == "" {
		t.Fatalf("wrong password: %#v", err)
	}
	if apiclient.IsUnreachable(err) || c.Token() != "" {
		t.Fatalf("unreachable %v, token %q", apiclient.IsUnreachable(err), c.Token())
	}
}

func TestErrorRateLimitedRetryAfter(t *testing.T) {
	b := newBroker(t, func(c *server.Config) { c.AgentLimit = server.RateLimit{Events: 1, Per: time.Minute} })
	ctx := testCtx(t)
	c := b.client(t)
	if _, err := c.RequestCode(ctx, "A", testDevice); err != nil {
		t.Fatal(err)
	}
	_, err := c.RequestCode(ctx, "A", testDevice)
	var e *apiclient.Error
	if !asError(err, &e) || e.Code != apiclient.CodeRateLimited || e.Status != http.StatusTooManyRequests ||
		e.RetryAfter <= 0 || e.RetryAfter > time.Minute {
		t.Fatalf("second code request: %#v", err)
	}
}

func TestErrorUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nobody listens here now
	c, err := apiclient.New("http://"+addr, apiclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Info(testCtx(t))
	if !apiclient.IsUnreachable(err) {
		t.Fatalf("closed port: %v", err)
	}
	var e *apiclient.Error
	if asError(err, &e) {
		t.Fatalf("a network failure became a broker error: %v", err)
	}
}

func TestErrorBodies(t *testing.T) {
	ctx := testCtx(t)
	tests := []struct {
		name        string
		status      int
		header      http.Header
		body        string
		code        string
		msg         string
		unreachable bool
		retry       time.Duration
	}{
		{"broker error", 409, nil, `{"code":"conflict","message":"session 3 is closed"}`, "conflict", "session 3 is closed", false, 0},
		{"proxy page", 502, nil, `<html>Bad Gateway</html>`, "internal", "Bad Gateway", true, 0},
		{"empty 404", 404, nil, ``, "not_found", "Not Found", false, 0},
		{"broker shutting down", 503, nil, `{"code":"unavailable","message":"the broker is shutting down"}`, "unavailable", "the broker is shutting down", true, 0},
		{"retry date", 429, http.Header{"Retry-After": {time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)}}, `{"code":"rate_limited","message":"slow down"}`, "rate_limited", "slow down", false, 80 * time.Second},
		{"gone", 410, nil, `{"code":"gone","message":"link expired"}`, "gone", "link expired", false, 0},
	}
	for _, tt := range tests {
		ts := plainServer(t, tt.status, tt.header, tt.body)
		c, err := apiclient.New(ts.URL, apiclient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Me(ctx)
		var e *apiclient.Error
		if !asError(err, &e) || e.Status != tt.status || e.Code != tt.code || e.Message != tt.msg {
			t.Errorf("%s: %#v", tt.name, err)
			continue
		}
		if apiclient.IsUnreachable(err) != tt.unreachable {
			t.Errorf("%s: IsUnreachable = %v", tt.name, !tt.unreachable)
		}
		if tt.retry > 0 && (e.RetryAfter < tt.retry || e.RetryAfter > 90*time.Second) {
			t.Errorf("%s: RetryAfter = %v", tt.name, e.RetryAfter)
		}
		if !strings.Contains(err.Error(), tt.code) {
			t.Errorf("%s: Error() = %q", tt.name, err.Error())
		}
	}
}

func TestErrorResponseTooLarge(t *testing.T) {
	huge := `{"org_name":"` + strings.Repeat("x", apiclient.MaxJSONBytes) + `"}`
	ts := plainServer(t, 200, http.Header{"Content-Type": {"application/json"}}, huge)
	c, err := apiclient.New(ts.URL, apiclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Info(testCtx(t)); !errorsIs(err, apiclient.ErrResponseTooLarge) {
		t.Fatalf("huge response: %v", err)
	}
}

func TestNew(t *testing.T) {
	for _, bad := range []string{"", "ftp://host", "host:8080", "http://", "https://user:pw@host", "http://host/?q=1", "ws://host", "://x"} {
		if _, err := apiclient.New(bad, apiclient.Options{}); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
	c, err := apiclient.New(" https://support.example.com/tether/ ", apiclient.Options{})
	if err != nil || c.BaseURL() != "https://support.example.com/tether" {
		t.Fatalf("New = %v, %v", c, err)
	}
}

func TestTokenConcurrent(t *testing.T) {
	c, err := apiclient.New("http://127.0.0.1:1", apiclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			c.SetToken("a")
		}
	}()
	for range 1000 {
		if tok := c.Token(); tok != "" && tok != "a" {
			t.Fatal(tok)
		}
	}
	<-done
}

func TestParseLink(t *testing.T) {
	tok := "AbCdEfGhIjKlMnOpQrStUv_-0123"
	tests := []struct {
		link, base, token string
	}{
		{"https://support.example.com/s/" + tok, "https://support.example.com", tok},
		{"  https://support.example.com:8443/desk/s/" + tok + "/ \n", "https://support.example.com:8443/desk", tok},
		{"http://10.0.0.5:8080/s/" + tok + "?utm=mail#x", "http://10.0.0.5:8080", tok},
	}
	for _, tt := range tests {
		base, token, err := apiclient.ParseLink(tt.link)
		if err != nil || base != tt.base || token != tt.token {
			t.Errorf("ParseLink(%q) = %q, %q, %v", tt.link, base, token, err)
		}
	}
	for _, bad := range []string{
		"", "support.example.com/s/" + tok, "ftp://host/s/" + tok, "https://host/x/" + tok,
		"https://host/s/short", "https://host/s/" + strings.Repeat("a", 101), "https://host/s/" + tok[:20] + "+/=",
		"https:///s/" + tok, "https://u:p@host/s/" + tok, "https://host/s/" + tok + "/extra",
	} {
		if _, _, err := apiclient.ParseLink(bad); !errorsIs(err, apiclient.ErrBadLink) {
			t.Errorf("ParseLink(%q) = %v", bad, err)
		}
	}
}

func TestLinkFromBroker(t *testing.T) {
	w := newWorld(t)
	link, err := w.tech.CreateLink(testCtx(t), api.CreateLinkRequest{ChannelID: w.channel.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, tok, err := apiclient.ParseLink(link.LinkURL); err != nil || tok != link.LinkToken {
		t.Fatalf("the broker's own link %q: %v", link.LinkURL, err)
	}
}
