package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// health is the health subcommand: it asks a running broker's /healthz and
// exits 0 when the broker answers ok. It exists for container health checks
// (the runtime image has no curl) and systemd or cron watchdogs.
func health(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", defaultHealthURL(), "the broker's health endpoint (default: from TETHER_ADDR and TETHER_INSECURE_HTTP, on 127.0.0.1) [TETHER_HEALTH_URL]")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if err := parse(fs, args); err != nil {
		fmt.Fprintf(stderr, "tether-broker health: %s\n", errorText(err))
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := checkHealth(ctx, *url); err != nil {
		fmt.Fprintf(stderr, "tether-broker health: %s: %v\n", *url, err)
		return 1
	}
	fmt.Fprintf(stdout, "ok %s\n", *url)
	return 0
}

// defaultHealthURL points at this host's broker as configured by the same
// environment the serve command reads, so a container's HEALTHCHECK needs
// no arguments.
func defaultHealthURL() string {
	if u := envDefault("TETHER_HEALTH_URL", ""); u != "" {
		return u
	}
	scheme := "https"
	if envDefault("TETHER_INSECURE_HTTP", "") == "1" {
		scheme = "http"
	}
	port := "8080"
	if _, p, err := net.SplitHostPort(envDefault("TETHER_ADDR", ":8080")); err == nil && p != "" {
		port = p
	}
	return scheme + "://" + net.JoinHostPort("127.0.0.1", port) + "/healthz"
}

func checkHealth(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{
		// The probe sends nothing secret and reads only "ok"; the broker's
		// certificate is self-signed or made out to its public name, not
		// to the loopback address a probe dials.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		Proxy:           nil,
	}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body); err != nil {
		return fmt.Errorf("bad answer: %w", err)
	}
	if body.Status != "ok" {
		return errors.New("status " + body.Status)
	}
	return nil
}
