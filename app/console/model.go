package console

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tetherdesk/tether/internal/api"
)

// States are the session states, in the order the queue filter offers them.
var States = []string{"waiting", "active", "queued", "expired", "closed"}

// openStates are the states of sessions that still need work.
var openStates = []string{"waiting", "active", "queued"}

// Notice is a desktop notification the console should show.
type Notice struct {
	Title, Body string
	SessionID   int64
}

// model is the console's picture of the broker: the signed-in account, the
// channels and every session seen so far, kept current by events. Its
// methods are safe for concurrent use: lists are merged from network
// goroutines while events arrive.
type model struct {
	mu       sync.Mutex // guards the following fields
	me       api.Account
	channels map[int64]*api.Channel
	sessions map[int64]*entry
	gen      int64            // counts applied session events
	self     map[int64]bool   // sessions I am taking myself: no notification
	lastSeq  int64            // last event seen
	techs    map[int64]string // technician names by id
	chNames  map[int64]string // names of channels I cannot see (transfer targets)
}

type entry struct {
	s   api.Session
	gen int64 // gen of the last event that changed it; 0: from a list
}

func newModel() *model {
	return &model{channels: map[int64]*api.Channel{}, sessions: map[int64]*entry{}, self: map[int64]bool{}, techs: map[int64]string{}, chNames: map[int64]string{}}
}

func (m *model) Me() api.Account {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.me
}

func (m *model) setMe(a api.Account) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.me = a
}

func (m *model) Gen() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gen
}

// expectSelf marks a session the technician is about to take or claim,
// so that the resulting event does not notify them of their own action.
func (m *model) expectSelf(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.self[id] = true
}

func (m *model) setChannels(list []api.Channel) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.channels = map[int64]*api.Channel{}
	for i := range list {
		c := list[i]
		m.channels[c.ID] = &c
	}
}

func (m *model) setTechnicians(list []api.Account) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range list {
		m.techs[a.ID] = a.Name
	}
}

func (m *model) techName(id int64) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.techs[id]
}

// Channels lists the visible channels by name.
func (m *model) Channels() []api.Channel {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]api.Channel, 0, len(m.channels))
	for _, c := range m.channels {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// Channel returns a copy of the channel, nil when unknown.
func (m *model) Channel(id int64) *api.Channel {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.channels[id]; ok {
		cp := *c
		return &cp
	}
	return nil
}

func (m *model) channelName(s api.Session) string {
	if s.ChannelName != "" {
		return s.ChannelName
	}
	if c := m.Channel(s.ChannelID); c != nil {
		return c.Name
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.chNames[s.ChannelID]
}

func (m *model) learnChannelNames(list []api.TransferTarget) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range list {
		m.chNames[c.ChannelID] = c.ChannelName
	}
}

// Session returns the session as last seen.
func (m *model) Session(id int64) (api.Session, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.sessions[id]
	if !ok {
		return api.Session{}, false
	}
	return e.s, true
}

// merge adds sessions fetched by a request that started at generation
// since; sessions changed by an event after that keep the event's version.
func (m *model) merge(list []api.Session, since int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range list {
		if e, ok := m.sessions[s.ID]; ok && e.gen > since {
			continue
		}
		m.sessions[s.ID] = &entry{s: s}
	}
}

// put stores a session answered by an action of this technician.
func (m *model) put(s api.Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	if !canSee(m.me, s, m.channels[s.ChannelID]) {
		delete(m.sessions, s.ID)
		return
	}
	m.sessions[s.ID] = &entry{s: s, gen: m.gen}
}

func (m *model) remove(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	delete(m.sessions, id)
}

// Apply updates the model from one event. It reports what changed:
// sessions (lists must be redrawn), channels, me (the account), and the
// notices the event deserves.
func (m *model) Apply(env api.Envelope) (sessions, channels, me bool, notices []Notice) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if env.Seq > m.lastSeq {
		m.lastSeq = env.Seq
	}
	switch env.Type {
	case "session.created", "session.updated", "session.deleted", "invitation":
		var s api.Session
		if json.Unmarshal(env.Data, &s) != nil || s.ID == 0 {
			return
		}
		m.gen++
		var prev *api.Session
		if e, ok := m.sessions[s.ID]; ok {
			p := e.s
			prev = &p
		}
		ch := m.channels[s.ChannelID]
		if env.Type == "session.deleted" || !canSee(m.me, s, ch) {
			delete(m.sessions, s.ID)
		} else {
			m.sessions[s.ID] = &entry{s: s, gen: m.gen}
		}
		notices = m.notices(env.Type, prev, s, ch)
		if s.AssigneeID == m.me.ID {
			delete(m.self, s.ID)
		}
		return true, false, false, notices
	case "channel.changed":
		var c api.Channel
		if json.Unmarshal(env.Data, &c) != nil || c.ID == 0 {
			return
		}
		if c.Deleted || !routedTo(m.me, &c) && !manages(m.me, &c) {
			delete(m.channels, c.ID)
		} else {
			m.channels[c.ID] = &c
		}
		return true, true, false, nil
	case "account.changed":
		var a api.Account
		if json.Unmarshal(env.Data, &a) != nil || a.ID == 0 {
			return
		}
		m.techs[a.ID] = a.Name
		if a.ID == m.me.ID {
			m.me = a
			return true, true, true, nil
		}
	}
	return
}

