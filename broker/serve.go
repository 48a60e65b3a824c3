package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/relay"
	"github.com/tetherdesk/tether/internal/server"
	"github.com/tetherdesk/tether/internal/store"
)

// Main is the serve command: ParseFlags, Run, Close, so tests can run the
// whole broker in-process on a random port.
type Main struct {
	Addr      string
	DataDir   string
	PublicURL string
	OrgName   string
	AgentDir  string
	LogLevel  slog.Level
	TLS       tlsOptions
	// MetricsAddr serves Prometheus metrics on a separate listener ("" = off).
	MetricsAddr string
	// MetricsListener is the metrics socket once Run returned.
	MetricsListener net.Listener
	ICE             iceOptions
	// EventRetention is how long catch-up events are kept (0: keep them).
	EventRetention time.Duration

	// Stdout receives the one human-readable "listening on" line.
	Stdout io.Writer
	Stderr io.Writer

	// Listener is the bound socket once Run returned without error.
	Listener net.Listener

	db      *store.DB
	relay   *relay.Server
	metrics *http.Server
	srv     *server.Server
	http    *http.Server
	done    chan error
}

// envDefault lets every flag be set from the environment too (TETHER_ADDR,
// TETHER_DATA, ...), which suits systemd units and containers.
// An empty variable counts as unset (systemd's "Environment=NAME=").
func envDefault(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// ParseFlags reads the serve flags, defaulting from TETHER_* variables.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&m.Addr, "addr", envDefault("TETHER_ADDR", ":8080"), "listen address [TETHER_ADDR]")
	fs.StringVar(&m.DataDir, "data", envDefault("TETHER_DATA", defaultDataDir), "data directory for the database and attachments [TETHER_DATA]")
	fs.StringVar(&m.PublicURL, "public-url", envDefault("TETHER_PUBLIC_URL", ""), "address end users and apps reach the broker at, e.g. https://help.example.com (default: from --addr) [TETHER_PUBLIC_URL]")
	fs.StringVar(&m.OrgName, "org-name", envDefault("TETHER_ORG_NAME", "Tether"), "organisation name shown to end users [TETHER_ORG_NAME]")
	fs.StringVar(&m.AgentDir, "agent-dir", envDefault("TETHER_AGENT_DIR", ""), "directory of the agent binaries end users download ("+server.AgentFileWindows+", "+server.AgentFileMacOS+", "+server.AgentFileLinux+") [TETHER_AGENT_DIR]")
	level := fs.String("log-level", envDefault("TETHER_LOG_LEVEL", "info"), "debug, info, warn or error [TETHER_LOG_LEVEL]")
	fs.StringVar(&m.TLS.CertFile, "tls-cert", envDefault("TETHER_TLS_CERT", ""), "TLS certificate file (PEM) [TETHER_TLS_CERT]")
	fs.StringVar(&m.TLS.KeyFile, "tls-key", envDefault("TETHER_TLS_KEY", ""), "TLS private key file (PEM) [TETHER_TLS_KEY]")
	fs.StringVar(&m.TLS.ACMEDomain, "acme-domain", envDefault("TETHER_ACME_DOMAIN", ""), "get a certificate automatically (ACME, TLS-ALPN-01 on this port, which must be 443) for this public domain [TETHER_ACME_DOMAIN]")
	fs.StringVar(&m.TLS.ACMEEmail, "acme-email", envDefault("TETHER_ACME_EMAIL", ""), "contact e-mail for the ACME account [TETHER_ACME_EMAIL]")
	fs.BoolVar(&m.TLS.InsecureHTTP, "insecure-http", envDefault("TETHER_INSECURE_HTTP", "") == "1", "serve plain HTTP (loopback demos and tests, or behind a TLS proxy) [TETHER_INSECURE_HTTP=1]")
	fs.StringVar(&m.ICE.TURNListen, "turn-listen", envDefault("TETHER_TURN_LISTEN", ""), "run the embedded TURN relay on this address, UDP and TCP, e.g. :3478 (default: off) [TETHER_TURN_LISTEN]")
	fs.StringVar(&m.ICE.TURNPublicIP, "turn-public-ip", envDefault("TETHER_TURN_PUBLIC_IP", ""), "relay address given to peers (default: the public URL's host, resolved) [TETHER_TURN_PUBLIC_IP]")
	fs.StringVar(&m.ICE.TURNPorts, "turn-ports", envDefault("TETHER_TURN_PORTS", "49160-49200"), "relay port range MIN-MAX [TETHER_TURN_PORTS]")
	fs.StringVar(&m.ICE.TURNSecret, "turn-secret", envDefault("TETHER_TURN_SECRET", ""), "TURN REST shared secret (default for the embedded relay: generated into DATA/turn-secret) [TETHER_TURN_SECRET]")
	fs.StringVar(&m.ICE.TURNURLs, "turn-url", envDefault("TETHER_TURN_URL", ""), "external TURN REST relay (e.g. coturn with use-auth-secret): comma-separated turn:/turns: URLs [TETHER_TURN_URL]")
	fs.StringVar(&m.ICE.STUNURLs, "stun-url", envDefault("TETHER_STUN_URL", ""), "comma-separated stun: URLs for peers [TETHER_STUN_URL]")
	fs.StringVar(&m.MetricsAddr, "metrics-addr", envDefault("TETHER_METRICS_ADDR", ""), "serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9090 (default: off; keep it off the public network) [TETHER_METRICS_ADDR]")
	fs.StringVar(&m.ICE.Policy, "ice-policy", envDefault("TETHER_ICE_POLICY", "all"), "all, or relay to send every session through TURN [TETHER_ICE_POLICY]")
	retention := fs.String("event-retention", envDefault("TETHER_EVENT_RETENTION", server.DefaultEventRetention.String()), "how long live-update events are kept for reconnecting clients, e.g. 720h; 0 keeps them forever (the audit log and chat are never pruned) [TETHER_EVENT_RETENTION]")
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := time.ParseDuration(*retention)
	if err != nil || d < 0 || (d > 0 && d < 24*time.Hour) {
		return usageError(fmt.Sprintf("bad --event-retention %q: a duration of at least 24h, or 0", *retention))
	}
	m.EventRetention = d
	if err := m.TLS.validate(); err != nil {
		return err
	}
	if err := m.ICE.validate(); err != nil {
		return err
	}
	if err := m.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return usageError(fmt.Sprintf("bad --log-level %q", *level))
	}
	if m.PublicURL != "" && !strings.HasPrefix(m.PublicURL, "http://") && !strings.HasPrefix(m.PublicURL, "https://") {
		return usageError("--public-url must start with http:// or https://")
	}
	if strings.TrimSpace(m.OrgName) == "" {
		return usageError("--org-name must not be empty")
	}
	return nil
}

