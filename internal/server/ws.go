package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// closeGrace bounds the closing handshake with a client that does not answer.
const closeGrace = time.Second

// outMsg is one queued message; seq is the event's (0 for others).
type outMsg struct {
	seq  int64
	data []byte
}

// wsConn is one client's events WebSocket. The handler goroutine is its
// only writer; a reader goroutine and a pinger goroutine, both waited for,
// feed it through the bounded send queue.
type wsConn struct {
	srv       *Server
	ws        *websocket.Conn
	kind      desk.ActorKind
	actor     desk.Actor
	token     string                       // re-checked on every ping: logout and expiry end the connection
	lang      string                       // of error messages: from the upgrade request's Accept-Language
	sessionID int64                        // agents: their session
	account   atomic.Pointer[desk.Account] // technicians: kept current by the hub
	send      chan outMsg
	resume    chan int64

	once   sync.Once
	done   chan struct{} // closed by stop
	code   websocket.StatusCode
	reason string
}

func (c *wsConn) stop(code websocket.StatusCode, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
}

func (c *wsConn) stopped() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// enqueue queues a message without blocking; a full queue means the
// client cannot keep up, and it is disconnected.
func (c *wsConn) enqueue(m outMsg) bool {
	select {
	case c.send <- m:
		return true
	default:
		c.stop(websocket.StatusPolicyViolation, "too slow")
		return false
	}
}

// events serves GET /api/v1/events: the client's WebSocket for events and
// signaling. The token comes from the Authorization header or, for clients
// that cannot set headers, from ?token=.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	token := bearer(r)
	if token == "" {
		token = r.URL.Query().Get("token")
	}
	actor, err := s.authenticate(r, token)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tether"`)
		s.writeError(w, r, err)
		return
	}
	since, hasSince := int64(0), false
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.writeError(w, r, desk.Errorf(desk.EINVALID, "since must be a non-negative event sequence number"))
			return
		}
		since, hasSince = n, true
	}
	done, ok := s.track()
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, api.Error{Code: "unavailable",
			Message: errorMessage(desk.Errorf("unavailable", "the broker is shutting down"), requestLang(r))})
		return
	}
	defer done()
	if actor.Kind == desk.ActorTechnician {
		// Warm the visibility cache with what this technician may see.
		if chans, err := s.svc.ListChannels(r.Context(), actor); err == nil {
			s.hub.learnChannels(chans)
		}
		if accts, err := s.svc.ListAccounts(r.Context(), actor); err == nil {
			s.hub.learnAccounts(accts)
		}
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return // Accept answered the client
	}
	ws.SetReadLimit(api.MaxSignalBytes + 4<<10)
	c := &wsConn{
		srv: s, ws: ws, kind: actor.Kind, actor: actor, token: token, lang: requestLang(r), sessionID: actor.SessionID,
		send: make(chan outMsg, s.cfg.SendQueue), resume: make(chan int64, 1), done: make(chan struct{}),
	}
	if actor.Kind == desk.ActorTechnician {
		c.account.Store(actor.Account)
	}
	if !s.hub.add(c) {
		ws.Close(websocket.StatusGoingAway, "broker shutting down")
		return
	}
	defer s.hub.remove(c)
	s.log.Info("websocket connected", "request_id", requestID(r.Context()), "actor_kind", actor.Kind.String(), "session_id", actor.SessionID)
	c.run(since, hasSince)
	s.log.Info("websocket closed", "request_id", requestID(r.Context()), "reason", c.reason)
}

// run serves the connection until it stops, then closes it and waits for
// its goroutines.
func (c *wsConn) run(since int64, hasSince bool) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.readLoop(ctx) }()
	go func() { defer wg.Done(); c.pingLoop(ctx) }()

	if err := c.writeLoop(ctx, since, hasSince); err != nil {
		c.stop(websocket.StatusInternalError, "internal error")
	}
	closed := make(chan struct{})
	go func() {
		c.ws.Close(c.code, c.reason)
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(closeGrace):
	}
	cancel() // aborts a read or close still waiting on the client
	<-closed
	wg.Wait()
}

