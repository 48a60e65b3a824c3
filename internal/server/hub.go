package server

import (
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// Hub is the registry of WebSocket clients and the desk.Publisher the
// Service publishes committed events into. It fans each event out to every
// connection that may see it without ever blocking: a connection whose
// bounded queue is full is disconnected.
//
// To decide visibility from the event alone it keeps the channels it has
// seen (loaded through the connecting technicians' eyes and kept fresh by
// channel.changed events) and the technicians' current accounts (kept
// fresh by account.changed events). It also caches names for display.
type Hub struct {
	mu     sync.RWMutex // guards the following fields
	conns  map[*wsConn]struct{}
	techs  map[*wsConn]struct{}           // technicians' connections
	agents map[int64]map[*wsConn]struct{} // agents' connections by session
	closed bool
	srv    *Server

	cmu      sync.RWMutex // guards the following fields
	channels map[int64]*desk.Channel
	names    map[int64]string // account id → name

	published atomic.Uint64 // events published
	delivered atomic.Uint64 // event messages queued to connections
	dropped   atomic.Uint64 // connections cut for being too slow
}

// HubStats are the hub's live figures, for metrics.
type HubStats struct {
	Technicians, Agents                   int
	Published, Delivered, SlowDisconnects uint64
}

// Stats returns the connected clients by kind and the event counters.
func (h *Hub) Stats() HubStats {
	st := HubStats{Published: h.published.Load(), Delivered: h.delivered.Load(), SlowDisconnects: h.dropped.Load()}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.conns {
		switch c.kind {
		case desk.ActorTechnician:
			st.Technicians++
		case desk.ActorAgent:
			st.Agents++
		}
	}
	return st
}

var _ desk.Publisher = (*Hub)(nil)
var _ api.Namer = (*Hub)(nil)

// NewHub returns a hub to pass to desk.NewService as its Publisher and to
// New in Config.Hub. Events published before New are dropped: nobody is
// connected yet.
func NewHub() *Hub {
	return &Hub{conns: map[*wsConn]struct{}{}, techs: map[*wsConn]struct{}{}, agents: map[int64]map[*wsConn]struct{}{},
		channels: map[int64]*desk.Channel{}, names: map[int64]string{}}
}

func (h *Hub) attach(s *Server) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.srv != nil {
		return errors.New("server: the Hub already belongs to another Server")
	}
	h.srv = s
	return nil
}

// add registers a connection; false when the hub is closed.
func (h *Hub) add(c *wsConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns[c] = struct{}{}
	switch c.kind {
	case desk.ActorTechnician:
		h.techs[c] = struct{}{}
	case desk.ActorAgent:
		if h.agents[c.sessionID] == nil {
			h.agents[c.sessionID] = map[*wsConn]struct{}{}
		}
		h.agents[c.sessionID][c] = struct{}{}
	}
	return true
}

func (h *Hub) remove(c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
	delete(h.techs, c)
	if m := h.agents[c.sessionID]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(h.agents, c.sessionID)
		}
	}
}

// count returns the number of registered connections.
func (h *Hub) count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.conns)
}

// closeAll asks every connection to close and refuses new ones.
func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.conns {
		c.stop(websocket.StatusGoingAway, "broker shutting down")
	}
}

// ChannelName implements api.Namer from the cache.
func (h *Hub) ChannelName(id int64) string { n, _ := h.channelName(id); return n }

// AccountName implements api.Namer from the cache.
func (h *Hub) AccountName(id int64) string { n, _ := h.accountName(id); return n }

func (h *Hub) channelName(id int64) (string, bool) {
	h.cmu.RLock()
	defer h.cmu.RUnlock()
	if ch := h.channels[id]; ch != nil {
		return ch.Name, true
	}
	return "", false
}

func (h *Hub) accountName(id int64) (string, bool) {
	h.cmu.RLock()
	defer h.cmu.RUnlock()
	n, ok := h.names[id]
	return n, ok
}

func (h *Hub) channel(id int64) *desk.Channel {
	h.cmu.RLock()
	defer h.cmu.RUnlock()
	return h.channels[id]
}

