package apiclient_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/brokertest"
)

// brokerPrinted formats a fingerprint as the broker prints it.
func brokerPrinted(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return "SHA256:" + strings.Join(parts, ":")
}

// TestPinnedBroker: a broker with a self-signed certificate is reached,
// over HTTP and the events WebSocket, only with its pinned fingerprint.
func TestPinnedBroker(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	ts := httptest.NewTLSServer(b.Server)
	t.Cleanup(ts.Close)
	pin := brokerPrinted(ts.Certificate().Raw)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := apiclient.New(ts.URL, apiclient.Options{PinSHA256: pin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(ctx, brokertest.OwnerEmail, brokertest.Password); err != nil {
		t.Fatalf("login with the right pin: %v", err)
	}
	connected := make(chan struct{}, 1)
	ev := c.Connect(ctx, apiclient.EventsConfig{OnState: func(s apiclient.State) {
		if s.Status == apiclient.StatusConnected {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	}})
	defer ev.Close()
	select {
	case <-connected:
	case <-ctx.Done():
		t.Fatal("events WebSocket did not connect through the pinned client")
	}

	wrong, _ := apiclient.New(ts.URL, apiclient.Options{PinSHA256: strings.Repeat("ab", 32)})
	if _, err := wrong.Login(ctx, brokertest.OwnerEmail, brokertest.Password); !errors.Is(err, apiclient.ErrPinMismatch) {
		t.Fatalf("wrong pin: %v, want ErrPinMismatch", err)
	}
	unpinned, _ := apiclient.New(ts.URL, apiclient.Options{})
	if _, err := unpinned.Login(ctx, brokertest.OwnerEmail, brokertest.Password); err == nil {
		t.Fatal("an unpinned client trusted a self-signed certificate")
	}
}

func TestParsePin(t *testing.T) {
	hexPin := strings.Repeat("0a", 32)
	for in, ok := range map[string]bool{
		"SHA256:" + strings.ToUpper(strings.Repeat("0A:", 31)) + "0A": true,
		hexPin:             true,
		" " + hexPin + " ": true,
		"SHA256:0A":        false,
		"not hex":          false,
		"":                 false,
	} {
		got, err := apiclient.ParsePin(in)
		if (err == nil) != ok || ok && got != hexPin {
			t.Errorf("ParsePin(%q) = %q, %v; want ok=%v", in, got, err, ok)
		}
	}
	if _, err := apiclient.New("http://broker.example.com", apiclient.Options{PinSHA256: hexPin}); err == nil {
		t.Error("a pin was accepted for a plain http URL")
	}
}
