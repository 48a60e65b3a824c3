package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// wsClient is a test's WebSocket client.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
}

func (e *env) dial(token, query string) *wsClient {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/api/v1/events"
	if query != "" {
		url += "?" + query
	}
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		e.t.Fatalf("dial events: %v", err)
	}
	c.SetReadLimit(1 << 24)
	e.t.Cleanup(func() { c.CloseNow() })
	return &wsClient{t: e.t, conn: c}
}

// next reads one message; it fails the test after 5 s.
func (c *wsClient) next() api.Envelope {
	c.t.Helper()
	_, raw := c.nextRaw()
	var m api.Envelope
	if err := json.Unmarshal(raw, &m); err != nil {
		c.t.Fatalf("decode %s: %v", raw, err)
	}
	return m
}

func (c *wsClient) nextRaw() (api.Envelope, []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, raw, err := c.conn.Read(ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m api.Envelope
	json.Unmarshal(raw, &m)
	return m, raw
}

// ready reads until the ready message and returns the events before it.
func (c *wsClient) ready() ([]api.Envelope, int64) {
	c.t.Helper()
	var evs []api.Envelope
	for {
		m := c.next()
		if m.Type == api.TypeReady {
			var r api.Ready
			json.Unmarshal(m.Data, &r)
			return evs, r.LastSeq
		}
		evs = append(evs, m)
	}
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	raw, ok := v.([]byte)
	if !ok {
		raw, _ = json.Marshal(v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, raw); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func TestEventsRoutedOnlyToRoutedTechnicians(t *testing.T) {
	w := newWorld(t)
	e := w.env
	routed := e.dial(w.t1Token, "")
	unrouted := e.dial("", "token="+w.t2Token) // the query-token form
	routed.ready()
	unrouted.ready()

	j := e.sos(w.chanA.ID, "Carl")
	m := routed.next()
	if m.Type != "session.created" || m.SessionID != j.Session.SessionID || m.Seq == 0 {
		t.Fatalf("routed technician got %+v", m)
	}
	var s api.Session
	json.Unmarshal(m.Data, &s)
	if s.State != "queued" || s.EndUserName != "Carl" || s.ChannelName != "Design" {
		t.Fatalf("event session = %+v", s)
	}
	// The unrouted technician's next event is their own availability change,
	// not the request.
	e.must(200, "PUT", "/api/v1/me/availability", w.t2Token, api.AvailabilityRequest{Availability: "busy"}, nil)
	if m := unrouted.next(); m.Type != "account.changed" {
		t.Fatalf("unrouted technician got %+v", m)
	}

	// The agent sees its session's changes and chat, but not internal events.
	agent := e.dial(j.Token, "")
	agent.ready()
	e.must(200, "POST", fmt.Sprintf("/api/v1/sessions/%d/take", j.Session.SessionID), w.t1Token, nil, nil)
	m = agent.next()
	var view api.AgentSession
	json.Unmarshal(m.Data, &view)
	if m.Type != "session.updated" || view.State != "active" || view.TechnicianName != "t1" || view.OrgName != "Example Corp" {
		t.Fatalf("agent got %+v (%+v)", m, view)
	}
	if m := routed.next(); m.Type != "session.updated" {
		t.Fatalf("routed technician got %+v", m)
	}

	// Joining the group routes the channel's new requests to them at once.
	var t2 api.Account
	e.must(200, "GET", "/api/v1/me", w.t2Token, nil, &t2)
	e.must(200, "PATCH", fmt.Sprintf("/api/v1/technicians/%d", t2.ID), e.owner, map[string]any{"group_ids": []int64{w.group, w.otherGrp}}, nil)
	if m := unrouted.next(); m.Type != "account.changed" {
		t.Fatalf("after joining the group: %+v", m)
	}
	j2 := e.sos(w.chanA.ID, "Dora")
	if m := unrouted.next(); m.Type != "session.created" || m.SessionID != j2.Session.SessionID {
		t.Fatalf("newly routed technician got %+v", m)
	}
	// Disabling the account ends its connection.
	e.must(200, "PATCH", fmt.Sprintf("/api/v1/technicians/%d", t2.ID), e.owner, map[string]any{"disabled": true}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := unrouted.conn.Read(ctx); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("disabled technician's connection: %v", err)
	}

	// Anonymous and bad tokens are refused before the upgrade.
	for _, q := range []string{"", "token=nope"} {
		url := "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/api/v1/events?" + q
		_, resp, err := websocket.Dial(context.Background(), url, nil)
		if err == nil || resp == nil || resp.StatusCode != 401 {
			t.Fatalf("dial %q: %v %v", q, err, resp)
		}
	}
}

func TestEventsCatchUpWithoutDuplicates(t *testing.T) {
	w := newWorld(t)
	e := w.env
	c := e.dial(w.t1Token, "")
	_, last := c.ready()
	e.sos(w.chanA.ID, "one")
	first := c.next()
	c.conn.Close(websocket.StatusNormalClosure, "")

	// Missed while away: two visible requests and one in a channel not routed to t1.
	var chans []api.Channel
	e.must(200, "GET", "/api/v1/channels", e.owner, nil, &chans)
	e.sos(w.chanA.ID, "two")
	for _, ch := range chans {
		if ch.ID != w.chanA.ID {
			e.must(201, "POST", "/api/v1/sessions", e.owner, api.CreateLinkRequest{ChannelID: ch.ID, EndUserName: "invisible"}, nil)
		}
	}
	e.sos(w.chanA.ID, "three")

	c = e.dial(w.t1Token, fmt.Sprintf("since=%d", first.Seq))
	missed, top := c.ready()
	if len(missed) != 2 || top <= first.Seq || last >= first.Seq {
		t.Fatalf("caught up %d events (top %d, first %d)", len(missed), top, first.Seq)
	}
	for i, m := range missed {
		if m.Type != "session.created" || m.Seq <= first.Seq || i > 0 && m.Seq <= missed[i-1].Seq {
			t.Fatalf("missed[%d] = %+v", i, m)
		}
	}
	e.sos(w.chanA.ID, "five")
	if m := c.next(); m.Type != "session.created" || m.Seq <= missed[1].Seq {
		t.Fatalf("live after catch-up: %+v", m)
	}

	// Catch-up racing live publishing: every event exactly once.
	const n = 15
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			e.svc.SubmitSOS(context.Background(), w.chanA.ID, fmt.Sprintf("race %d", i), "x", desk.DeviceInfo{}, "10.0.0.2")
		}
	}()
	r := e.dial(w.t1Token, fmt.Sprintf("since=%d", top))
	seen := map[int64]bool{}
	racing, ready := 0, false
	for racing < n || !ready {
		m := r.next()
		if m.Type == api.TypeReady {
			ready = true
			continue
		}
		if seen[m.Seq] {
			t.Fatalf("event %d delivered twice", m.Seq)
		}
		seen[m.Seq] = true
		var s api.Session
		json.Unmarshal(m.Data, &s)
		if strings.HasPrefix(s.EndUserName, "race ") {
			racing++
		}
	}
	wg.Wait()

	// A resume message replays on a live connection.
	r.send(api.Envelope{Type: api.TypeResume, Seq: first.Seq})
	replayed, _ := r.ready()
	if len(replayed) < 2+1+n {
		t.Fatalf("resume replayed %d events", len(replayed))
	}
	r.send(api.Envelope{Type: api.TypePing})
	if m := r.next(); m.Type != api.TypePong {
		t.Fatalf("ping answered with %+v", m)
	}
}

func TestSlowClientIsDisconnected(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		c.SendQueue = 32
		c.WriteTimeout = 300 * time.Millisecond
	})
	e := w.env
	j := e.sos(w.chanA.ID, "Carl")
	slow := e.dial(j.Token, "")
	fast := e.dial(j.Token, "")
	fast.ready()
	// The slow client never reads, so nothing tells when the server has
	// registered it: wait for both registrations.
	for deadline := time.Now().Add(5 * time.Second); e.hub.count() != 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if e.hub.count() != 2 {
		t.Fatalf("%d connections", e.hub.count())
	}

	text := strings.Repeat("x", 60<<10)
	sess := &desk.Session{ID: j.Session.SessionID, ChannelID: w.chanA.ID, Kind: desk.KindSOS, State: desk.Queued}
	got := make(chan int, 1)
	go func() {
		n := 0
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, _, err := fast.conn.Read(ctx)
			cancel()
			if err != nil {
				return
			}
			n++
			got <- n
		}
	}()
	seq := int64(1 << 40)
	published := 0
	deadline := time.Now().Add(20 * time.Second)
	for e.hub.count() > 1 {
		if time.Now().After(deadline) {
			t.Fatalf("slow client still connected after %d events", published)
		}
		for i := 0; i < 16; i++ { // a batch the fast client's queue holds
			seq++
			e.hub.Publish(&desk.Event{Seq: seq, Type: desk.EventChatMessage, At: e.clock.Now(), SessionID: sess.ID, ChannelID: sess.ChannelID,
				Session: sess, Message: &desk.Message{ID: seq, SessionID: sess.ID, FromKind: desk.ActorTechnician, Text: text}})
			published++
		}
		for n := 0; n < published; {
			select {
			case n = <-got:
			case <-time.After(10 * time.Second):
				t.Fatalf("fast client stuck at %d of %d", n, published)
			}
		}
	}
	if !strings.Contains(e.logs.String(), `"reason":"too slow"`) {
		t.Error("the slow client was not closed as too slow")
	}
	// The slow client finds its connection gone once it reads.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := slow.conn.Read(ctx); err != nil {
			break
		}
	}
	// The fast one still works.
	e.must(201, "POST", "/api/v1/agent/messages", j.Token, api.PostMessageRequest{Text: "still here"}, nil)
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("fast client stopped receiving")
	}
}

