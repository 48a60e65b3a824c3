package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetherdesk/tether/internal/api"
)

// TestEmbeddedRelayCredentials starts the broker with the embedded relay and
// checks that a session's technician gets its TURN URLs with credentials,
// and that the relay's secret is generated once and kept private.
func TestEmbeddedRelayCredentials(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{
		{"owner", "create", "--data", data, "--email", "o@example.com", "--password-stdin"},
		{"channel", "add", "--data", data, "--name", "Desk", "--sos"},
	} {
		if code, _, errOut := cli(t, "owner-password-1\n", args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	m, _ := start(t, "--insecure-http", "--addr", "127.0.0.1:0", "--data", data, "--turn-listen", "127.0.0.1:0", "--turn-ports", "41000-41010")
	c := &client{t: t, base: m.PublicURL}
	c.token = str(c.do("POST", "/api/v1/login", map[string]any{"email": "o@example.com", "password": "owner-password-1"}, 200), "token")
	link := c.do("POST", "/api/v1/sessions", map[string]any{"channel_id": 1}, 201)
	c.do("POST", "/api/v1/agent/join", map[string]any{"link_token": str(link, "link_token"), "device": map[string]any{"os": "linux"}}, 200)

	req, _ := http.NewRequest("GET", m.PublicURL+"/api/v1/sessions/"+str(link, "session", "id")+"/ice", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cfg api.ICEConfig
	if err := decodeJSON(resp, &cfg); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ice: %d %v", resp.StatusCode, err)
	}
	port := m.relay.Port()
	want := []string{fmt.Sprintf("turn:127.0.0.1:%d?transport=udp", port), fmt.Sprintf("turn:127.0.0.1:%d?transport=tcp", port)}
	if len(cfg.ICEServers) != 1 || strings.Join(cfg.ICEServers[0].URLs, " ") != strings.Join(want, " ") ||
		!strings.HasSuffix(cfg.ICEServers[0].Username, ":session-1-tech-1") || cfg.ICEServers[0].Credential == "" || cfg.TransportPolicy != "all" {
		t.Fatalf("ice config %+v, want %v with credentials", cfg, want)
	}
	info, err := os.Stat(filepath.Join(data, "turn-secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("turn secret file: %v %v", info, err)
	}
	secret, _ := os.ReadFile(filepath.Join(data, "turn-secret"))
	m.Close()
	start(t, "--insecure-http", "--addr", "127.0.0.1:0", "--data", data, "--turn-listen", "127.0.0.1:0")
	again, _ := os.ReadFile(filepath.Join(data, "turn-secret"))
	if string(again) != string(secret) {
		t.Fatal("the relay secret changed across restarts")
	}
}

func TestICEFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--ice-policy", "sometimes"},
		{"--ice-policy", "relay"},
		{"--turn-url", "turn:coturn.example.com:3478"},
		{"--turn-listen", ":0", "--turn-url", "turn:x", "--turn-secret", "0123456789abcdef"},
		{"--turn-listen", ":0", "--turn-ports", "5000-4000"},
		{"--turn-ports", "many"},
	} {
		code, _, errOut := cli(t, "", append([]string{"serve", "--insecure-http", "--data", t.TempDir()}, args...)...)
		if code != 2 {
			t.Errorf("serve %v: exit %d (%s), want 2", args, code, errOut)
		}
	}
}

func decodeJSON(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
