package main

import (
	"net"
	"strings"
	"testing"
)

func TestHealthCommand(t *testing.T) {
	plain, _ := start(t, "--insecure-http", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	tlsM, _ := start(t, "--addr", "127.0.0.1:0", "--data", t.TempDir())
	_, plainPort, _ := net.SplitHostPort(plain.Listener.Addr().String())
	_, tlsPort, _ := net.SplitHostPort(tlsM.Listener.Addr().String())

	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
	}{
		{"plain HTTP", nil, []string{"--url", plain.PublicURL + "/healthz"}, 0},
		{"self-signed TLS", nil, []string{"--url", tlsM.PublicURL + "/healthz"}, 0},
		{"from TETHER_ADDR, plain", map[string]string{"TETHER_ADDR": ":" + plainPort, "TETHER_INSECURE_HTTP": "1"}, nil, 0},
		{"from TETHER_ADDR, TLS", map[string]string{"TETHER_ADDR": "0.0.0.0:" + tlsPort, "TETHER_INSECURE_HTTP": ""}, nil, 0},
		{"TETHER_HEALTH_URL", map[string]string{"TETHER_HEALTH_URL": plain.PublicURL + "/healthz"}, nil, 0},
		{"not the health endpoint", nil, []string{"--url", plain.PublicURL + "/nope"}, 1},
		{"not a broker's answer", nil, []string{"--url", plain.PublicURL + "/api/v1/openapi.yaml"}, 1},
		{"TLS spoken to plain HTTP", nil, []string{"--url", strings.Replace(plain.PublicURL, "http:", "https:", 1) + "/healthz"}, 1},
		{"nothing listening", nil, []string{"--url", "http://127.0.0.1:1/healthz", "--timeout", "2s"}, 1},
		{"bad flag", nil, []string{"--colour"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			code, out, errOut := cli(t, "", append([]string{"health"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if code == 0 && !strings.HasPrefix(out, "ok ") {
				t.Fatalf("stdout %q", out)
			}
		})
	}

	plain.Close()
	if code, _, _ := cli(t, "", "health", "--url", plain.PublicURL+"/healthz"); code != 1 {
		t.Fatalf("health of a stopped broker: exit %d, want 1", code)
	}
}