func TestSignalingRelay(t *testing.T) {
	w := newWorld(t)
	e := w.env
	var link api.CreateLinkResponse
	e.must(201, "POST", "/api/v1/sessions", w.t1Token, api.CreateLinkRequest{ChannelID: w.chanA.ID}, &link)
	var join api.AgentJoinResponse
	e.must(200, "POST", "/api/v1/agent/join", "", api.AgentJoinRequest{LinkToken: link.LinkToken}, &join)
	sid := link.Session.ID
	other := e.sos(w.chanA.ID, "Other")
	_, t3Token := e.createTech("t3@example.com", "technician", []int64{w.group})

	agent := e.dial(join.Token, "")
	tech := e.dial(w.t1Token, "")
	outsider := e.dial(w.t2Token, "")
	routedNotParticipant := e.dial(t3Token, "")
	otherAgent := e.dial(other.Token, "")
	for _, c := range []*wsClient{agent, tech, outsider, routedNotParticipant, otherAgent} {
		c.ready()
	}

	// Verbatim: whitespace, key order, HTML characters and numbers survive.
	offer := `{ "sdp" : "v=0\r\no=- 1 2 IN IP4 <127.0.0.1>", "type":"offer", "z": 1.50e0 }`
	agent.send([]byte(fmt.Sprintf(`{"type":"signal","session_id":%d,"data":%s}`, sid, offer)))
	_, raw := tech.nextRaw()
	want := fmt.Sprintf(`{"type":"signal","session_id":%d,"from":"agent","data":%s}`, sid, offer)
	if string(raw) != want {
		t.Fatalf("technician got\n%s\nwant\n%s", raw, want)
	}
	answer := `[1, "answer", {"candidate": "a=candidate:1 1 udp 2130706431 10.0.0.1 5000 typ host"}]`
	tech.send([]byte(fmt.Sprintf(`{"type":"signal","session_id":%d,"data":%s}`, sid, answer)))
	_, raw = agent.nextRaw()
	want = fmt.Sprintf(`{"type":"signal","session_id":%d,"from":"technician","from_id":%d,"data":%s}`, sid, w.t1, answer)
	if string(raw) != want {
		t.Fatalf("agent got\n%s\nwant\n%s", raw, want)
	}

	refused := []struct {
		name string
		c    *wsClient
		msg  string
		code string
	}{
		{"unrouted technician", outsider, fmt.Sprintf(`{"type":"signal","session_id":%d,"data":{}}`, sid), desk.ENOTFOUND},
		{"routed non-participant", routedNotParticipant, fmt.Sprintf(`{"type":"signal","session_id":%d,"data":{}}`, sid), desk.ENOTFOUND},
		{"agent of another session", otherAgent, fmt.Sprintf(`{"type":"signal","session_id":%d,"data":{}}`, sid), desk.ENOTFOUND},
		{"agent of a queued session", otherAgent, fmt.Sprintf(`{"type":"signal","session_id":%d,"data":{}}`, other.Session.SessionID), desk.ECONFLICT},
		{"no data", agent, fmt.Sprintf(`{"type":"signal","session_id":%d}`, sid), desk.EINVALID},
		{"too large", agent, fmt.Sprintf(`{"type":"signal","session_id":%d,"data":"%s"}`, sid, strings.Repeat("a", api.MaxSignalBytes)), desk.ETOOLARGE},
		{"unknown field", agent, `{"type":"signal","session_id":1,"data":{},"extra":1}`, desk.EINVALID},
		{"malformed", agent, `{"type":"signal",`, desk.EINVALID},
		{"unknown type", agent, `{"type":"offer"}`, desk.EINVALID},
	}
	for _, r := range refused {
		r.c.send([]byte(r.msg))
		m := r.c.next()
		var er api.Error
		json.Unmarshal(m.Data, &er)
		if m.Type != api.TypeError || er.Code != r.code {
			t.Errorf("%s: got %+v (%+v), want error %s", r.name, m, er, r.code)
		}
	}
	// Nothing leaked to the session's technician or agent: their next
	// messages are a fresh signal each.
	agent.send([]byte(fmt.Sprintf(`{"type":"signal","session_id":%d,"data":"bye"}`, sid)))
	if m := tech.next(); m.Type != api.TypeSignal || string(m.Data) != `"bye"` {
		t.Fatalf("technician got %+v", m)
	}
	// A message above the read limit ends the connection.
	agent.send([]byte(fmt.Sprintf(`{"type":"signal","session_id":%d,"data":"%s"}`, sid, strings.Repeat("a", api.MaxSignalBytes+8<<10))))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := agent.conn.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("oversized message: %v", err)
	}
}