func manages(me api.Account, c *api.Channel) bool {
	return deskChannel(c, c.ID).ManagedBy(deskAccount(me))
}

// notices decides which desktop notifications a session event deserves.
func (m *model) notices(typ string, prev *api.Session, s api.Session, ch *api.Channel) []Notice {
	me := m.me.ID
	who := s.EndUserName
	if who == "" {
		who = L("An end user")
	}
	chName := s.ChannelName
	if chName == "" && ch != nil {
		chName = ch.Name
	}
	var out []Notice
	add := func(title, body string) { out = append(out, Notice{Title: title, Body: body, SessionID: s.ID}) }
	switch {
	case typ == "invitation" && s.AssigneeID == me:
		add(L("Session transferred to you"), who+" — "+chName)
		return out
	case typ == "invitation" && slices.Contains(s.Collaborators, me):
		add(L("Invitation to collaborate"), who+" — "+chName)
		return out
	case typ == "invitation" || typ == "session.deleted":
		return nil
	}
	wasQueued := prev != nil && prev.State == "queued"
	if s.State == "queued" && s.AssigneeID == 0 && !wasQueued && routedTo(m.me, ch) {
		title := L("New request")
		add(title, who+" — "+chName)
	}
	if s.AssigneeID == me && prev != nil && prev.AssigneeID != me && !m.self[s.ID] && s.State != "closed" {
		add(L("Session assigned to you"), who+" — "+chName)
	}
	joined := s.AgentJoinedAt != nil && (prev == nil || prev.AgentJoinedAt == nil)
	if joined && prev != nil && (s.AssigneeID == me || slices.Contains(s.Collaborators, me) || s.CreatedBy == me && s.AssigneeID == 0) {
		add(L("End user ready"), who+" "+L("started the Tether agent")+" — "+chName)
	}
	return out
}

// Home lists the open sessions I am assignee or collaborator of.
func (m *model) Home() []api.Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []api.Session
	for _, e := range m.sessions {
		s := e.s
		if (s.AssigneeID == m.me.ID || slices.Contains(s.Collaborators, m.me.ID)) && slices.Contains(openStates, s.State) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out
}

// Queue lists the sessions of a channel (0: every channel) in a state
// ("" or "all": every state).
func (m *model) Queue(channelID int64, state string) []api.Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []api.Session
	for _, e := range m.sessions {
		s := e.s
		if channelID != 0 && s.ChannelID != channelID {
			continue
		}
		if state != "" && state != "all" && s.State != state {
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out
}

// Waiting counts a channel's sessions queued for a technician and the
// longest of their waits.
func (m *model) Waiting(channelID int64, now time.Time) (n int, longest time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.sessions {
		s := e.s
		if s.State != "queued" || channelID != 0 && s.ChannelID != channelID {
			continue
		}
		n++
		if w := m.queueWaitLocked(s, now); w > longest {
			longest = w
		}
	}
	return n, longest
}

// queueWaitLocked is WaitTime, but for a queued session since it entered
// the queue (a released or transferred session queues again). The API has
// no queued_at: it is the expiry minus the channel's expiration time.
func (m *model) queueWaitLocked(s api.Session, now time.Time) time.Duration {
	if s.State == "queued" && s.ExpiresAt != nil {
		if ch := m.channels[s.ChannelID]; ch != nil && ch.ExpirationSeconds > 0 {
			queued := s.ExpiresAt.Add(-time.Duration(ch.ExpirationSeconds) * time.Second)
			if d := now.Sub(queued); d >= 0 && d < WaitTime(s, now) {
				return d
			}
		}
	}
	return WaitTime(s, now)
}

// QueueWait is how long the end user has been waiting for a technician.
func (m *model) QueueWait(s api.Session, now time.Time) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.queueWaitLocked(s, now)
}

// WaitTime is how long the end user has been waiting: since the agent
// joined (or the session was created) until a technician took it, or until
// now; for ended sessions until they ended.
func WaitTime(s api.Session, now time.Time) time.Duration {
	from := s.CreatedAt
	if s.AgentJoinedAt != nil {
		from = *s.AgentJoinedAt
	}
	to := now
	switch {
	case s.State == "active" && s.TakenAt != nil:
		to = *s.TakenAt
	case s.ClosedAt != nil:
		to = *s.ClosedAt
	}
	if d := to.Sub(from); d > 0 {
		return d
	}
	return 0
}