// Run opens the data directory, binds the address and starts serving in
// the background. It returns once the broker accepts connections.
func (m *Main) Run(ctx context.Context) error {
	logger := slog.New(slog.NewJSONHandler(m.Stderr, &slog.HandlerOptions{Level: m.LogLevel}))
	if err := os.MkdirAll(m.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Addr, err)
	}
	m.Listener = ln
	scheme := "https://"
	if m.TLS.InsecureHTTP {
		scheme = "http://"
	}
	if m.PublicURL == "" {
		m.PublicURL = scheme + publicHost(ln.Addr().(*net.TCPAddr))
	}
	tlsCfg, certInfo, err := m.TLS.tlsConfig(m.DataDir, certHosts(m.PublicURL))
	if err != nil {
		ln.Close()
		return err
	}
	if tlsCfg != nil {
		// HTTP/1.1 only: the events WebSocket upgrades an HTTP/1.1 request.
		tlsCfg.NextProtos = slices.DeleteFunc(append([]string{"http/1.1"}, tlsCfg.NextProtos...), func(p string) bool { return p == "h2" })
		tlsCfg.NextProtos = slices.Compact(tlsCfg.NextProtos)
		ln = tls.NewListener(ln, tlsCfg)
		m.Listener = ln
	} else if a := ln.Addr().(*net.TCPAddr); !a.IP.IsLoopback() {
		logger.Warn("serving plain HTTP on a non-loopback address: passwords and tokens travel unencrypted unless a TLS proxy is in front")
	}

	hub := server.NewHub()
	svc, db, err := openServiceWith(ctx, m.DataDir, logger, hub)
	if err != nil {
		ln.Close()
		return err
	}
	m.db = db
	ice, turn, err := m.ICE.start(ctx, m.DataDir, m.PublicURL, logger)
	if err != nil {
		m.Close()
		return err
	}
	m.relay = turn
	m.srv, err = server.New(server.Config{Service: svc, Hub: hub, PublicURL: m.PublicURL, OrgName: m.OrgName, AgentDir: m.AgentDir, Logger: logger,
		ICE: ice, ICEPolicy: m.ICE.Policy, EventRetention: retentionConfig(m.EventRetention)})
	if err != nil {
		m.Close()
		return err
	}
	if m.MetricsAddr != "" {
		m.metrics, m.MetricsListener, err = serveMetrics(m.MetricsAddr, &metrics{svc: svc, hub: hub, relay: m.relay, start: time.Now(), log: logger})
		if err != nil {
			m.Close()
			return err
		}
		logger.Info("metrics served", "addr", m.MetricsListener.Addr().String())
	}
	m.http = &http.Server{
		Handler:           m.srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	m.done = make(chan error, 1)
	hs := m.http
	go func() { m.done <- hs.Serve(ln) }()
	logger.Info("broker started", "addr", ln.Addr().String(), "public_url", m.PublicURL, "data", m.DataDir, "org", m.OrgName, "tls", certInfo)
	fmt.Fprintf(m.Stdout, "tether-broker listening on %s%s (public URL %s)\n%s\n", scheme, ln.Addr(), m.PublicURL, certInfo)
	return nil
}

