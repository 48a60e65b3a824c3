// Package relay is the broker's embedded TURN relay (pion/turn) and the
// short-lived credentials for it in the TURN REST scheme: the username is
// "<expiry unix time>:<user>" and the password the base64 HMAC-SHA1 of the
// username under a shared secret. coturn's use-auth-secret speaks the same
// scheme, so an existing coturn can replace the embedded relay by
// configuration alone (point the URLs at it and share its secret).
//
// The relay only forwards encrypted packets between peers: media and data
// channels are DTLS-SRTP/DTLS end to end, so the broker never sees the
// screen even when it relays it.
package relay

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"

	"github.com/pion/turn/v5"
)

// Defaults of Config's zero fields.
const (
	DefaultRealm   = "tether"
	DefaultMinPort = 49160
	DefaultMaxPort = 49200
)

// ErrInvalidConfig wraps every configuration error.
var ErrInvalidConfig = errors.New("relay: invalid config")

// Config configures the embedded relay.
type Config struct {
	// ListenAddr is where TURN listens, on UDP and TCP (e.g. ":3478").
	ListenAddr string
	// PublicIP is the relay address given to peers: the broker's address
	// as the end users' and technicians' networks see it.
	PublicIP net.IP
	// RelayBind is the local address relay sockets bind to (default: all).
	RelayBind string
	// MinPort and MaxPort bound the relay sockets' ports (inclusive).
	MinPort, MaxPort uint16
	// Secret is the shared secret of the TURN REST credentials.
	Secret string
	Realm  string
	Logger *slog.Logger
}

func (c *Config) validate() error {
	if c.ListenAddr == "" {
		return fmt.Errorf("%w: ListenAddr is required", ErrInvalidConfig)
	}
	if c.PublicIP == nil {
		return fmt.Errorf("%w: PublicIP is required", ErrInvalidConfig)
	}
	if len(c.Secret) < 16 {
		return fmt.Errorf("%w: Secret must have at least 16 characters", ErrInvalidConfig)
	}
	if c.MinPort == 0 && c.MaxPort == 0 {
		c.MinPort, c.MaxPort = DefaultMinPort, DefaultMaxPort
	}
	if c.MinPort == 0 || c.MaxPort < c.MinPort {
		return fmt.Errorf("%w: relay port range %d-%d is empty", ErrInvalidConfig, c.MinPort, c.MaxPort)
	}
	if c.Realm == "" {
		c.Realm = DefaultRealm
	}
	if c.RelayBind == "" {
		c.RelayBind = "0.0.0.0"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Server is a running TURN relay.
type Server struct {
	turn *turn.Server
	udp  net.PacketConn
	tcp  net.Listener

	once sync.Once
	err  error
}

// New starts a relay listening on cfg.ListenAddr over UDP and TCP.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	udp, err := net.ListenPacket("udp4", cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("relay: listen udp %s: %w", cfg.ListenAddr, err)
	}
	// TCP on the same port number as UDP, also when ListenAddr asked for :0.
	tcpAddr := net.JoinHostPort(hostOf(cfg.ListenAddr), strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port))
	tcp, err := net.Listen("tcp4", tcpAddr)
	if err != nil {
		udp.Close()
		return nil, fmt.Errorf("relay: listen tcp %s: %w", tcpAddr, err)
	}
	gen := func() turn.RelayAddressGenerator {
		return &turn.RelayAddressGeneratorPortRange{RelayAddress: cfg.PublicIP, Address: cfg.RelayBind, MinPort: cfg.MinPort, MaxPort: cfg.MaxPort}
	}
	lf := &loggerFactory{log: cfg.Logger}
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:             cfg.Realm,
		AuthHandler:       turn.LongTermTURNRESTAuthHandler(cfg.Secret, lf.NewLogger("turn-auth")),
		LoggerFactory:     lf,
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: gen()}},
		ListenerConfigs:   []turn.ListenerConfig{{Listener: tcp, RelayAddressGenerator: gen()}},
	})
	if err != nil {
		udp.Close()
		tcp.Close()
		return nil, fmt.Errorf("relay: %w", err)
	}
	cfg.Logger.Info("turn relay started", "udp", udp.LocalAddr().String(), "tcp", tcp.Addr().String(),
		"public_ip", cfg.PublicIP.String(), "ports", fmt.Sprintf("%d-%d", cfg.MinPort, cfg.MaxPort))
	return &Server{turn: srv, udp: udp, tcp: tcp}, nil
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return h
}

// Port is the UDP and TCP port the relay listens on.
func (s *Server) Port() int { return s.udp.LocalAddr().(*net.UDPAddr).Port }

// Allocations is the number of live relay allocations.
func (s *Server) Allocations() int { return s.turn.AllocationCount() }

// Close stops the relay and its allocations; it is safe to call again.
func (s *Server) Close() error {
	s.once.Do(func() { s.err = s.turn.Close() })
	return s.err
}
