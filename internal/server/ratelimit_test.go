package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestBackoff(t *testing.T) {
	type step struct {
		at     time.Duration // since t0
		op     string        // fail, reset, check
		locked time.Duration // for check: remaining lock; for fail: lock started
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"locks at the threshold", []step{
			{0, "fail", 0}, {0, "fail", 0}, {0, "check", 0}, {0, "fail", time.Minute}, {0, "check", time.Minute},
			{30 * time.Second, "check", 30 * time.Second}, {time.Minute, "check", 0},
		}},
		{"each lock doubles up to the maximum", []step{
			{0, "fail", 0}, {0, "fail", 0}, {0, "fail", time.Minute},
			{time.Minute, "fail", 0}, {time.Minute, "fail", 0}, {time.Minute, "fail", 2 * time.Minute},
			{3 * time.Minute, "fail", 0}, {3 * time.Minute, "fail", 0}, {3 * time.Minute, "fail", 4 * time.Minute},
			{7 * time.Minute, "fail", 0}, {7 * time.Minute, "fail", 0}, {7 * time.Minute, "fail", 5 * time.Minute},
		}},
		{"success resets", []step{
			{0, "fail", 0}, {0, "fail", 0}, {0, "reset", 0}, {0, "fail", 0}, {0, "fail", 0}, {0, "check", 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackoff(3, time.Minute, 5*time.Minute)
			for i, s := range tt.steps {
				now := t0.Add(s.at)
				var got time.Duration
				switch s.op {
				case "fail":
					got = b.fail("k", now)
				case "reset":
					b.reset("k")
				case "check":
					got = b.locked("k", now)
				}
				if got != s.locked {
					t.Fatalf("step %d (%s at %s): %s, want %s", i, s.op, s.at, got, s.locked)
				}
			}
		})
	}
}

func TestWindow(t *testing.T) {
	tests := []struct {
		name  string
		limit RateLimit
		hits  []time.Duration // take at these offsets
		want  []bool          // allowed?
	}{
		{"under the limit", RateLimit{3, time.Minute}, []time.Duration{0, 1, 2}, []bool{true, true, true}},
		{"over the limit", RateLimit{3, time.Minute}, []time.Duration{0, 1, 2, 3}, []bool{true, true, true, false}},
		{"the window slides", RateLimit{2, time.Minute}, []time.Duration{0, 30 * time.Second, 59 * time.Second, 60 * time.Second, 61 * time.Second},
			[]bool{true, true, false, true, false}},
		{"refusals do not count", RateLimit{1, time.Minute}, []time.Duration{0, 10 * time.Second, 20 * time.Second, 61 * time.Second}, []bool{true, false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWindow(tt.limit)
			for i, at := range tt.hits {
				d := w.take("ip", t0.Add(at))
				if (d == 0) != tt.want[i] {
					t.Fatalf("hit %d at %s: wait %s, want allowed=%t", i, at, d, tt.want[i])
				}
				if d < 0 || d > tt.limit.Per {
					t.Fatalf("hit %d: wait %s out of range", i, d)
				}
			}
			w.prune(t0.Add(time.Hour))
			if len(w.hits) != 0 {
				t.Fatalf("prune left %d keys", len(w.hits))
			}
		})
	}
}

func TestCodeLimiter(t *testing.T) {
	l := newCodeLimiter(CodeLimit{PerIP: RateLimit{3, time.Minute}, Global: RateLimit{5, time.Minute}})
	tests := []struct {
		ip      string
		fail    bool
		allowed bool
	}{
		{"a", true, true}, {"a", true, true}, {"a", true, true},
		{"a", false, false}, // three wrong codes from a: a waits
		{"b", true, true}, {"c", true, true},
		{"d", false, false}, // five wrong codes overall: everyone waits
	}
	for i, tt := range tests {
		err := l.check(tt.ip, t0)
		if (err == nil) != tt.allowed {
			t.Fatalf("step %d (%s): %v, want allowed=%t", i, tt.ip, err, tt.allowed)
		}
		if tt.fail {
			l.fail(tt.ip, t0)
		}
	}
	if err := l.check("d", t0.Add(61*time.Second)); err != nil {
		t.Fatalf("after a minute: %v", err)
	}
}