// publicHost turns a bound address into one a local client can dial: an
// unspecified IP becomes 127.0.0.1.
func publicHost(a *net.TCPAddr) string {
	if a.IP == nil || a.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(a.Port))
	}
	return a.String()
}

// certHosts names the hosts a self-signed certificate is made for: the
// public URL's host and this machine's name.
func certHosts(publicURL string) []string {
	var hosts []string
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	if h, err := os.Hostname(); err == nil {
		hosts = append(hosts, h)
	}
	return hosts
}

// Wait blocks until the HTTP server stops.
func (m *Main) Wait() error {
	if m.done == nil {
		return nil
	}
	err := <-m.done
	m.done <- err // Wait may be called again
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close shuts the HTTP server down gracefully (WebSockets are closed by the
// server), then closes the database. Safe to call more than once.
func (m *Main) Close() error {
	var errs []error
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		m.srv.Close() // close WebSockets first: Shutdown does not wait for hijacked connections
		errs = append(errs, m.http.Shutdown(ctx))
		cancel()
		m.http = nil
	} else if m.srv != nil {
		m.srv.Close()
	}
	if m.metrics != nil {
		errs = append(errs, m.metrics.Close())
		m.metrics = nil
	}
	if m.relay != nil {
		errs = append(errs, m.relay.Close())
		m.relay = nil
	}
	if m.db != nil {
		errs = append(errs, m.db.Close())
		m.db = nil
	}
	return errors.Join(errs...)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	m := &Main{Stdout: stdout, Stderr: stderr}
	if err := m.ParseFlags(args); err != nil {
		fmt.Fprintf(stderr, "tether-broker serve: %s\n", errorText(err))
		return 2
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "tether-broker serve: %s\n", errorText(err))
		return 1
	}
	select {
	case <-ctx.Done():
	case <-waitChan(m):
	}
	if err := m.Close(); err != nil {
		fmt.Fprintf(stderr, "tether-broker serve: shutdown: %v\n", err)
		return 1
	}
	return 0
}

func waitChan(m *Main) <-chan struct{} {
	c := make(chan struct{})
	go func() { m.Wait(); close(c) }()
	return c
}

var _ desk.Publisher = (*server.Hub)(nil)

// retentionConfig maps the flag's "0 keeps forever" to server.Config's
// negative value.
func retentionConfig(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}
