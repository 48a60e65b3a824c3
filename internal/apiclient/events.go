package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tetherdesk/tether/internal/api"
)

// Defaults of EventsConfig's zero fields. The longest wait, 1.5–3 s with
// jitter, keeps a client back within the 5 s the product promises after a
// broker restart however long the broker was away.
const (
	DefaultMinBackoff   = 250 * time.Millisecond
	DefaultMaxBackoff   = 3 * time.Second
	DefaultPingInterval = 25 * time.Second
)

// SinceAll in EventsConfig.Since replays every event the caller may see.
const SinceAll int64 = -1

// maxEventBytes bounds one WebSocket message from the broker.
const maxEventBytes = MaxJSONBytes

// Status is the state of the events connection.
type Status int

// Statuses, in the order a connection goes through them.
const (
	StatusUnknown Status = iota
	// StatusConnecting: dialing the broker.
	StatusConnecting
	// StatusConnected: the broker sent "ready": the catch-up is delivered
	// and live events follow.
	StatusConnected
	// StatusDisconnected: the connection failed or ended (State.Err); the
	// next attempt follows after State.RetryIn.
	StatusDisconnected
	// StatusStopped: no more attempts, after Close, the end of the ctx
	// passed to Connect, or a rejected token (State.Err is an
	// unauthorized *Error).
	StatusStopped
)

func (s Status) String() string {
	switch s {
	case StatusConnecting:
		return "connecting"
	case StatusConnected:
		return "connected"
	case StatusDisconnected:
		return "disconnected"
	case StatusStopped:
		return "stopped"
	}
	return "unknown"
}

// State is reported to EventsConfig.OnState.
type State struct {
	Status Status
	// Err is why the connection is Disconnected or Stopped (nil when
	// stopped by Close).
	Err error
	// RetryIn is the delay before the next attempt (Disconnected).
	RetryIn time.Duration
	// LastSeq is the newest event sequence number seen.
	LastSeq int64
}

// EventsConfig configures Connect.
type EventsConfig struct {
	// Since is the sequence number of the last event the caller has
	// already seen: the first connection replays every later event. 0
	// replays nothing (live events from the first connection on: load
	// the state over HTTP first); SinceAll replays everything the caller
	// may see (sensible for an agent: its own session's events). Later
	// connections always resume after the last event delivered.
	Since int64
	// OnEvent receives the broker's events (with Seq, in order, each
	// once), "error" messages answering refused client messages, and
	// signals of sessions without an open SignalChannel.
	//
	// OnEvent and OnState are called from one goroutine, in order; they
	// must not block for long (the broker disconnects a client that
	// falls behind; it then catches up after reconnecting) and must not
	// call Close. UI code must hand the work to its UI thread (fyne.Do).
	OnEvent func(api.Envelope)
	OnState func(State)
	// MinBackoff and MaxBackoff bound the jittered, doubling delay
	// between connection attempts (default 250ms and 5s).
	MinBackoff, MaxBackoff time.Duration
	// PingInterval is how often the client pings the broker to notice a
	// dead connection (default 25s).
	PingInterval time.Duration
}

// Events is a reconnecting events WebSocket, started by Connect. It
// delivers every event once and in order across reconnections (broker
// restarts included) by resuming after the last sequence number seen.
type Events struct {
	c      *Client
	cfg    EventsConfig
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   chan struct{} // closed when the run goroutine ends
	last   atomic.Int64

	mu      sync.Mutex // guards the following fields
	ws      *websocket.Conn
	up      chan struct{} // closed when ws is set; replaced when it is cleared
	signals map[int64]*SignalChannel
	stopped bool
	err     error
}

// Connect starts the events connection of the client's current token;
// it runs until Close, the end of ctx, or the broker rejects the token.
func (c *Client) Connect(ctx context.Context, cfg EventsConfig) *Events {
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	cfg.MaxBackoff = max(cfg.MaxBackoff, cfg.MinBackoff)
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	e := &Events{c: c, cfg: cfg, done: make(chan struct{}), up: make(chan struct{}), signals: map[int64]*SignalChannel{}}
	e.ctx, e.cancel = context.WithCancel(ctx)
	if cfg.Since > 0 {
		e.last.Store(cfg.Since)
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(e.done)
		e.run()
	}()
	return e
}

// Close stops the connection and waits for its goroutines. Open
// SignalChannels are closed. It may be called more than once, but not
// from OnEvent or OnState.
func (e *Events) Close() error {
	e.cancel()
	e.wg.Wait()
	return nil
}

