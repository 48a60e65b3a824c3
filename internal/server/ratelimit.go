package server

import (
	"sync"
	"time"
)

// In-memory rate limits on the injected clock. They protect the broker's
// guessable doors: passwords (per account and per address, with growing
// lock times), 9-digit codes (per address and globally, so that many
// addresses together cannot guess either) and the agent's unauthenticated
// requests. Limits live in memory: a restart forgets them, which only
// gives an attacker one more small window.

// RateLimit allows Events per sliding Per window.
type RateLimit struct {
	Events int
	Per    time.Duration
}

func (l RateLimit) withDefaults(def RateLimit) RateLimit {
	if l.Events <= 0 {
		l.Events = def.Events
	}
	if l.Per <= 0 {
		l.Per = def.Per
	}
	return l
}

// LoginLimit configures the lock after failed logins.
type LoginLimit struct {
	// AccountFailures locks an account (e-mail) after that many
	// consecutive failures (default 5); IPFailures locks a client address
	// (default 20).
	AccountFailures int
	IPFailures      int
	// Lock is the first lock time (default 1 minute); each further lock
	// doubles it, up to MaxLock (default 1 hour).
	Lock    time.Duration
	MaxLock time.Duration
}

func (l LoginLimit) withDefaults() LoginLimit {
	if l.AccountFailures <= 0 {
		l.AccountFailures = 5
	}
	if l.IPFailures <= 0 {
		l.IPFailures = 20
	}
	if l.Lock <= 0 {
		l.Lock = time.Minute
	}
	if l.MaxLock < l.Lock {
		l.MaxLock = max(time.Hour, l.Lock)
	}
	return l
}

// CodeLimit configures how many wrong 9-digit codes are tolerated.
type CodeLimit struct {
	// PerIP is wrong codes per client address (default 10 per minute).
	PerIP RateLimit
	// Global is wrong codes across all addresses (default 100 per minute).
	Global RateLimit
}

func (l CodeLimit) withDefaults() CodeLimit {
	l.PerIP = l.PerIP.withDefaults(RateLimit{Events: 10, Per: time.Minute})
	l.Global = l.Global.withDefaults(RateLimit{Events: 100, Per: time.Minute})
	return l
}

// maxEntries bounds each limiter's memory; past it, stale entries are
// pruned at once.
const maxEntries = 100_000

// backoff locks a key for growing durations after repeated failures.
type backoff struct {
	threshold int
	base, max time.Duration

	mu      sync.Mutex // guards entries
	entries map[string]*boEntry
}

type boEntry struct {
	failures int // since the last lock, each within max of the previous
	locks    int // how many times locked; the next lock lasts base<<locks
	until    time.Time
	last     time.Time
}

func newBackoff(threshold int, base, max time.Duration) *backoff {
	return &backoff{threshold: threshold, base: base, max: max, entries: map[string]*boEntry{}}
}

// locked reports how long key stays locked (0: not locked).
func (b *backoff) locked(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.entries[key]; e != nil && now.Before(e.until) {
		return e.until.Sub(now)
	}
	return 0
}

// fail records a failure and reports the lock time it started (0: none).
func (b *backoff) fail(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.entries[key]
	if e == nil {
		if len(b.entries) >= maxEntries {
			b.pruneLocked(now)
		}
		e = &boEntry{}
		b.entries[key] = e
	}
	if now.Sub(e.last) > b.max {
		e.failures = 0 // failures spread over more than max are not an attack
	}
	e.failures++
	e.last = now
	if e.failures < b.threshold {
		return 0
	}
	d := b.base
	for i := 0; i < e.locks && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	e.failures, e.locks, e.until = 0, e.locks+1, now.Add(d)
	return d
}

// reset forgets key's failures after a success.
func (b *backoff) reset(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.entries, key)
}

func (b *backoff) prune(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneLocked(now)
}

// pruneLocked forgets keys that are unlocked and quiet for max: their
// lock history restarts.
func (b *backoff) pruneLocked(now time.Time) {
	for k, e := range b.entries {
		if !now.Before(e.until) && now.Sub(e.last) > b.max {
			delete(b.entries, k)
		}
	}
}

