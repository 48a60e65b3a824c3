package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// start runs the serve command in-process and returns it with its output.
func start(t *testing.T, args ...string) (*Main, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb}
	if err := m.ParseFlags(args); err != nil {
		t.Fatalf("flags %v: %v", args, err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, errb.String())
	}
	t.Cleanup(func() { m.Close() })
	return m, out.String()
}

// pinnedClient trusts exactly one certificate fingerprint, as the apps do
// for a self-signed broker.
func pinnedClient(fp string) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // replaced by the pin check below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || Fingerprint(raw[0]) != fp {
				return errors.New("certificate fingerprint mismatch")
			}
			return nil
		},
	}}}
}

func fingerprintFrom(t *testing.T, out string) string {
	t.Helper()
	i := strings.Index(out, "SHA256:")
	if i < 0 {
		t.Fatalf("no fingerprint printed:\n%s", out)
	}
	return strings.Fields(out[i:])[0]
}

func TestSelfSignedTLSIsDefaultAndStable(t *testing.T) {
	data := t.TempDir()
	m, out := start(t, "--addr", "127.0.0.1:0", "--data", data)
	fp := fingerprintFrom(t, out)
	if !strings.HasPrefix(m.PublicURL, "https://127.0.0.1:") {
		t.Fatalf("public URL %q, want https", m.PublicURL)
	}
	resp, err := pinnedClient(fp).Get(m.PublicURL + "/healthz")
	if err != nil {
		t.Fatalf("pinned client: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "ok") {
		t.Fatalf("health over TLS: %d %s", resp.StatusCode, body)
	}
	if resp.TLS == nil || resp.TLS.NegotiatedProtocol == "h2" {
		t.Fatalf("want TLS with HTTP/1.1, got %+v", resp.TLS)
	}
	// A client that does not pin (and the OS does not trust the
	// self-signed certificate) is refused.
	if _, err := http.Get(m.PublicURL + "/healthz"); err == nil {
		t.Fatal("an unpinned client accepted the self-signed certificate")
	}
	// A wrong pin is refused.
	if _, err := pinnedClient("SHA256:00").Get(m.PublicURL + "/healthz"); err == nil {
		t.Fatal("a wrong pin was accepted")
	}
	m.Close()

	// The certificate survives a restart: apps keep their pin.
	_, out2 := start(t, "--addr", "127.0.0.1:0", "--data", data)
	if fp2 := fingerprintFrom(t, out2); fp2 != fp {
		t.Fatalf("fingerprint changed across restart: %s then %s", fp, fp2)
	}
}

func TestInsecureHTTPOnlyWhenAsked(t *testing.T) {
	m, out := start(t, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--insecure-http")
	if !strings.HasPrefix(m.PublicURL, "http://") || !strings.Contains(out, "plain HTTP") {
		t.Fatalf("public URL %q, output %q", m.PublicURL, out)
	}
	resp, err := http.Get(m.PublicURL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestTLSFlagErrors(t *testing.T) {
	tests := [][]string{
		{"--tls-cert", "a.pem"},
		{"--tls-key", "k.pem"},
		{"--insecure-http", "--tls-cert", "a", "--tls-key", "b"},
		{"--acme-domain", "x.example.com", "--tls-cert", "a", "--tls-key", "b"},
	}
	for _, args := range tests {
		code, _, errOut := cli(t, "", append([]string{"serve", "--data", t.TempDir()}, args...)...)
		if code != 2 {
			t.Errorf("serve %v: exit %d (%s), want 2", args, code, errOut)
		}
	}
	code, _, errOut := cli(t, "", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key")
	if code != 1 || !strings.Contains(errOut, "load TLS certificate") {
		t.Errorf("missing certificate files: exit %d %s", code, errOut)
	}
}
