package rtc

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// MaxMessageSize is the largest data-channel message either side sends or
// accepts. Larger input (a huge clipboard) must be split or refused by the
// caller.
const MaxMessageSize = 64 << 10

// DefaultReceiveBuffer is the SO_RCVBUF asked for the ICE UDP socket. The
// kernel default (~208 KB) drops packets of 1080p keyframe bursts.
const DefaultReceiveBuffer = 4 << 20

// ICETransportPolicy says which candidates ICE may use. The zero value is
// ICEPolicyAll.
type ICETransportPolicy int

const (
	// ICEPolicyAll allows direct (host, server reflexive) and relayed paths.
	ICEPolicyAll ICETransportPolicy = iota
	// ICEPolicyRelay forces media through a TURN server: it hides the peers'
	// addresses from each other at the cost of latency. It needs at least one
	// turn: or turns: server.
	ICEPolicyRelay
)

func (p ICETransportPolicy) String() string {
	switch p {
	case ICEPolicyAll:
		return "all"
	case ICEPolicyRelay:
		return "relay"
	default:
		return "unknown"
	}
}

// ParseICETransportPolicy reads "all" or "relay" (as a broker sends it).
func ParseICETransportPolicy(s string) (ICETransportPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "all":
		return ICEPolicyAll, nil
	case "relay":
		return ICEPolicyRelay, nil
	}
	return 0, fmt.Errorf("%w: ice transport policy %q", ErrInvalidConfig, s)
}

// ICEServer is a STUN or TURN server.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Config is what both sides need to set up a peer connection.
type Config struct {
	ICEServers         []ICEServer
	ICETransportPolicy ICETransportPolicy

	// ListenAddr is the local IP the ICE UDP socket binds to. Empty or
	// unspecified ("0.0.0.0") binds one socket per usable interface address.
	// A loopback address makes loopback candidates eligible (tests).
	ListenAddr string
	// UDPPort is the local UDP port of the ICE socket; 0 picks a free one.
	// Every Host and Viewer opens its own socket(s) and closes them on
	// Close, so a fixed port serves one peer connection at a time; share a
	// UDPMux (below) to serve many sessions from one port.
	UDPPort int
	// ReceiveBuffer is the SO_RCVBUF asked for the ICE socket(s) (default
	// DefaultReceiveBuffer). The effective size is logged; raising it past
	// net.core.rmem_max needs CAP_NET_ADMIN, otherwise the kernel caps it.
	ReceiveBuffer int
	// UDPMux, when set, is used instead of opening sockets: the caller owns
	// it and closes it after the last Host or Viewer using it.
	UDPMux *UDPMux

	// Logger receives the package's logs and pion's (debug and trace are
	// dropped unless the handler enables debug). Default: discard.
	Logger *slog.Logger

	// OnState, when set, is called on every connection state change, from
	// a pion goroutine. It must not block and must not call Close.
	OnState func(ConnState)

	// extraInterceptors are added after the package's own (tests use them
	// to drop packets).
	extraInterceptors []interceptor.Factory
	// wireInterceptors are added before the package's own, so they sit
	// nearest the network: what they drop was still counted as sent by
	// the RTCP reports, as with real loss (tests).
	wireInterceptors []interceptor.Factory
}

func (c *Config) validate() error {
	if c.ReceiveBuffer < 0 {
		return fmt.Errorf("%w: negative receive buffer", ErrInvalidConfig)
	}
	if c.UDPPort < 0 || c.UDPPort > 65535 {
		return fmt.Errorf("%w: udp port %d out of range", ErrInvalidConfig, c.UDPPort)
	}
	if c.ListenAddr != "" {
		if _, err := netip.ParseAddr(c.ListenAddr); err != nil {
			return fmt.Errorf("%w: listen addr %q: %v", ErrInvalidConfig, c.ListenAddr, err)
		}
	}
	var turn bool
	for _, s := range c.ICEServers {
		if len(s.URLs) == 0 {
			return fmt.Errorf("%w: ice server without urls", ErrInvalidConfig)
		}
		for _, u := range s.URLs {
			scheme, _, ok := strings.Cut(u, ":")
			switch {
			case !ok:
				return fmt.Errorf("%w: ice server url %q has no scheme", ErrInvalidConfig, u)
			case scheme == "turn" || scheme == "turns":
				turn = true
				if s.Username == "" || s.Credential == "" {
					return fmt.Errorf("%w: turn server %q needs username and credential", ErrInvalidConfig, u)
				}
			case scheme == "stun" || scheme == "stuns":
			default:
				return fmt.Errorf("%w: ice server url %q: scheme must be stun, stuns, turn or turns", ErrInvalidConfig, u)
			}
		}
	}
	switch c.ICETransportPolicy {
	case ICEPolicyAll:
	case ICEPolicyRelay:
		if !turn {
			return fmt.Errorf("%w: relay policy needs a turn server", ErrInvalidConfig)
		}
	default:
		return fmt.Errorf("%w: ice transport policy %d", ErrInvalidConfig, c.ICETransportPolicy)
	}
	return nil
}

// withDefaults returns a copy with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.ReceiveBuffer == 0 {
		c.ReceiveBuffer = DefaultReceiveBuffer
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

func (c *Config) loopback() bool {
	ip := net.ParseIP(c.ListenAddr)
	return ip != nil && ip.IsLoopback()
}

func (c *Config) webrtcConfiguration() webrtc.Configuration {
	wc := webrtc.Configuration{ICETransportPolicy: webrtc.ICETransportPolicyAll}
	if c.ICETransportPolicy == ICEPolicyRelay {
		wc.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	for _, s := range c.ICEServers {
		wc.ICEServers = append(wc.ICEServers, webrtc.ICEServer{
			URLs:       append([]string(nil), s.URLs...),
			Username:   s.Username,
			Credential: s.Credential,
		})
	}
	return wc
}