// Done is closed when the connection has stopped for good (Close, the
// ctx of Connect, or a rejected token); Err then tells why.
func (e *Events) Done() <-chan struct{} { return e.done }

// Err returns why the connection stopped: an unauthorized *Error when the
// broker rejected the token, nil after Close, nil while running.
func (e *Events) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// LastSeq returns the sequence number of the newest event seen.
func (e *Events) LastSeq() int64 { return e.last.Load() }

func (e *Events) state(s State) {
	s.LastSeq = e.last.Load()
	if s.Err != nil {
		e.c.log.Debug("events connection", "status", s.Status.String(), "err", s.Err)
	} else {
		e.c.log.Debug("events connection", "status", s.Status.String())
	}
	if e.cfg.OnState != nil {
		e.cfg.OnState(s)
	}
}

// run connects and reconnects until stopped.
func (e *Events) run() {
	var stopErr error
	defer func() {
		e.mu.Lock()
		e.stopped, e.err = true, stopErr
		e.ws = nil
		chans := e.signals
		e.signals = map[int64]*SignalChannel{}
		e.mu.Unlock()
		for _, sc := range chans {
			sc.close()
		}
		e.state(State{Status: StatusStopped, Err: stopErr})
	}()
	// hasSeq: resume with ?since=; false only before the first "ready"
	// when the caller asked for live events only.
	hasSeq := e.cfg.Since != 0
	backoff := e.cfg.MinBackoff
	for e.ctx.Err() == nil {
		e.state(State{Status: StatusConnecting})
		ready, err := e.session(hasSeq)
		if ready {
			hasSeq = true
			backoff = e.cfg.MinBackoff
		}
		if e.ctx.Err() != nil {
			return
		}
		if IsCode(err, CodeUnauthorized) {
			stopErr = err
			return
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		backoff = min(2*backoff, e.cfg.MaxBackoff)
		e.state(State{Status: StatusDisconnected, Err: err, RetryIn: wait})
		t := time.NewTimer(wait)
		select {
		case <-e.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// url is the events endpoint with the resume point.
func (e *Events) url(hasSeq bool) string {
	q := url.Values{}
	if hasSeq {
		q.Set("since", strconv.FormatInt(e.last.Load(), 10))
	}
	return e.c.endpoint("/events", q)
}

// session runs one connection until it ends; ready reports whether the
// broker's "ready" arrived.
func (e *Events) session(hasSeq bool) (ready bool, err error) {
	h := http.Header{}
	h.Set("User-Agent", e.c.ua)
	if e.c.lang != "" {
		h.Set("Accept-Language", e.c.lang)
	}
	if tok := e.c.Token(); tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	ws, resp, err := websocket.Dial(e.ctx, e.url(hasSeq), &websocket.DialOptions{
		HTTPClient: e.c.hc, HTTPHeader: h, CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return false, readError(resp)
		}
		if e.ctx.Err() != nil {
			return false, e.ctx.Err()
		}
		return false, fmt.Errorf("apiclient: events: %w", unreachable(err))
	}
	ws.SetReadLimit(maxEventBytes)

	connDone := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // closes politely when the Events stop
		defer wg.Done()
		select {
		case <-e.ctx.Done():
			t := time.AfterFunc(time.Second, func() { ws.CloseNow() })
			ws.Close(websocket.StatusNormalClosure, "")
			t.Stop()
		case <-connDone:
		}
	}()
	go func() { // notices a dead broker or network
		defer wg.Done()
		e.ping(ws, connDone)
	}()
	defer func() {
		e.setConn(nil)
		close(connDone)
		ws.CloseNow()
		wg.Wait()
	}()

	for {
		_, data, err := ws.Read(context.Background())
		if err != nil {
			if e.ctx.Err() != nil {
				return ready, e.ctx.Err()
			}
			if cs := websocket.CloseStatus(err); cs != -1 {
				var ce websocket.CloseError
				errors.As(err, &ce)
				if cs == websocket.StatusPolicyViolation && ce.Reason != "too slow" {
					// The broker ends connections whose token expired or was
					// revoked with 1008; the next dial tells for sure.
					return ready, fmt.Errorf("apiclient: events: closed by the broker: %s", ce.Reason)
				}
				return ready, fmt.Errorf("apiclient: events: closed by the broker (%d %s)", cs, ce.Reason)
			}
			return ready, fmt.Errorf("apiclient: events: %w", unreachable(err))
		}
		var env api.Envelope
		if err := json.Unmarshal(data, &env); err != nil {
			e.c.log.Warn("events: undecodable message from the broker", "bytes", len(data))
			continue
		}
		switch env.Type {
		case api.TypeReady:
			var r api.Ready
			json.Unmarshal(env.Data, &r)
			switch last := e.last.Load(); {
			case r.LastSeq > last:
				// Everything up to LastSeq we may see was sent before ready.
				e.last.Store(r.LastSeq)
			case r.LastSeq < last:
				// The broker's event log is behind ours: it was replaced
				// (a restored backup). Follow it rather than drop every
				// new event as already seen.
				e.c.log.Warn("events: the broker's event log is behind the client's", "last_seq", last, "broker_last_seq", r.LastSeq)
				e.last.Store(r.LastSeq)
			}
			if !ready {
				ready, hasSeq = true, true
				e.setConn(ws)
				e.state(State{Status: StatusConnected})
			}
		case api.TypeSignal:
			e.routeSignal(env)
		case api.TypePong:
		default:
			if env.Seq > 0 {
				if env.Seq <= e.last.Load() {
					continue // already delivered before a reconnection
				}
				e.last.Store(env.Seq)
			}
			if e.cfg.OnEvent != nil {
				e.cfg.OnEvent(env)
			}
		}
	}
}

// ping pings the broker every PingInterval; a missing pong closes the
// connection, which makes the reader reconnect.
func (e *Events) ping(ws *websocket.Conn, done <-chan struct{}) {
	t := time.NewTicker(e.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(e.ctx, e.cfg.PingInterval)
		err := ws.Ping(ctx)
		cancel()
		if err != nil {
			select {
			case <-done:
			case <-e.ctx.Done(): // stopping: the watcher closes politely
			default:
				e.c.log.Debug("events: ping failed", "err", err)
				ws.CloseNow()
			}
			return
		}
	}
}

// setConn publishes the connection signals are sent on (nil: none).
func (e *Events) setConn(ws *websocket.Conn) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ws != nil {
		e.ws = ws
		close(e.up)
		return
	}
	if e.ws != nil {
		e.ws = nil
		e.up = make(chan struct{})
	}
}

// conn waits for a connected WebSocket.
func (e *Events) conn(ctx context.Context) (*websocket.Conn, error) {
	for {
		e.mu.Lock()
		ws, up, stopped := e.ws, e.up, e.stopped
		e.mu.Unlock()
		if stopped {
			return nil, ErrClosed
		}
		if ws != nil {
			return ws, nil
		}
		select {
		case <-up:
		case <-e.done:
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// SendSignal sends opaque WebRTC signaling data (a JSON value of at most
// api.MaxSignalBytes) to the other side of a session: the agent when a
// technician sends it, the session's technicians when the agent does. It
// waits until the connection is up, or ctx ends. The broker answers a
// refused signal with an "error" message delivered to OnEvent.
func (e *Events) SendSignal(ctx context.Context, sessionID int64, data json.RawMessage) error {
	return e.SendSignalTo(ctx, sessionID, 0, data)
}

// SendSignalTo is SendSignal addressed to one technician of the session
// (their account id): an agent serving several technicians (collaborators)
// talks to each over its own connection. The broker refuses to to name a
// technician who does not work the session, and refuses addressed signals
// from technicians. to 0 sends unaddressed, like SendSignal.
func (e *Events) SendSignalTo(ctx context.Context, sessionID, to int64, data json.RawMessage) error {
	if to < 0 {
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Message: "addressee must be a technician id"}
	}
	if sessionID <= 0 {
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Message: "session id is required"}
	}
	if len(data) > api.MaxSignalBytes {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Message: fmt.Sprintf("signal data is larger than %d bytes", api.MaxSignalBytes)}
	}
	if len(data) == 0 || !json.Valid(data) {
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Message: "signal data must be a JSON value"}
	}
	msg := make([]byte, 0, len(data)+64)
	msg = append(msg, `{"type":"signal","session_id":`...)
	msg = strconv.AppendInt(msg, sessionID, 10)
	if to != 0 {
		msg = append(msg, `,"to":`...)
		msg = strconv.AppendInt(msg, to, 10)
	}
	msg = append(msg, `,"data":`...)
	msg = append(msg, data...)
	msg = append(msg, '}')
	ws, err := e.conn(ctx)
	if err != nil {
		return err
	}
	if err := ws.Write(ctx, websocket.MessageText, msg); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("apiclient: send signal: %w", unreachable(err))
	}
	return nil
}
