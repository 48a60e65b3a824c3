package rtc

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	turn := ICEServer{URLs: []string{"turn:turn.example:3478?transport=udp"}, Username: "u", Credential: "c"}
	stun := ICEServer{URLs: []string{"stun:stun.example:3478"}}
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero value", Config{}, true},
		{"stun", Config{ICEServers: []ICEServer{stun}}, true},
		{"relay with turn", Config{ICEServers: []ICEServer{stun, turn}, ICETransportPolicy: ICEPolicyRelay}, true},
		{"relay without turn", Config{ICEServers: []ICEServer{stun}, ICETransportPolicy: ICEPolicyRelay}, false},
		{"relay without servers", Config{ICETransportPolicy: ICEPolicyRelay}, false},
		{"turn without credential", Config{ICEServers: []ICEServer{{URLs: []string{"turns:t.example"}, Username: "u"}}}, false},
		{"server without urls", Config{ICEServers: []ICEServer{{}}}, false},
		{"bad scheme", Config{ICEServers: []ICEServer{{URLs: []string{"http://x"}}}}, false},
		{"no scheme", Config{ICEServers: []ICEServer{{URLs: []string{"stun.example"}}}}, false},
		{"unknown policy", Config{ICETransportPolicy: 7}, false},
		{"port too big", Config{UDPPort: 70000}, false},
		{"negative buffer", Config{ReceiveBuffer: -1}, false},
		{"bad listen addr", Config{ListenAddr: "localhost"}, false},
		{"ipv6 listen addr", Config{ListenAddr: "::1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.validate()
			if (err == nil) != tt.ok {
				t.Fatalf("validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error %v does not wrap ErrInvalidConfig", err)
			}
		})
	}
}

func TestParseICETransportPolicy(t *testing.T) {
	for in, want := range map[string]ICETransportPolicy{"": ICEPolicyAll, "all": ICEPolicyAll, "RELAY": ICEPolicyRelay} {
		if got, err := ParseICETransportPolicy(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseICETransportPolicy("direct"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("Parse(direct) = %v", err)
	}
}

func TestRoleConfigValidate(t *testing.T) {
	ctx := context.Background()
	sig, _ := NewPipeSignalers()
	tests := []struct {
		name string
		err  func() error
	}{
		{"host without encoder", func() error { _, err := NewHost(ctx, HostConfig{}, sig); return err }},
		{"host min above max", func() error {
			_, err := NewHost(ctx, HostConfig{Encoder: &fakeEncoder{}, MinBitrateKbps: 5000, MaxBitrateKbps: 1000}, sig)
			return err
		}},
		{"host relay without turn", func() error {
			_, err := NewHost(ctx, HostConfig{Encoder: &fakeEncoder{}, Config: Config{ICETransportPolicy: ICEPolicyRelay}}, sig)
			return err
		}},
		{"host without signaler", func() error { _, err := NewHost(ctx, HostConfig{Encoder: &fakeEncoder{}}, nil); return err }},
		{"viewer without decoder", func() error { _, err := NewViewer(ctx, ViewerConfig{}, sig); return err }},
		{"viewer negative pli interval", func() error {
			_, err := NewViewer(ctx, ViewerConfig{Decoder: &fakeDecoder{}, PLIInterval: -1}, sig)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.err(); !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestUDPMuxReceiveBuffer(t *testing.T) {
	m, err := NewUDPMux(context.Background(), Config{ListenAddr: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if len(m.LocalAddrs()) != 1 {
		t.Fatalf("addrs %v", m.LocalAddrs())
	}
	conn, err := listenUDP(context.Background(), mustAddr("127.0.0.1"), 0, DefaultReceiveBuffer, testLoggerOrDiscard(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := effectiveReceiveBuffer(conn)
	t.Logf("SO_RCVBUF granted: %d bytes", got)
	if got != 0 && got < DefaultReceiveBuffer {
		if os.Geteuid() == 0 {
			t.Fatalf("root got %d bytes, want %d (SO_RCVBUFFORCE)", got, DefaultReceiveBuffer)
		}
		t.Logf("kernel capped the buffer: not root")
	}
}

func TestSharedUDPMuxOutlivesSessions(t *testing.T) {
	mux, err := NewUDPMux(context.Background(), Config{ListenAddr: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer mux.Close()
	for i := range 2 {
		p := newPair(t, func(c *HostConfig) { c.UDPMux = mux })
		streamUntil(t, p.host, 0, 10*time.Millisecond, 5*time.Second, func() bool { return p.viewer.Stats().Frames >= 3 })
		pair, err := p.host.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
		if err != nil || pair == nil {
			t.Fatalf("session %d: no selected pair: %v", i, err)
		}
		if want := mux.LocalAddrs()[0].(*net.UDPAddr).Port; int(pair.Local.Port) != want {
			t.Fatalf("session %d: host uses port %d, want the shared mux's %d", i, pair.Local.Port, want)
		}
		p.host.Close()
		p.viewer.Close()
	}
}
