package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// ipPool hands out HTTP clients bound to distinct loopback source
// addresses (127.0.1.1, 127.0.1.2, ...): the broker limits SOS Calls and
// failed logins per client address, and thousands of end users do not
// share one. Linux routes all of 127.0.0.0/8 to the loopback interface.
type ipPool struct {
	mu      sync.Mutex // guards clients
	clients []*http.Client
}

func newIPPool(n int) *ipPool { return &ipPool{clients: make([]*http.Client, max(n, 1))} }

func (p *ipPool) addr(k int) net.IP { return net.IPv4(127, 0, byte(1+k/254), byte(1+k%254)) }

// client returns the HTTP client of address i modulo the pool size.
func (p *ipPool) client(i int) *http.Client {
	k := i % len(p.clients)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.clients[k]; c != nil {
		return c
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: p.addr(k)}, Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	c := &http.Client{Transport: &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}}
	p.clients[k] = c
	return c
}

func (p *ipPool) closeIdle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.clients {
		if c != nil {
			c.CloseIdleConnections()
		}
	}
}

type kind int

const (
	kindAgent kind = iota
	kindTech
)

func (k kind) String() string {
	if k == kindTech {
		return "technician"
	}
	return "agent"
}

// delivery is one event a client received: its sequence number and the
// receive time (Unix ns).
type delivery struct {
	seq, at int64
}

// simClient is one simulated agent or technician with its events
// WebSocket (apiclient's reconnecting Events, resuming by seq).
type simClient struct {
	h       *harness
	kind    kind
	idx     int
	group   int
	session int64 // agents: their session
	api     *apiclient.Client
	ev      *apiclient.Events // nil in raw mode

	// Raw mode (--raw-ws): a bare WebSocket that records events as they
	// arrive and never reconnects.
	rawLast   atomic.Int64
	rawCancel context.CancelFunc
	rawDone   chan struct{}

	ready     chan struct{} // closed on the first "ready"
	readyOnce sync.Once
	connected atomic.Bool
	ever      atomic.Bool

	mu  sync.Mutex // guards got
	got []delivery
}

func (c *simClient) connect(ctx context.Context, since int64) {
	c.ready = make(chan struct{})
	if c.h.cfg.RawWS {
		c.rawConnect(ctx, since)
		return
	}
	c.ev = c.api.Connect(ctx, apiclient.EventsConfig{Since: since, OnEvent: c.onEvent, OnState: c.onState})
}

// lastSeq is the newest sequence number the connection has seen.
func (c *simClient) lastSeq() int64 {
	if c.ev != nil {
		return c.ev.LastSeq()
	}
	return c.rawLast.Load()
}

func (c *simClient) close() {
	if c.ev != nil {
		c.ev.Close()
	}
	if c.rawCancel != nil {
		c.rawCancel()
		<-c.rawDone
	}
}

// rawConnect is connect without apiclient: every event is recorded as it
// arrives, also one whose seq is below one already received, which
// apiclient's Events would drop as a duplicate. It tells a broker that
// never sent an event from one that sent it out of order.
func (c *simClient) rawConnect(ctx context.Context, since int64) {
	ctx, c.rawCancel = context.WithCancel(ctx)
	c.rawDone = make(chan struct{})
	go func() {
		defer close(c.rawDone)
		err := c.rawRun(ctx, since)
		if ctx.Err() != nil {
			err = nil
		}
		c.onState(apiclient.State{Status: apiclient.StatusStopped, Err: err})
	}()
}

func (c *simClient) rawRun(ctx context.Context, since int64) error {
	u := c.api.BaseURL() + api.Prefix + "/events"
	if since != 0 {
		u += "?since=" + strconv.FormatInt(max(since, 0), 10)
	}
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPClient:      c.h.pool.client(c.idx),
		HTTPHeader:      http.Header{"Authorization": {"Bearer " + c.api.Token()}},
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return err
	}
	defer ws.CloseNow()
	ws.SetReadLimit(apiclient.MaxJSONBytes)
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return err
		}
		var env api.Envelope
		if json.Unmarshal(data, &env) != nil {
			continue
		}
		switch {
		case env.Type == api.TypeReady:
			var r api.Ready
			json.Unmarshal(env.Data, &r)
			c.rawLast.Store(max(c.rawLast.Load(), r.LastSeq))
			c.onState(apiclient.State{Status: apiclient.StatusConnected})
		case env.Seq > 0:
			c.rawLast.Store(max(c.rawLast.Load(), env.Seq))
			c.onEvent(env)
		}
	}
}

