package apiclient

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrPinMismatch is returned when the broker's certificate is not the
// pinned one.
var ErrPinMismatch = errors.New("apiclient: the broker's certificate does not match the pinned fingerprint")

// ParsePin normalises a certificate fingerprint as the broker prints it
// ("SHA256:AB:CD:…") or as plain hex, to 64 lower-case hex digits.
func ParsePin(s string) (string, error) {
	p := strings.TrimSpace(s)
	p = strings.TrimPrefix(strings.TrimPrefix(p, "SHA256:"), "sha256:")
	p = strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(p))
	if b, err := hex.DecodeString(p); err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("apiclient: %q is not a SHA-256 certificate fingerprint", s)
	}
	return p, nil
}

// pinnedClient returns an HTTP client that trusts exactly the certificate
// with the given SHA-256 fingerprint, as for a broker's self-signed
// certificate. Chain and host name checks are replaced by the pin: the
// pin names one certificate, which is stronger than any CA's word.
func pinnedClient(pin string) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ForceAttemptHTTP2 = false // the events WebSocket upgrades HTTP/1.1
	t.TLSClientConfig = &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by VerifyPeerCertificate below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return ErrPinMismatch
			}
			sum := sha256.Sum256(raw[0])
			if hex.EncodeToString(sum[:]) != pin {
				return ErrPinMismatch
			}
			return nil
		},
	}
	t.TLSHandshakeTimeout = 10 * time.Second
	return &http.Client{Transport: t}
}
