package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// opKind is one kind of generated event.
type opKind int

const (
	opAgentChat opKind = iota // an end user writes in their session's chat
	opTechChat                // a technician writes in a session they hold
	opTake                    // a technician takes a queued session of their channel
	opRelease                 // a technician puts a session they hold back in the queue
	opSOS                     // a new end user submits an SOS Call and connects
	opKinds
)

var opNames = [opKinds]string{"agent chat", "technician chat", "take", "release", "SOS Call"}

func (k opKind) String() string { return opNames[k] }

// opWeights is the mix of generated events: mostly chat, as in a busy
// service desk, with queue movements and new arrivals.
var opWeights = [opKinds]float64{0.45, 0.25, 0.12, 0.12, 0.06}

// opRecord is one generated event and its outcome.
type opRecord struct {
	kind   opKind
	sid    int64
	techID int64 // take: the taker's account id
	sent   int64 // Unix ns just before the request
	dur    time.Duration
	msgID  int64 // chat: the message id answered
	ok     bool
}

// session is the generator's view of one session; busy serializes the
// generator's actions on it, so its events can be matched to them in order.
type session struct {
	id       int64
	group    int
	agent    *simClient
	assignee int // technician index, -1 when queued
	busy     bool
}

// model is the generator's picture of sessions, queues and technicians.
type model struct {
	mu       sync.Mutex // guards the following fields
	rng      *rand.Rand
	sessions []*session
	queued   [][]*session // by group
	held     [][]*session // by technician
	byGroup  [][]int      // technician indexes by group
}

func newModel(groups, techs int) *model {
	return &model{
		rng:    rand.New(rand.NewPCG(1, 2)),
		queued: make([][]*session, groups), held: make([][]*session, techs), byGroup: make([][]int, groups),
	}
}

func (m *model) addTech(i, g int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byGroup[g] = append(m.byGroup[g], i)
}

// techOf picks the technician of group g that creates agent i's link.
func (m *model) techOf(g, i int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.byGroup[g]
	return ts[(i/len(m.byGroup))%len(ts)]
}

func (m *model) addSession(id int64, g int, a *simClient, assignee int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &session{id: id, group: g, agent: a, assignee: assignee}
	m.sessions = append(m.sessions, s)
	if assignee < 0 {
		m.queued[g] = append(m.queued[g], s)
	} else {
		m.held[assignee] = append(m.held[assignee], s)
	}
}

// pick chooses an operation and its session, marking the session busy;
// it falls back to agent chat when the chosen kind has no candidate.
func (m *model) pick() (opKind, *session, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.rng.Float64()
	k := opKind(0)
	for ; k < opKinds-1; k++ {
		if r < opWeights[k] {
			break
		}
		r -= opWeights[k]
	}
	for range 8 { // a few tries to find an idle candidate
		switch k {
		case opAgentChat:
			s := m.sessions[m.rng.IntN(len(m.sessions))]
			if !s.busy {
				s.busy = true
				return k, s, -1
			}
		case opTechChat, opRelease:
			t := m.rng.IntN(len(m.held))
			if hs := m.held[t]; len(hs) > 0 {
				if s := hs[m.rng.IntN(len(hs))]; !s.busy {
					s.busy = true
					return k, s, t
				}
			}
		case opTake:
			g := m.rng.IntN(len(m.queued))
			if qs := m.queued[g]; len(qs) > 0 {
				if s := qs[m.rng.IntN(len(qs))]; !s.busy {
					s.busy = true
					ts := m.byGroup[g]
					return k, s, ts[m.rng.IntN(len(ts))]
				}
			}
		case opSOS:
			return k, nil, -1
		}
	}
	return m.pick2()
}

// pick2 is pick's fallback: any idle session's agent chats; nil when
// every session tried was busy.
func (m *model) pick2() (opKind, *session, int) {
	for range 100 {
		s := m.sessions[m.rng.IntN(len(m.sessions))]
		if !s.busy {
			s.busy = true
			return opAgentChat, s, -1
		}
	}
	return opAgentChat, nil, -1
}

// done records the outcome of an action on s and makes it idle again.
func (m *model) done(k opKind, s *session, tech int, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.busy = false
	if !ok {
		return
	}
	switch k {
	case opTake:
		m.queued[s.group] = without(m.queued[s.group], s)
		s.assignee = tech
		m.held[tech] = append(m.held[tech], s)
	case opRelease:
		m.held[s.assignee] = without(m.held[s.assignee], s)
		s.assignee = -1
		m.queued[s.group] = append(m.queued[s.group], s)
	}
}

