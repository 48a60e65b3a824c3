package desk

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// TokenKind says whose bearer token it is.
type TokenKind int

const (
	TokenUnknown TokenKind = iota
	// TokenTechnician authenticates a logged-in technician.
	TokenTechnician
	// TokenAgent authenticates an end user's agent for exactly one session.
	TokenAgent
)

// Token lifetimes.
const (
	TechnicianTokenTTL = 12 * time.Hour
	AgentTokenTTL      = 7 * 24 * time.Hour
	CodeTTL            = 10 * time.Minute
)

// Token is a stored bearer token. Only its hash is kept: a database leak
// gives no usable credential.
type Token struct {
	Hash      string
	Kind      TokenKind
	AccountID int64 // technician tokens
	SessionID int64 // agent tokens: the one session it is valid for
	CreatedAt time.Time
	ExpiresAt time.Time
}

// NewSecret returns a random URL-safe secret of 256 bits.
func NewSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("desk: crypto/rand failed: %v", err)) // the OS has no entropy: nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewCode returns a uniformly random 9-digit session code.
func NewCode() string {
	const limit = 1_000_000_000
	const maxUnbiased = (1<<64 - 1) / limit * limit
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(fmt.Sprintf("desk: crypto/rand failed: %v", err))
		}
		if v := binary.BigEndian.Uint64(b[:]); v < maxUnbiased {
			return fmt.Sprintf("%09d", v%limit)
		}
	}
}

// NormalizeCode strips the spaces and dashes people type into codes and
// checks that nine digits remain.
func NormalizeCode(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
	if len(s) != 9 || strings.Trim(s, "0123456789") != "" {
		return "", Errorf(EINVALID, "a session code has 9 digits")
	}
	return s, nil
}

// HashSecret hashes a token, link token or code for storage and lookup.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
