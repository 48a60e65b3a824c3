package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/relay"
)

// iceOptions say where the peers of a session find STUN and TURN: the
// embedded relay, an external TURN REST server (coturn with
// use-auth-secret), or nothing (direct connections only).
type iceOptions struct {
	TURNListen   string // embedded relay's address, "" = off
	TURNPublicIP string
	TURNPorts    string // "min-max"
	TURNSecret   string
	TURNURLs     string // comma-separated external turn: URLs
	STUNURLs     string
	Policy       string
}

func (o iceOptions) validate() error {
	if o.Policy != "all" && o.Policy != "relay" {
		return usageError("--ice-policy must be all or relay")
	}
	if o.TURNListen != "" && o.TURNURLs != "" {
		return usageError("choose the embedded relay (--turn-listen) or an external one (--turn-url), not both")
	}
	if o.TURNURLs != "" && o.TURNSecret == "" {
		return usageError("--turn-url needs the relay's shared --turn-secret")
	}
	if o.Policy == "relay" && o.TURNListen == "" && o.TURNURLs == "" {
		return usageError("--ice-policy relay needs a TURN relay (--turn-listen or --turn-url)")
	}
	if _, _, err := parsePorts(o.TURNPorts); err != nil {
		return usageError(err.Error())
	}
	return nil
}

func parsePorts(s string) (uint16, uint16, error) {
	lo, hi, ok := strings.Cut(s, "-")
	a, err1 := strconv.ParseUint(lo, 10, 16)
	b, err2 := strconv.ParseUint(hi, 10, 16)
	if !ok || err1 != nil || err2 != nil || a == 0 || b < a {
		return 0, 0, fmt.Errorf("--turn-ports %q: want MIN-MAX, e.g. 49160-49200", s)
	}
	return uint16(a), uint16(b), nil
}

// start starts the embedded relay when asked and returns the ICE provider
// for the server (nil when there is nothing to offer) and the relay to
// close on shutdown.
func (o iceOptions) start(ctx context.Context, dataDir, publicURL string, logger *slog.Logger) (func(string) []api.ICEServer, *relay.Server, error) {
	p := &relay.Provider{STUN: splitList(o.STUNURLs), TURN: splitList(o.TURNURLs), Secret: o.TURNSecret}
	var srv *relay.Server
	if o.TURNListen != "" {
		if p.Secret == "" {
			secret, err := turnSecret(dataDir)
			if err != nil {
				return nil, nil, err
			}
			p.Secret = secret
		}
		host, ip, err := relayHost(ctx, publicURL, o.TURNPublicIP)
		if err != nil {
			return nil, nil, err
		}
		lo, hi, _ := parsePorts(o.TURNPorts)
		srv, err = relay.New(relay.Config{ListenAddr: o.TURNListen, PublicIP: ip, MinPort: lo, MaxPort: hi, Secret: p.Secret, Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		hp := net.JoinHostPort(host, strconv.Itoa(srv.Port()))
		p.TURN = []string{"turn:" + hp + "?transport=udp", "turn:" + hp + "?transport=tcp"}
	}
	if len(p.STUN) == 0 && len(p.TURN) == 0 {
		return nil, nil, nil
	}
	return func(peer string) []api.ICEServer {
		var out []api.ICEServer
		for _, s := range p.ICEServers(peer) {
			out = append(out, api.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
		}
		return out
	}, srv, nil
}

// relayHost is the host peers dial for TURN (the public URL's) and the IP
// the relay advertises for its allocations.
func relayHost(ctx context.Context, publicURL, publicIP string) (string, net.IP, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Hostname() == "" {
		return "", nil, fmt.Errorf("cannot take the TURN host from public URL %q", publicURL)
	}
	host := u.Hostname()
	if publicIP != "" {
		ip := net.ParseIP(publicIP)
		if ip == nil {
			return "", nil, usageError(fmt.Sprintf("--turn-public-ip %q is not an IP address", publicIP))
		}
		return host, ip, nil
	}
	if ip := net.ParseIP(host); ip != nil {
		return host, ip, nil
	}
	ips, err := net.DefaultResolver.LookupIP(ctx, "ip4", host)
	if err != nil || len(ips) == 0 {
		return "", nil, fmt.Errorf("resolve %s for the TURN relay (set --turn-public-ip): %w", host, err)
	}
	return host, ips[0], nil
}

// turnSecret loads the embedded relay's shared secret from the data
// directory, creating it on first start.
func turnSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "turn-secret")
	if b, err := os.ReadFile(path); err == nil {
		if s := strings.TrimSpace(string(b)); len(s) >= 16 {
			return s, nil
		}
		return "", fmt.Errorf("%s is too short; delete it to generate a new one", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	s := hex.EncodeToString(b[:])
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", err
	}
	return s, nil
}