func TestClientMessageFlood(t *testing.T) {
	w := newWorld(t)
	e := w.env
	j := e.sos(w.chanA.ID, "Carl")
	c := e.dial(j.Token, "")
	c.ready()
	for i := 0; i < maxClientMessages+20; i++ {
		c.send(api.Envelope{Type: api.TypePing})
	}
	pongs, limited := 0, 0
	for pongs+limited < maxClientMessages+20 {
		m := c.next()
		switch m.Type {
		case api.TypePong:
			pongs++
		case api.TypeError:
			limited++
		}
	}
	if limited == 0 || pongs < maxClientMessages {
		t.Fatalf("%d pongs, %d refusals", pongs, limited)
	}
}

func TestLogoutEndsConnection(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.PingInterval = 20 * time.Millisecond })
	e := w.env
	token := e.login("t1@example.com")
	c := e.dial(token, "")
	c.ready()
	e.must(204, "POST", "/api/v1/logout", token, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, _, err := c.conn.Read(ctx)
		if err == nil {
			continue
		}
		if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
			t.Fatalf("after logout: %v", err)
		}
		break
	}
}

func TestCloseWaitsForConnections(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.SweepInterval = 10 * time.Millisecond })
	e := w.env
	c := e.dial(w.t1Token, "")
	c.ready()
	done := make(chan struct{})
	go func() {
		e.srv.Close()
		e.srv.Close() // idempotent
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.conn.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("client saw %v, want going away", err)
	}
	if e.hub.count() != 0 {
		t.Fatalf("%d connections left", e.hub.count())
	}
	// Close waited for every goroutine the server owns: their work is
	// done. A goroutine that signalled it may still be returning (its last
	// deferred calls, net/http's handler epilogue) when the scheduler is
	// busy, so the stacks get a moment to clear; a goroutine still there
	// after it is a leak.
	owned := []string{"server.(*wsConn)", "server.(*Server).sweep", "server.(*Server).events", "server.(*Server).learnChannelsOf"}
	var left []string
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		left = left[:0]
		for _, o := range owned {
			if strings.Contains(stacks, o) {
				left = append(left, o)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, o := range left {
		t.Errorf("goroutine %s still running 2 s after Close", o)
	}
	// New connections are refused after Close.
	url := "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/api/v1/events"
	_, resp, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + w.t1Token}}})
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("dial after Close: %v %v", err, resp)
	}
}

