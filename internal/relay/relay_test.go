package relay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/rtc"
)

const secret = "0123456789abcdef-secret"

func TestCredentialsMatchTURNRESTScheme(t *testing.T) {
	// The expected password was computed independently (Python's hmac,
	// SHA-1, base64) as coturn does for use-auth-secret.
	u, p := Credentials(secret, "session-1-agent", time.Hour, time.Unix(1800000000, 0).Add(-time.Hour))
	if u != "1800000000:session-1-agent" || p != "RiuYl/Q2UMN/FNznLAG5XyEjKBM=" {
		t.Fatalf("Credentials = %q, %q", u, p)
	}
}

func TestProvider(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name string
		p    Provider
		want int
	}{
		{"nothing configured", Provider{}, 0},
		{"stun only", Provider{STUN: []string{"stun:example.com:3478"}}, 1},
		{"turn without secret is left out", Provider{TURN: []string{"turn:example.com:3478"}}, 0},
		{"stun and turn", Provider{STUN: []string{"stun:a"}, TURN: []string{"turn:a?transport=udp", "turn:a?transport=tcp"}, Secret: secret}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.Now = func() time.Time { return now }
			got := tt.p.ICEServers("u")
			if len(got) != tt.want {
				t.Fatalf("got %d servers: %+v", len(got), got)
			}
			for _, s := range got {
				if len(s.URLs) > 0 && s.URLs[0][:5] == "turn:" {
					if s.Username != fmt.Sprint(now.Add(DefaultTTL).Unix())+":u" || s.Credential == "" {
						t.Errorf("turn credentials %q %q", s.Username, s.Credential)
					}
				}
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{ListenAddr: "127.0.0.1:0", PublicIP: net.IPv4(127, 0, 0, 1), Secret: secret}
	tests := []struct {
		name   string
		mutate func(*Config)
		ok     bool
	}{
		{"valid", func(*Config) {}, true},
		{"no listen address", func(c *Config) { c.ListenAddr = "" }, false},
		{"no public ip", func(c *Config) { c.PublicIP = nil }, false},
		{"short secret", func(c *Config) { c.Secret = "short" }, false},
		{"inverted ports", func(c *Config) { c.MinPort, c.MaxPort = 50000, 40000 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mutate(&c)
			if err := c.validate(); (err == nil) != tt.ok {
				t.Fatalf("validate = %v, want ok=%v", err, tt.ok)
			} else if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error %v does not wrap ErrInvalidConfig", err)
			}
		})
	}
}

// TestMediaThroughRelay connects a host and a viewer with the relay-only
// ICE policy through the embedded relay, over UDP and over TCP: video
// frames and data-channel messages must flow and the route must say relayed.
func TestMediaThroughRelay(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			before := runtime.NumGoroutine()
			srv, err := New(Config{ListenAddr: "127.0.0.1:0", PublicIP: net.IPv4(127, 0, 0, 1), RelayBind: "127.0.0.1", Secret: secret, MinPort: 40000, MaxPort: 40100})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			url := fmt.Sprintf("turn:127.0.0.1:%d?transport=%s", srv.Port(), transport)
			prov := &Provider{TURN: []string{url}, Secret: secret}
			relayed := func(user string) rtc.Config {
				var ice []rtc.ICEServer
				for _, s := range prov.ICEServers(user) {
					ice = append(ice, rtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
				}
				return rtc.Config{ICEServers: ice, ICETransportPolicy: rtc.ICEPolicyRelay, ListenAddr: "127.0.0.1"}
			}

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			enc, err := codec.NewVP8Encoder(codec.EncoderConfig{Width: 320, Height: 240})
			if err != nil {
				t.Fatal(err)
			}
			defer enc.Close()
			dec, err := codec.NewVP8Decoder()
			if err != nil {
				t.Fatal(err)
			}
			defer dec.Close()
			hostSig, viewerSig := rtc.NewPipeSignalers()
			got := make(chan []byte, 16)
			host, err := rtc.NewHost(ctx, rtc.HostConfig{Config: relayed("agent"), Encoder: enc,
				OnMessage: func(m rtc.Message) { got <- append([]byte(nil), m.Data...) }}, hostSig)
			if err != nil {
				t.Fatal(err)
			}
			defer host.Close()
			viewer, err := rtc.NewViewer(ctx, rtc.ViewerConfig{Config: relayed("technician"), Decoder: dec}, viewerSig)
			if err != nil {
				t.Fatal(err)
			}
			defer viewer.Close()
			if err := viewer.WaitConnected(ctx); err != nil {
				t.Fatalf("viewer did not connect through the relay: %v", err)
			}

			pic, _ := codec.NewI420(320, 240)
			for i := range pic.Y {
				pic.Y[i] = byte(i)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := 0; ctx.Err() == nil; i++ {
					pic.Y[i%len(pic.Y)]++ // keep changing so frames keep coming
					host.SendPicture(pic, time.Duration(i)*time.Second/30)
					select {
					case <-ctx.Done():
					case <-time.After(33 * time.Millisecond):
					}
				}
			}()
			select {
			case f := <-viewer.Frames():
				if f.Picture.Width != 320 || f.Picture.Height != 240 {
					t.Errorf("frame %dx%d", f.Picture.Width, f.Picture.Height)
				}
				f.Release()
			case <-ctx.Done():
				t.Fatal("no video frame through the relay")
			}
			if err := viewer.SendInput(ctx, []byte("click")); err != nil {
				t.Fatal(err)
			}
			select {
			case m := <-got:
				if string(m) != "click" {
					t.Errorf("input %q", m)
				}
			case <-ctx.Done():
				t.Fatal("no data-channel message through the relay")
			}
			if r := viewer.Stats().Route; r != rtc.RouteRelayed {
				t.Errorf("viewer route %s, want relayed", r)
			}
			if n := srv.Allocations(); n < 1 {
				t.Errorf("relay has %d allocations", n)
			}
			cancel()
			<-done
			viewer.Close()
			host.Close()
			srv.Close()
			deadline := time.Now().Add(5 * time.Second)
			for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before+2 {
				t.Errorf("goroutines: %d before, %d after Close", before, n)
			}
		})
	}
}