func (c *wsConn) write(ctx context.Context, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.srv.cfg.WriteTimeout)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// writeLoop catches the client up, then writes queued messages in order.
// Live events the catch-up already covered are skipped, so the client
// sees each event once.
func (c *wsConn) writeLoop(ctx context.Context, since int64, hasSince bool) error {
	from := since
	if !hasSince {
		from = math.MaxInt64 // nothing to replay; just learn the newest seq
	}
	covered, err := c.catchUp(ctx, from)
	if err != nil {
		return err
	}
	for {
		select {
		case <-c.done:
			return nil
		case seq := <-c.resume:
			top, err := c.catchUp(ctx, seq)
			if err != nil {
				return err
			}
			covered = max(covered, top)
		case m := <-c.send:
			if m.seq != 0 && m.seq <= covered {
				continue
			}
			if err := c.write(ctx, m.data); err != nil {
				c.stop(websocket.StatusGoingAway, "write failed")
				return nil
			}
		}
	}
}

// catchUp sends the events after seq the client may see, then a ready
// message, and returns the newest sequence number it covered.
func (c *wsConn) catchUp(ctx context.Context, seq int64) (int64, error) {
	var top int64
	for range 10000 {
		evs, last, err := c.srv.svc.CatchUp(ctx, c.actor, seq, 1000)
		if err != nil {
			if desk.ErrorCode(err) == desk.EUNAUTHORIZED {
				c.stop(websocket.StatusPolicyViolation, desk.ErrorMessage(err))
				return 0, nil
			}
			if c.stopped() {
				return 0, nil
			}
			c.srv.log.Error("event catch-up", "session_id", c.sessionID, "err", err)
			return 0, err
		}
		for _, e := range evs {
			var data any
			if c.kind == desk.ActorAgent {
				data = api.AgentEventData(e, c.srv.hub, c.srv.cfg.OrgName)
			} else {
				data = api.EventData(e, c.srv.hub)
			}
			if err := c.write(ctx, encodeEvent(e, data)); err != nil {
				c.stop(websocket.StatusGoingAway, "write failed")
				return 0, nil
			}
		}
		top = max(top, last)
		if last <= seq {
			break
		}
		seq = last
	}
	b, _ := json.Marshal(api.Envelope{Type: api.TypeReady, Data: mustJSON(api.Ready{ProtocolVersion: api.ProtocolVersion, LastSeq: top})})
	if err := c.write(ctx, b); err != nil {
		c.stop(websocket.StatusGoingAway, "write failed")
	}
	return top, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return b
}

// sendError queues an error message for the client, in its language.
func (c *wsConn) sendError(sessionID int64, err error) {
	code, msg := desk.ErrorCode(err), errorMessage(err, c.lang)
	if code == desk.EINTERNAL {
		c.srv.log.Error("websocket message", "session_id", sessionID, "err", err)
	}
	b, _ := json.Marshal(api.Envelope{Type: api.TypeError, SessionID: sessionID, Data: mustJSON(api.Error{Code: code, Message: msg})})
	c.enqueue(outMsg{data: b})
}

// maxClientMessages bounds the messages a client may send per second;
// each signal costs a rights check in the database. ICE trickling sends
// a few dozen at most.
const maxClientMessages = 100

// readLoop handles client messages until the connection ends.
func (c *wsConn) readLoop(ctx context.Context) {
	var second time.Time
	var count int
	for {
		typ, data, err := c.ws.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			switch {
			case errors.As(err, &ce):
				c.stop(websocket.StatusNormalClosure, "")
			case websocket.CloseStatus(err) == websocket.StatusMessageTooBig:
				c.stop(websocket.StatusMessageTooBig, "message too big")
			default:
				c.stop(websocket.StatusGoingAway, "read failed")
			}
			return
		}
		if now := time.Now(); now.Sub(second) >= time.Second {
			second, count = now, 0
		}
		if count++; count > maxClientMessages {
			c.sendError(0, desk.Errorf(desk.ERATELIMITED, "more than %d messages per second; message dropped", maxClientMessages))
			continue
		}
		if typ != websocket.MessageText {
			c.sendError(0, desk.Errorf(desk.EINVALID, "messages are JSON text"))
			continue
		}
		c.handle(ctx, data)
	}
}