// TestSignalingAddressed: collaborators watch one session over a
// connection each, so the agent addresses its signals; only the named
// participant gets them, and technicians are told apart by from_id.
func TestSignalingAddressed(t *testing.T) {
	w := newWorld(t)
	e := w.env
	var link api.CreateLinkResponse
	e.must(201, "POST", "/api/v1/sessions", w.t1Token, api.CreateLinkRequest{ChannelID: w.chanA.ID}, &link)
	var join api.AgentJoinResponse
	e.must(200, "POST", "/api/v1/agent/join", "", api.AgentJoinRequest{LinkToken: link.LinkToken}, &join)
	sid := link.Session.ID
	t3, t3Token := e.createTech("t3@example.com", "technician", []int64{w.group})
	t4, _ := e.createTech("t4@example.com", "technician", []int64{w.group}) // routed, not invited
	e.must(200, "POST", fmt.Sprintf("/api/v1/sessions/%d/invite", sid), w.t1Token, api.InviteRequest{TechnicianID: t3}, nil)

	agent := e.dial(join.Token, "")
	tech1 := e.dial(w.t1Token, "")
	tech3 := e.dial(t3Token, "")
	for _, c := range []*wsClient{agent, tech1, tech3} {
		c.ready()
	}

	agent.send([]byte(fmt.Sprintf(`{"type":"signal","session_id":%d,"to":%d,"data":{"sdp":"for t3"}}`, sid, t3)))
	_, raw := tech3.nextRaw()
	if want := fmt.Sprintf(`{"type":"signal","session_id":%d,"from":"agent","to":%d,"data":{"sdp":"for t3"}}`, sid, t3); string(raw) != want {
		t.Fatalf("t3 got\n%s\nwant\n%s", raw, want)
	}
	agent.send([]byte(fmt.Sprintf(`{"type":"signal","session_id":%d,"to":%d,"data":{"sdp":"for t1"}}`, sid, w.t1)))
	if m := tech1.next(); m.Type != api.TypeSignal || m.To != w.t1 || string(m.Data) != `{"sdp":"for t1"}` {
		t.Fatalf("t1 got %+v (%s)", m, m.Data)
	}
	// Unaddressed still reaches both: each one's next message is this one,
	// so neither received the other's addressed signal.
	agent.send([]byte(fmt.Sprintf(`{"type":"signal","session_id":%d,"data":"all"}`, sid)))
	for _, c := range []*wsClient{tech1, tech3} {
		if m := c.next(); m.Type != api.TypeSignal || m.To != 0 || string(m.Data) != `"all"` {
			t.Fatalf("got %+v (%s), want the unaddressed signal", m, m.Data)
		}
	}

	// The agent tells its technicians apart by from_id.
	for _, c := range []struct {
		ws *wsClient
		id int64
	}{{tech1, w.t1}, {tech3, t3}} {
		c.ws.send([]byte(fmt.Sprintf(`{"type":"signal","session_id":%d,"data":"answer"}`, sid)))
		if m := agent.next(); m.Type != api.TypeSignal || m.From != api.FromTechnician || m.FromID != c.id {
			t.Fatalf("agent got %+v, want from_id %d", m, c.id)
		}
	}

	refused := []struct {
		name string
		c    *wsClient
		msg  string
		code string
	}{
		{"addressed to a non-participant", agent, fmt.Sprintf(`{"type":"signal","session_id":%d,"to":%d,"data":{}}`, sid, t4), desk.ENOTFOUND},
		{"addressed to nobody known", agent, fmt.Sprintf(`{"type":"signal","session_id":%d,"to":999999,"data":{}}`, sid), desk.ENOTFOUND},
		{"negative to", agent, fmt.Sprintf(`{"type":"signal","session_id":%d,"to":-1,"data":{}}`, sid), desk.EINVALID},
		{"technician addressing", tech1, fmt.Sprintf(`{"type":"signal","session_id":%d,"to":%d,"data":{}}`, sid, t3), desk.EINVALID},
	}
	for _, r := range refused {
		r.c.send([]byte(r.msg))
		m := r.c.next()
		var er api.Error
		json.Unmarshal(m.Data, &er)
		if m.Type != api.TypeError || er.Code != r.code {
			t.Errorf("%s: got %+v (%+v), want error %s", r.name, m, er, r.code)
		}
	}
	// Nothing of the refused reached t3.
	agent.send([]byte(fmt.Sprintf(`{"type":"signal","session_id":%d,"to":%d,"data":"last"}`, sid, t3)))
	if m := tech3.next(); m.Type != api.TypeSignal || string(m.Data) != `"last"` {
		t.Fatalf("t3 got %+v", m)
	}
}