// window counts events per key in a sliding window.
type window struct {
	limit RateLimit

	mu   sync.Mutex // guards hits
	hits map[string][]time.Time
}

func newWindow(l RateLimit) *window { return &window{limit: l, hits: map[string][]time.Time{}} }

// recent drops key's hits older than the window and returns the rest.
func (w *window) recent(key string, now time.Time) []time.Time {
	hs := w.hits[key]
	i := 0
	for i < len(hs) && !hs[i].After(now.Add(-w.limit.Per)) {
		i++
	}
	if i > 0 {
		hs = append(hs[:0], hs[i:]...)
		if len(hs) == 0 {
			delete(w.hits, key)
		} else {
			w.hits[key] = hs
		}
	}
	return hs
}

// full reports how long until key may have another event (0: now).
func (w *window) full(key string, now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fullLocked(key, now)
}

func (w *window) fullLocked(key string, now time.Time) time.Duration {
	hs := w.recent(key, now)
	if len(hs) < w.limit.Events {
		return 0
	}
	return hs[len(hs)-w.limit.Events].Add(w.limit.Per).Sub(now)
}

// add records an event for key.
func (w *window) add(key string, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.hits[key]; !ok && len(w.hits) >= maxEntries {
		w.pruneLocked(now)
	}
	hs := w.recent(key, now)
	if len(hs) >= w.limit.Events {
		hs = hs[1:] // never keep more than the limit needs
	}
	w.hits[key] = append(hs, now)
}

// take records an event for key if the window has room, or reports how
// long to wait.
func (w *window) take(key string, now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if d := w.fullLocked(key, now); d > 0 {
		return d
	}
	w.hits[key] = append(w.hits[key], now)
	return 0
}

func (w *window) prune(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pruneLocked(now)
}

func (w *window) pruneLocked(now time.Time) {
	for k := range w.hits {
		w.recent(k, now)
	}
}

// loginLimiter locks accounts and addresses after failed logins.
type loginLimiter struct {
	accounts, ips *backoff
}

func newLoginLimiter(l LoginLimit) *loginLimiter {
	return &loginLimiter{
		accounts: newBackoff(l.AccountFailures, l.Lock, l.MaxLock),
		ips:      newBackoff(l.IPFailures, l.Lock, l.MaxLock),
	}
}

// check refuses a login attempt while the account or the address is locked.
func (l *loginLimiter) check(email, ip string, now time.Time) error {
	if d := max(l.accounts.locked(email, now), l.ips.locked(ip, now)); d > 0 {
		return limited(d, "too many failed logins; try again in %s", roundUp(d))
	}
	return nil
}

func (l *loginLimiter) fail(email, ip string, now time.Time) {
	l.accounts.fail(email, now)
	l.ips.fail(ip, now)
}

func (l *loginLimiter) success(email string) { l.accounts.reset(email) }

func (l *loginLimiter) prune(now time.Time) {
	l.accounts.prune(now)
	l.ips.prune(now)
}

// codeLimiter limits wrong 9-digit codes per address and globally.
type codeLimiter struct {
	ip, global *window
}

func newCodeLimiter(l CodeLimit) *codeLimiter {
	return &codeLimiter{ip: newWindow(l.PerIP), global: newWindow(l.Global)}
}

func (l *codeLimiter) check(ip string, now time.Time) error {
	if d := l.ip.full(ip, now); d > 0 {
		return limited(d, "too many wrong codes from your address; try again in %s", roundUp(d))
	}
	if d := l.global.full("", now); d > 0 {
		return limited(d, "too many wrong codes are being tried; try again in %s", roundUp(d))
	}
	return nil
}

func (l *codeLimiter) fail(ip string, now time.Time) {
	l.ip.add(ip, now)
	l.global.add("", now)
}

func (l *codeLimiter) prune(now time.Time) {
	l.ip.prune(now)
	l.global.prune(now)
}

func roundUp(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}