// handle decodes and serves one client message.
func (c *wsConn) handle(ctx context.Context, data []byte) {
	m, err := decodeEnvelope(data)
	if err != nil {
		c.sendError(0, err)
		return
	}
	switch m.Type {
	case api.TypePing:
		c.enqueue(outMsg{data: []byte(`{"type":"pong"}`)})
	case api.TypeResume:
		if m.Seq < 0 {
			c.sendError(0, desk.Errorf(desk.EINVALID, "seq must not be negative"))
			return
		}
		select {
		case c.resume <- m.Seq:
		default:
			c.sendError(0, desk.Errorf(desk.ECONFLICT, "a resume is already in progress"))
		}
	case api.TypeSignal:
		if err := c.srv.relay(ctx, c, m); err != nil {
			c.sendError(m.SessionID, err)
		}
	default:
		c.sendError(0, desk.Errorf(desk.EINVALID, "unknown message type %q (want signal, resume or ping)", m.Type))
	}
}

// decodeEnvelope parses a client message strictly.
func decodeEnvelope(data []byte) (api.Envelope, error) {
	var m api.Envelope
	if err := decodeJSON(bytes.NewReader(data), &m); err != nil {
		return m, err
	}
	if m.Type == "" {
		return m, desk.Errorf(desk.EINVALID, "type is required")
	}
	return m, nil
}

// relay checks that the sender may signal for the session and forwards
// the data verbatim, never interpreting or storing it.
func (s *Server) relay(ctx context.Context, from *wsConn, m api.Envelope) error {
	if m.SessionID <= 0 {
		return desk.Errorf(desk.EINVALID, "session_id is required")
	}
	if len(m.Data) == 0 || string(m.Data) == "null" {
		return desk.Errorf(desk.EINVALID, "data is required")
	}
	if len(m.Data) > api.MaxSignalBytes {
		return desk.Errorf(desk.ETOOLARGE, "signal data is larger than %d bytes", api.MaxSignalBytes)
	}
	if m.To < 0 || m.To != 0 && from.kind != desk.ActorAgent {
		return desk.Errorf(desk.EINVALID, "only the agent addresses signals (to)")
	}
	sess, err := s.svc.MaySignal(ctx, from.actor, m.SessionID)
	if err != nil {
		return err
	}
	if m.To != 0 && !sess.Participant(m.To) {
		return desk.Errorf(desk.ENOTFOUND, "technician %d does not work session %d", m.To, sess.ID)
	}
	// Built by hand: json.Marshal would re-encode the opaque data.
	b := make([]byte, 0, len(m.Data)+128)
	b = append(b, `{"type":"signal","session_id":`...)
	b = strconv.AppendInt(b, sess.ID, 10)
	if from.kind == desk.ActorAgent {
		b = append(b, `,"from":"agent"`...)
		if m.To != 0 {
			b = append(b, `,"to":`...)
			b = strconv.AppendInt(b, m.To, 10)
		}
	} else {
		b = append(b, `,"from":"technician","from_id":`...)
		b = strconv.AppendInt(b, from.account.Load().ID, 10)
	}
	b = append(b, `,"data":`...)
	b = append(b, m.Data...)
	b = append(b, '}')
	s.hub.deliverSignal(sess, from, m.To, b)
	return nil
}

// pingLoop keeps the connection alive and notices dead peers.
func (c *wsConn) pingLoop(ctx context.Context) {
	t := time.NewTicker(c.srv.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			return
		case <-t.C:
		}
		// The token first: a revoked token ends the connection whether or
		// not the peer still answers pings.
		a, err := c.srv.svc.Authenticate(ctx, c.token, c.actor.IP)
		switch {
		case desk.ErrorCode(err) == desk.EUNAUTHORIZED:
			c.stop(websocket.StatusPolicyViolation, "token expired or revoked")
			return
		case err == nil && a.Account != nil:
			c.account.Store(a.Account)
		}
		pctx, cancel := context.WithTimeout(ctx, c.srv.cfg.PingInterval)
		err = c.ws.Ping(pctx)
		cancel()
		if err != nil {
			c.stop(websocket.StatusGoingAway, "ping timeout")
			return
		}
	}
}

// learnChannelsOf reloads the channels a connected technician may see,
// after their account changed.
func (s *Server) learnChannelsOf(c *wsConn) {
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	a := c.actor
	a.Account = c.account.Load()
	if chans, err := s.svc.ListChannels(ctx, a); err == nil {
		s.hub.learnChannels(chans)
	}
}
