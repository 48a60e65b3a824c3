package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetrics scrapes the metrics listener after an SOS Call and checks the
// figures a monitoring system would alert on.
func TestMetrics(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, "", "channel", "add", "--data", data, "--name", `Help "Desk"`, "--sos"); code != 0 {
		t.Fatal(errOut)
	}
	m, _ := start(t, "--insecure-http", "--addr", "127.0.0.1:0", "--data", data, "--metrics-addr", "127.0.0.1:0", "--turn-listen", "127.0.0.1:0")
	c := &client{t: t, base: m.PublicURL}
	c.do("POST", "/api/v1/agent/sos", map[string]any{"channel_id": 1, "name": "Cem", "problem": "printer", "device": map[string]any{"os": "linux"}}, 201)

	url := fmt.Sprintf("http://%s/metrics", m.MetricsListener.Addr())
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`tether_sessions{state="queued"} 1`,
		`tether_sessions{state="active"} 0`,
		`tether_queue_waiting{channel="Help \"Desk\""} 1`,
		`tether_clients_connected{kind="technician"} 0`,
		`tether_events_published_total 1`,
		`tether_turn_allocations 0`,
		"# TYPE tether_event_deliveries_total counter",
	} {
		if !strings.Contains(string(body), want+"\n") && !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	// The public API does not expose them.
	if resp, err := http.Get(m.PublicURL + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("metrics are served on the public listener")
		}
	}
}