func (c *simClient) onEvent(env api.Envelope) {
	now := time.Now().UnixNano()
	if env.Seq == 0 {
		if env.Type == api.TypeError {
			c.h.errorf("%s got an error message", c.kind)
		}
		return
	}
	c.mu.Lock()
	c.got = append(c.got, delivery{seq: env.Seq, at: now})
	c.mu.Unlock()
	c.h.deliveries.Add(1)
	c.h.metas.observe(env, c.kind == kindTech)
}

func (c *simClient) onState(s apiclient.State) {
	switch s.Status {
	case apiclient.StatusConnected:
		if c.ever.Swap(true) {
			c.h.reconnects.Add(1)
		}
		if !c.connected.Swap(true) {
			c.h.connected[c.kind].Add(1)
		}
		c.readyOnce.Do(func() { close(c.ready) })
	case apiclient.StatusDisconnected, apiclient.StatusStopped:
		if c.connected.Swap(false) {
			c.h.connected[c.kind].Add(-1)
		}
		if s.Err != nil && !c.h.closing.Load() {
			c.h.errorf("%s events %s: %s", c.kind, s.Status, classify(s.Err))
		}
	}
}

// deliveries returns a copy of what the client received.
func (c *simClient) deliveries() []delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]delivery(nil), c.got...)
}

var digitsRE = regexp.MustCompile(`[0-9]+`)

// classify turns an error into a short kind for counting: the broker's
// error code, or the message with numbers (ports, ids) masked.
func classify(err error) string {
	var ae *apiclient.Error
	if errors.As(err, &ae) {
		return fmt.Sprintf("%s (%d)", ae.Code, ae.Status)
	}
	s := err.Error()
	if strings.Contains(s, "too slow") {
		return "closed by the broker: too slow (send queue full)"
	}
	s = strings.TrimPrefix(s, "apiclient: events: ")
	s = digitsRE.ReplaceAllString(s, "N")
	if len(s) > 90 {
		s = s[:90] + "…"
	}
	return s
}

// meta is what the load generator learns about one event from the first
// client that receives it (a technician's copy is preferred: only it
// carries the assignee).
type meta struct {
	typ      string
	sid, ch  int64
	at       int64 // the broker's event time (Unix ns)
	msgID    int64 // chat: the message id
	sent     int64 // chat: the generator's send time from the text (Unix ns)
	state    string
	assignee int64
	tech     bool
}

const metaShards = 64

type metaStore struct {
	shards [metaShards]struct {
		mu sync.Mutex // guards m
		m  map[int64]*meta
	}
}

func newMetaStore() *metaStore {
	s := &metaStore{}
	for i := range s.shards {
		s.shards[i].m = map[int64]*meta{}
	}
	return s
}

func (s *metaStore) observe(env api.Envelope, tech bool) {
	sh := &s.shards[env.Seq%metaShards]
	sh.mu.Lock()
	old := sh.m[env.Seq]
	sh.mu.Unlock()
	if old != nil && (old.tech || !tech) {
		return
	}
	m := parseMeta(env, tech)
	sh.mu.Lock()
	if cur := sh.m[env.Seq]; cur == nil || tech && !cur.tech {
		sh.m[env.Seq] = m
	}
	sh.mu.Unlock()
}

// all returns every event seen, by seq.
func (s *metaStore) all() map[int64]*meta {
	out := map[int64]*meta{}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for k, v := range sh.m {
			out[k] = v
		}
		sh.mu.Unlock()
	}
	return out
}

func parseMeta(env api.Envelope, tech bool) *meta {
	m := &meta{typ: env.Type, sid: env.SessionID, ch: env.ChannelID, tech: tech}
	if env.At != nil {
		m.at = env.At.UnixNano()
	}
	var d struct {
		ID         int64  `json:"id"`
		Text       string `json:"text"`
		State      string `json:"state"`
		AssigneeID int64  `json:"assignee_id"`
	}
	json.Unmarshal(env.Data, &d)
	switch {
	case env.Type == "chat.message":
		m.msgID = d.ID
		m.sent = sentStamp(d.Text)
	case strings.HasPrefix(env.Type, "session."):
		m.state, m.assignee = d.State, d.AssigneeID
	}
	return m
}

// chatText is the text of a load chat message: it carries its send time.
func chatText(sent time.Time) string {
	return "lt " + strconv.FormatInt(sent.UnixNano(), 10) + " load test message"
}

func sentStamp(text string) int64 {
	f := strings.Fields(text)
	if len(f) < 2 || f[0] != "lt" {
		return 0
	}
	n, _ := strconv.ParseInt(f[1], 10, 64)
	return n
}