func without(list []*session, s *session) []*session {
	for i, x := range list {
		if x == s {
			list[i] = list[len(list)-1]
			return list[:len(list)-1]
		}
	}
	return list
}

// maxInFlight bounds concurrent generated requests; a generator that
// cannot keep up skips events and counts them.
const maxInFlight = 256

// generate issues events at cfg.Rate for d, paced every 10 ms.
func (h *harness) generate(ctx context.Context, d time.Duration) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxInFlight)
	start := time.Now()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	issued := 0
	nextSOS := 0
	for {
		now := time.Now()
		el := now.Sub(start)
		if el >= d || ctx.Err() != nil {
			break
		}
		for due := int(el.Seconds() * h.cfg.Rate); issued < due; issued++ {
			select {
			case sem <- struct{}{}:
			default:
				h.skipped.Add(1) // the generator is saturated
				continue
			}
			k, s, tech := h.model.pick()
			if s == nil && k != opSOS {
				<-sem
				h.skipped.Add(1) // every session tried was busy
				continue
			}
			wg.Add(1)
			sosIdx := 0
			if k == opSOS {
				nextSOS++
				sosIdx = nextSOS
			}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				h.do(ctx, k, s, tech, sosIdx)
			}()
		}
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	wg.Wait()
}

// do performs one generated event and records it.
func (h *harness) do(ctx context.Context, k opKind, s *session, tech int, sosIdx int) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rec := &opRecord{kind: k}
	if s != nil {
		rec.sid = s.id
	}
	sent := time.Now()
	rec.sent = sent.UnixNano()
	var err error
	switch k {
	case opAgentChat:
		var m *api.Message
		if m, err = s.agent.api.AgentPostMessage(ctx, chatText(sent)); err == nil {
			rec.msgID = m.ID
		}
	case opTechChat:
		var m *api.Message
		if m, err = h.techs[tech].api.PostMessage(ctx, s.id, chatText(sent)); err == nil {
			rec.msgID = m.ID
		}
	case opTake:
		rec.techID = h.seed.Techs[tech].ID
		_, err = h.techs[tech].api.Take(ctx, s.id)
	case opRelease:
		_, err = h.techs[tech].api.Release(ctx, s.id)
	case opSOS:
		err = h.sos(ctx, rec, sosIdx)
	}
	if rec.dur == 0 {
		rec.dur = time.Since(sent)
	}
	rec.ok = err == nil
	if err != nil {
		h.errorf("%s: %s", k, classify(err))
	}
	if s != nil {
		h.model.done(k, s, tech, rec.ok)
	}
	h.omu.Lock()
	h.ops = append(h.ops, rec)
	h.omu.Unlock()
}

// sos submits a new SOS Call from the next source address; the new agent
// connects its events WebSocket, by default replaying its whole session
// (SinceAll), and the session joins the model once the agent is ready.
func (h *harness) sos(ctx context.Context, rec *opRecord, n int) error {
	g := n % h.cfg.Groups
	c, err := apiclient.New(h.url, apiclient.Options{HTTPClient: h.pool.client(int(h.sosIP.Add(1)))})
	if err != nil {
		return err
	}
	j, err := c.SubmitSOS(ctx, api.SOSRequest{
		ChannelID: h.seed.Channels[g], Name: fmt.Sprintf("Caller %05d", n), Problem: "Cannot print",
		Device: api.Device{OS: "windows", OSVersion: "11", Hostname: fmt.Sprintf("sos-%05d", n), User: "user"},
	})
	if err != nil {
		return err
	}
	rec.sid, rec.dur = j.Session.SessionID, time.Duration(time.Now().UnixNano()-rec.sent)
	a := &simClient{h: h, kind: kindAgent, group: g, session: rec.sid, api: c}
	h.addAgent(a)
	since := int64(0) // live events only: the session has none yet that agents see
	if h.cfg.SOSReplay {
		since = apiclient.SinceAll
	}
	a.connect(context.WithoutCancel(ctx), since)
	// Technicians act on the session once its agent listens, as the agent
	// app connects right after its SOS Call.
	select {
	case <-a.ready:
	case <-ctx.Done():
	}
	h.model.addSession(rec.sid, g, a, -1)
	return nil
}
