package relay

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"time"
)

// DefaultTTL is how long issued credentials stay valid. A relayed session
// keeps its allocation alive with refreshes under the same credentials, so
// this bounds how long one connection can be relayed without an ICE
// restart that fetches fresh ones.
const DefaultTTL = 12 * time.Hour

// ICEServer is one STUN or TURN server for a peer, in the shape WebRTC
// configurations use.
type ICEServer struct {
	URLs       []string
	Username   string
	Credential string
}

// Credentials returns a TURN REST username and password for user, valid
// until now+ttl, under the shared secret.
func Credentials(secret, user string, ttl time.Duration, now time.Time) (username, password string) {
	username = strconv.FormatInt(now.Add(ttl).Unix(), 10) + ":" + user
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(username))
	return username, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Provider hands out ICE servers with fresh credentials: the embedded relay
// or any TURN REST compatible one (coturn with use-auth-secret).
type Provider struct {
	// STUN lists STUN URLs given without credentials.
	STUN []string
	// TURN lists turn: and turns: URLs sharing Secret.
	TURN   []string
	Secret string
	TTL    time.Duration
	Now    func() time.Time
}

// ICEServers returns the ICE servers for one peer; user names it in the
// relay's logs and quotas (e.g. "session-42-agent").
func (p *Provider) ICEServers(user string) []ICEServer {
	var out []ICEServer
	if len(p.STUN) > 0 {
		out = append(out, ICEServer{URLs: append([]string(nil), p.STUN...)})
	}
	if len(p.TURN) > 0 && p.Secret != "" {
		ttl, now := p.TTL, time.Now
		if ttl <= 0 {
			ttl = DefaultTTL
		}
		if p.Now != nil {
			now = p.Now
		}
		u, c := Credentials(p.Secret, user, ttl, now())
		out = append(out, ICEServer{URLs: append([]string(nil), p.TURN...), Username: u, Credential: c})
	}
	return out
}