func TestLoginLockout(t *testing.T) {
	w := newWorld(t)
	e := w.env
	try := func(email, pw string) (int, string) {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/login", strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, pw)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	steps := []struct {
		advance time.Duration
		email   string
		pw      string
		status  int
		retry   int // expected Retry-After seconds, 0 for none
	}{
		{0, "t1@example.com", "wrong", 401, 0},
		{0, "T1@example.com ", "wrong", 401, 0}, // the same account, however typed
		{0, "t1@example.com", "wrong", 401, 0},
		{0, "t1@example.com", "wrong", 401, 0},
		{0, "t1@example.com", "wrong", 401, 0},
		{0, "t1@example.com", password, 429, 60}, // locked even with the right password
		{30 * time.Second, "t1@example.com", password, 429, 30},
		{31 * time.Second, "t1@example.com", "wrong", 401, 0}, // the lock is over
		{0, "t1@example.com", "wrong", 401, 0},
		{0, "t1@example.com", "wrong", 401, 0},
		{0, "t1@example.com", "wrong", 401, 0},
		{0, "t1@example.com", "wrong", 401, 0},
		{0, "t1@example.com", password, 429, 120}, // the second lock lasts twice as long
		{121 * time.Second, "t1@example.com", password, 200, 0},
		{0, "t1@example.com", "wrong", 401, 0}, // success reset the count
		{0, "t1@example.com", password, 200, 0},
	}
	for i, s := range steps {
		e.clock.Advance(s.advance)
		status, retry := try(s.email, s.pw)
		if status != s.status {
			t.Fatalf("step %d: status %d, want %d", i, status, s.status)
		}
		if got, _ := strconv.Atoi(retry); got != s.retry {
			t.Fatalf("step %d: Retry-After %q, want %d", i, retry, s.retry)
		}
	}
	// An address that fails for many accounts is locked for all of them.
	e.clock.Advance(time.Hour + time.Second) // earlier failures are forgotten
	for i := 0; i < 20; i++ {
		if status, _ := try(fmt.Sprintf("nobody%d@example.com", i), "wrong"); status != 401 {
			t.Fatalf("guess %d: %d", i, status)
		}
	}
	if status, _ := try("t2@example.com", password); status != 429 {
		t.Fatalf("locked address, other account: %d", status)
	}
}

func TestAgentRequestLimit(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.AgentLimit = RateLimit{Events: 3, Per: time.Minute} })
	e := w.env
	for i := 0; i < 3; i++ {
		if status, raw := e.call("POST", "/api/v1/agent/code", "", api.AgentCodeRequest{Name: "x"}); status != 201 {
			t.Fatalf("request %d: %d %s", i, status, raw)
		}
	}
	if status, _ := e.call("POST", "/api/v1/agent/sos", "", api.SOSRequest{ChannelID: w.chanA.ID, Name: "x", Problem: "y"}); status != 429 {
		t.Fatalf("SOS over the limit: %d", status)
	}
	e.clock.Advance(time.Minute)
	if status, _ := e.call("POST", "/api/v1/agent/sos", "", api.SOSRequest{ChannelID: w.chanA.ID, Name: "x", Problem: "y"}); status != 201 {
		t.Fatalf("SOS a minute later: %d", status)
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		trust  bool
		remote string
		xff    []string
		want   string
	}{
		{false, "192.0.2.1:5000", []string{"203.0.113.9"}, "192.0.2.1"},
		{true, "192.0.2.1:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{true, "192.0.2.1:5000", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"}, // the proxy's own entry is last
		{true, "192.0.2.1:5000", []string{"1.1.1.1", "203.0.113.7"}, "203.0.113.7"},
		{true, "192.0.2.1:5000", []string{"garbage"}, "192.0.2.1"},
		{true, "192.0.2.1:5000", nil, "192.0.2.1"},
		{false, "[::ffff:192.0.2.1]:5000", nil, "192.0.2.1"},
		{false, "[2001:db8::1]:443", nil, "2001:db8::1"},
	}
	for _, tt := range tests {
		s := &Server{cfg: Config{TrustProxy: tt.trust}}
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientIP(r); got != tt.want {
			t.Errorf("trust=%t remote=%s xff=%v: %s, want %s", tt.trust, tt.remote, tt.xff, got, tt.want)
		}
	}
}

// TestConcurrentUnknownLogins: concurrent logins of unknown e-mails must
// not race inside desk (its dummy hash is computed once).
func TestConcurrentUnknownLogins(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.call("POST", "/api/v1/login", "", api.LoginRequest{Email: fmt.Sprintf("ghost%d@example.com", i), Password: "x"})
		}()
	}
	wg.Wait()
}