// TestSweeperPrunesOldEvents: events older than the retention disappear
// from catch-up, except the newest, and new events continue its numbers.
func TestSweeperPrunesOldEvents(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		c.SweepInterval = 10 * time.Millisecond
		c.EventRetention = 48 * time.Hour
	})
	e := w.env
	for i := 0; i < 3; i++ {
		e.sos(w.chanA.ID, fmt.Sprintf("user %d", i))
	}
	catchUp := func() (map[int64]bool, int64) {
		// A fresh login each time: the clock moves past tokens' lifetime
		// (logging in and expiring sessions add events of their own).
		c := e.dial(e.login("t1@example.com"), "since=0")
		defer c.conn.Close(websocket.StatusNormalClosure, "")
		evs, top := c.ready()
		seqs := map[int64]bool{}
		for _, ev := range evs {
			seqs[ev.Seq] = true
		}
		return seqs, top
	}
	old, _ := catchUp()
	if len(old) < 3 {
		t.Fatalf("catch-up before pruning: %d events, want at least the 3 SOS Calls", len(old))
	}
	e.clock.Advance(47 * time.Hour) // within the retention: kept
	time.Sleep(100 * time.Millisecond)
	kept, _ := catchUp()
	for seq := range old {
		if !kept[seq] {
			t.Fatalf("event %d pruned within the retention", seq)
		}
	}
	e.clock.Advance(2 * time.Hour) // past it for the first events, and past the hourly pruning interval
	deadline := time.Now().Add(5 * time.Second)
	var last int64
	for {
		seqs, top := catchUp()
		left := 0
		for seq := range old {
			if seqs[seq] {
				left++
			}
		}
		if left == 0 {
			last = top
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d old events still replayed 5 s after they passed the retention", left, len(old))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Numbering continues: the newest event was kept.
	e.sos(w.chanA.ID, "after pruning")
	seqs, top := catchUp()
	if top <= last || !seqs[top] {
		t.Fatalf("after a new event: newest seq %d, want above %d and replayed", top, last)
	}
}
