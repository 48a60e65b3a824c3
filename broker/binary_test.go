package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBroker compiles the real binary the way `make broker` does: pure Go.
func buildBroker(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tether-broker")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

type client struct {
	t     *testing.T
	base  string
	token string
}

// do sends a JSON request and decodes the JSON answer into a map, failing
// the test unless the status matches.
func (c *client) do(method, path string, body any, wantStatus int) map[string]any {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, raw)
	}
	out := map[string]any{}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return out
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(int64(x))
	}
	return fmt.Sprint(v)
}

// TestRealBinary starts the compiled broker on :0 over a data directory
// seeded by its own admin commands, drives the link, code and SOS Call
// flows over HTTP as the README's curl walkthrough does, and stops it
// with SIGTERM.
func TestRealBinary(t *testing.T) {
	bin := buildBroker(t)
	data := t.TempDir()
	admin := func(stdin string, args ...string) {
		cmd := exec.Command(bin, append(args, "--data", data)...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	admin("owner-password-1\n", "owner", "create", "--email", "owner@example.com", "--password-stdin")
	admin("", "group", "add", "--name", "Tier 1")
	admin("tech-password-1\n", "technician", "add", "--email", "tess@example.com", "--name", "Tess", "--groups", "Tier 1", "--password-stdin")
	admin("", "channel", "add", "--name", "Help Desk", "--groups", "Tier 1", "--sos")

	cmd := exec.Command(bin, "serve", "--insecure-http", "--addr", "127.0.0.1:0", "--data", data, "--org-name", "Acme IT")
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
	}()
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
		io.Copy(io.Discard, stdout)
	}()
	var base string
	select {
	case l := <-line:
		m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("no listening line: %q\n%s", l, stderr.String())
		}
		base = m[1]
	case <-time.After(20 * time.Second):
		t.Fatalf("broker did not start\n%s", stderr.String())
	}

	anon := &client{t: t, base: base}
	if got := str(anon.do("GET", "/healthz", nil, 200), "status"); got != "ok" {
		t.Fatalf("health %q", got)
	}
	anon.do("POST", "/api/v1/login", map[string]any{"email": "tess@example.com", "password": "wrong-password"}, 401)
	tess := &client{t: t, base: base, token: str(anon.do("POST", "/api/v1/login", map[string]any{"email": "tess@example.com", "password": "tech-password-1"}, 200), "token")}
	dev := map[string]any{"os": "linux", "os_version": "Debian 12", "hostname": "pc-7", "user": "aaron", "screens": []any{map[string]any{"width": 1920, "height": 1080, "primary": true}}, "local_ips": []string{"192.168.1.7"}}

	// 1. Support link: created by the technician, joined by the agent.
	link := tess.do("POST", "/api/v1/sessions", map[string]any{"channel_id": 1, "end_user_name": "Aaron"}, 201)
	if !strings.HasPrefix(str(link, "link_url"), base+"/s/") {
		t.Fatalf("link_url %q", str(link, "link_url"))
	}
	joined := anon.do("POST", "/api/v1/agent/join", map[string]any{"link_token": str(link, "link_token"), "device": dev}, 200)
	if st := str(joined, "session", "state"); st != "active" || str(joined, "session", "org_name") != "Acme IT" || str(joined, "session", "technician_name") != "Tess" {
		t.Fatalf("joined session: %v", joined["session"])
	}
	sid := str(link, "session", "id")
	got := tess.do("GET", "/api/v1/sessions/"+sid, nil, 200)
	if str(got, "state") != "active" || str(got, "device", "hostname") != "pc-7" || str(got, "device", "public_ip") != "127.0.0.1" {
		t.Fatalf("technician sees %v", got)
	}
	agent := &client{t: t, base: base, token: str(joined, "token")}
	consent := tess.do("POST", "/api/v1/sessions/"+sid+"/remote", map[string]any{"mode": "control"}, 201)
	agent.do("POST", "/api/v1/agent/consents/"+str(consent, "id"), map[string]any{"answer": "allow_control"}, 200)
	tess.do("POST", "/api/v1/sessions/"+sid+"/close", nil, 200)
	agent.do("POST", "/api/v1/agent/rating", map[string]any{"stars": 2, "comment": "slow"}, 201)

	// 2. 9-digit code: the agent gets a code; the technician claims it.
	code := anon.do("POST", "/api/v1/agent/code", map[string]any{"name": "Bea", "device": dev}, 201)
	if !regexp.MustCompile(`^\d{9}$`).MatchString(str(code, "code")) {
		t.Fatalf("code %q", str(code, "code"))
	}
	claimed := tess.do("POST", "/api/v1/codes/claim", map[string]any{"code": str(code, "code")}, 200)
	if str(claimed, "state") != "active" || str(claimed, "assignee_name") != "Tess" {
		t.Fatalf("claimed %v", claimed)
	}
	tess.do("POST", "/api/v1/codes/claim", map[string]any{"code": str(code, "code")}, 404) // a code works once

	// 3. SOS Call: lands Queued in the channel; a routed technician takes it.
	sos := anon.do("POST", "/api/v1/agent/sos", map[string]any{"channel_id": 1, "name": "Cem", "problem": "Printer offline", "device": dev}, 201)
	if str(sos, "session", "state") != "queued" {
		t.Fatalf("sos %v", sos)
	}
	taken := tess.do("POST", "/api/v1/sessions/"+str(sos, "session", "session_id")+"/take", nil, 200)
	if str(taken, "state") != "active" {
		t.Fatalf("taken %v", taken)
	}

	// The owner's report shows the flagged rating.
	owner := &client{t: t, base: base, token: str(anon.do("POST", "/api/v1/login", map[string]any{"email": "owner@example.com", "password": "owner-password-1"}, 200), "token")}
	rep := owner.do("GET", "/api/v1/reports", nil, 200)
	if flagged, _ := rep["flagged"].([]any); len(flagged) != 1 {
		t.Fatalf("report flagged = %v", rep["flagged"])
	}

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("broker exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("broker did not stop on SIGTERM")
	}
	for _, secret := range []string{"tech-password-1", "owner-password-1", str(joined, "token"), str(link, "link_token"), tess.token} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("a secret appears in the broker's log")
		}
	}
	admin("", "audit", "verify")
}