func (h *Hub) learnChannels(list []*desk.Channel) {
	h.cmu.Lock()
	defer h.cmu.Unlock()
	for _, ch := range list {
		h.channels[ch.ID] = ch
	}
}

func (h *Hub) learnAccounts(list []*desk.Account) {
	h.cmu.Lock()
	defer h.cmu.Unlock()
	for _, a := range list {
		h.names[a.ID] = a.Name
	}
}

// Publish implements desk.Publisher. It never blocks on clients.
func (h *Hub) Publish(events ...*desk.Event) {
	for _, e := range events {
		if e == nil {
			continue
		}
		h.published.Add(1)
		h.observe(e)
		h.fanOut(e)
	}
}

// observe keeps the caches and the connections' accounts current.
func (h *Hub) observe(e *desk.Event) {
	switch {
	case e.Type == desk.EventChannelChanged && e.Channel != nil:
		h.cmu.Lock()
		if e.Channel.Expiration == 0 { // a deleted channel: only id and name are left
			delete(h.channels, e.Channel.ID)
		} else {
			h.channels[e.Channel.ID] = e.Channel
		}
		h.cmu.Unlock()
	case e.Type == desk.EventAccountChanged && e.Account != nil:
		a := e.Account
		h.learnAccounts([]*desk.Account{a})
		h.mu.RLock()
		defer h.mu.RUnlock()
		var refresh *wsConn
		for c := range h.conns {
			if c.kind != desk.ActorTechnician || c.account.Load().ID != a.ID {
				continue
			}
			if a.Disabled {
				c.stop(websocket.StatusPolicyViolation, "account disabled")
				continue
			}
			c.account.Store(a)
			refresh = c
		}
		if refresh != nil && h.srv != nil {
			// New groups may route channels the hub has not seen yet.
			h.srv.goroutine(func() { h.srv.learnChannelsOf(refresh) })
		}
	}
}

// fanOut queues the event for every connection that may see it.
func (h *Hub) fanOut(e *desk.Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.srv == nil || len(h.conns) == 0 {
		return
	}
	ch := h.channel(e.ChannelID)
	queue := func(c *wsConn, msg []byte) {
		if c.enqueue(outMsg{seq: e.Seq, data: msg}) {
			h.delivered.Add(1)
		} else {
			h.dropped.Add(1)
		}
	}
	// Technicians: each by visibility. Agents: only those of the event's
	// session, looked up directly instead of walking every connection.
	var tech []byte
	for c := range h.techs {
		if c.stopped() || !e.VisibleTo(c.account.Load(), ch) {
			continue
		}
		if tech == nil {
			tech = encodeEvent(e, api.EventData(e, h))
		}
		queue(c, tech)
	}
	if agents := h.agents[e.SessionID]; len(agents) > 0 && e.ForAgent() {
		agent := encodeEvent(e, api.AgentEventData(e, h, h.srv.cfg.OrgName))
		for c := range agents {
			if !c.stopped() {
				queue(c, agent)
			}
		}
	}
}

// encodeEvent marshals an event envelope; our own types always marshal.
func encodeEvent(e *desk.Event, data any) []byte {
	env, err := api.NewEventEnvelope(e, data)
	if err != nil {
		return nil
	}
	b, _ := json.Marshal(env)
	return b
}

// deliverSignal queues a relayed signal for the session's other side: its
// agent when a technician sent it, its connected participant technicians
// when the agent did (only technician to's connections when to is set).
func (h *Hub) deliverSignal(sess *desk.Session, from *wsConn, to int64, msg []byte) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	targets := h.agents[sess.ID]
	if from.kind == desk.ActorAgent {
		targets = h.techs
	}
	for c := range targets {
		if c == from || c.stopped() {
			continue
		}
		if c.kind == desk.ActorTechnician {
			id := c.account.Load().ID
			if !sess.Participant(id) || to != 0 && id != to {
				continue
			}
		}
		if c.enqueue(outMsg{data: msg}) {
			n++
		}
	}
	return n
}
