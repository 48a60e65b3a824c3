package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// tlsOptions are the ways the broker can get a certificate. Exactly one
// applies: files given, ACME for a public domain, a self-signed
// certificate in the data directory (the default), or none when plain
// HTTP is asked for explicitly.
type tlsOptions struct {
	CertFile, KeyFile string
	ACMEDomain        string
	ACMEEmail         string
	InsecureHTTP      bool
}

func (o tlsOptions) validate() error {
	switch {
	case (o.CertFile == "") != (o.KeyFile == ""):
		return usageError("--tls-cert and --tls-key go together")
	case o.InsecureHTTP && (o.CertFile != "" || o.ACMEDomain != ""):
		return usageError("--insecure-http cannot be combined with --tls-cert or --acme-domain")
	case o.CertFile != "" && o.ACMEDomain != "":
		return usageError("choose --tls-cert/--tls-key or --acme-domain, not both")
	}
	return nil
}

// tlsConfig returns the server's TLS configuration (nil for plain HTTP)
// and a line describing the certificate for the operator.
func (o tlsOptions) tlsConfig(dataDir string, hosts []string) (*tls.Config, string, error) {
	switch {
	case o.InsecureHTTP:
		return nil, "plain HTTP (--insecure-http): use only on loopback or behind a TLS proxy", nil
	case o.CertFile != "":
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, "", fmt.Errorf("load TLS certificate: %w", err)
		}
		return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, "TLS certificate from " + o.CertFile, nil
	case o.ACMEDomain != "":
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(o.ACMEDomain),
			Cache:      autocert.DirCache(filepath.Join(dataDir, "acme")),
			Email:      o.ACMEEmail,
		}
		cfg := m.TLSConfig() // serves the TLS-ALPN-01 challenge on the same port
		cfg.MinVersion = tls.VersionTLS12
		return cfg, "automatic TLS certificate for " + o.ACMEDomain, nil
	}
	cert, fp, err := selfSigned(filepath.Join(dataDir, "tls"), hosts)
	if err != nil {
		return nil, "", err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
		"self-signed TLS certificate; pin its fingerprint in the apps: " + fp, nil
}

// selfSigned loads the certificate kept in dir, or creates one for hosts
// on first start, and returns it with its SHA-256 fingerprint.
func selfSigned(dir string, hosts []string) (tls.Certificate, string, error) {
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if cert, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		return cert, Fingerprint(cert.Certificate[0]), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return tls.Certificate{}, "", fmt.Errorf("load self-signed certificate: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Tether broker", Organization: []string{"Tether"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range append([]string{"localhost", "127.0.0.1", "::1"}, hosts...) {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return tls.Certificate{}, "", err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, "", err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	return cert, Fingerprint(der), nil
}

// Fingerprint is a certificate's SHA-256 fingerprint as "SHA256:AB:CD:…",
// the form the apps take for pinning.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return "SHA256:" + strings.Join(parts, ":")
}