// TestWrongSecretIsRefused: credentials signed with another secret get no
// allocation, so the relay-only peers cannot connect.
func TestWrongSecretIsRefused(t *testing.T) {
	srv, err := New(Config{ListenAddr: "127.0.0.1:0", PublicIP: net.IPv4(127, 0, 0, 1), RelayBind: "127.0.0.1", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	bad := &Provider{TURN: []string{fmt.Sprintf("turn:127.0.0.1:%d?transport=udp", srv.Port())}, Secret: "another-secret-of-16+"}
	cfg := func() rtc.Config {
		s := bad.ICEServers("x")[0]
		return rtc.Config{ICEServers: []rtc.ICEServer{{URLs: s.URLs, Username: s.Username, Credential: s.Credential}}, ICETransportPolicy: rtc.ICEPolicyRelay, ListenAddr: "127.0.0.1"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	enc, _ := codec.NewVP8Encoder(codec.EncoderConfig{Width: 64, Height: 64})
	defer enc.Close()
	dec, _ := codec.NewVP8Decoder()
	defer dec.Close()
	a, b := rtc.NewPipeSignalers()
	host, err := rtc.NewHost(ctx, rtc.HostConfig{Config: cfg(), Encoder: enc}, a)
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	viewer, err := rtc.NewViewer(ctx, rtc.ViewerConfig{Config: cfg(), Decoder: dec}, b)
	if err != nil {
		t.Fatal(err)
	}
	defer viewer.Close()
	if err := viewer.WaitConnected(ctx); err == nil {
		t.Fatal("peers connected with credentials from the wrong secret")
	}
	if n := srv.Allocations(); n != 0 {
		t.Fatalf("relay granted %d allocations to bad credentials", n)
	}
}
