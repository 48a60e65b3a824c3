package apiclient_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/desk"
)

// recorder collects what an Events connection delivers.
type recorder struct {
	mu     sync.Mutex
	events []api.Envelope
	states []apiclient.State
	change chan struct{}
}

func newRecorder() *recorder { return &recorder{change: make(chan struct{}, 1)} }

func (r *recorder) config(since int64) apiclient.EventsConfig {
	return apiclient.EventsConfig{
		Since: since, OnEvent: r.onEvent, OnState: r.onState,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
	}
}

func (r *recorder) onEvent(e api.Envelope) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) onState(s apiclient.State) {
	r.mu.Lock()
	r.states = append(r.states, s)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) poke() {
	select {
	case r.change <- struct{}{}:
	default:
	}
}

// wait waits until cond holds over the recorded events and states.
func (r *recorder) wait(t *testing.T, what string, cond func(events []api.Envelope, states []apiclient.State) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		ok := cond(r.events, r.states)
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.change:
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("timed out waiting for %s; events %v; states %v", what, types(r.events), r.states)
		}
	}
}

func (r *recorder) waitConnected(t *testing.T, n int) {
	t.Helper()
	r.wait(t, "connected", func(_ []api.Envelope, states []apiclient.State) bool {
		c := 0
		for _, s := range states {
			if s.Status == apiclient.StatusConnected {
				c++
			}
		}
		return c >= n
	})
}

func types(evs []api.Envelope) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func hasEvent(typ string, sessionID int64) func([]api.Envelope, []apiclient.State) bool {
	return func(evs []api.Envelope, _ []apiclient.State) bool {
		for _, e := range evs {
			if e.Type == typ && e.SessionID == sessionID {
				return true
			}
		}
		return false
	}
}

func TestEventsSessionCreatedOnSOS(t *testing.T) {
	w := newWorld(t)
	rec := newRecorder()
	ev := w.tech.Connect(testCtx(t), rec.config(0))
	defer ev.Close()
	rec.waitConnected(t, 1)

	_, j := w.sos(t, "Aaron")
	rec.wait(t, "session.created", hasEvent("session.created", j.Session.SessionID))
	rec.mu.Lock()
	var s api.Session
	for _, e := range rec.events {
		if e.Type == "session.created" {
			if err := json.Unmarshal(e.Data, &s); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec.mu.Unlock()
	if s.ID != j.Session.SessionID || s.EndUserName != "Aaron" || s.State != "queued" {
		t.Fatalf("session.created data = %+v", s)
	}
	if ev.LastSeq() == 0 {
		t.Fatal("LastSeq not advanced")
	}
}

func TestEventsResumeAfterBrokerRestart(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)
	rec := newRecorder()
	ev := w.tech.Connect(ctx, rec.config(0))
	defer ev.Close()
	rec.waitConnected(t, 1)

	_, first := w.sos(t, "Before")
	rec.wait(t, "first session", hasEvent("session.created", first.Session.SessionID))

	// Events committed while the broker is down for the client: they are
	// in the database, and the client must catch up on them.
	var missed []int64
	w.restart(func(svc *desk.Service) {
		for _, name := range []string{"During 1", "During 2"} {
			j, err := svc.SubmitSOS(ctx, w.channel.ID, name, "down", testDevice.ToDevice(), "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			missed = append(missed, j.Session.ID)
		}
	})
	for _, id := range missed {
		rec.wait(t, "missed session", hasEvent("session.created", id))
	}
	rec.waitConnected(t, 2)
	_, after := w.sos(t, "After")
	rec.wait(t, "live session after restart", hasEvent("session.created", after.Session.SessionID))

	rec.mu.Lock()
	defer rec.mu.Unlock()
	var prev int64
	for _, e := range rec.events {
		if e.Seq == 0 {
			continue
		}
		if e.Seq <= prev {
			t.Fatalf("event seq %d after %d: duplicate or out of order: %v", e.Seq, prev, types(rec.events))
		}
		prev = e.Seq
	}
	created := 0
	for _, e := range rec.events {
		if e.Type == "session.created" {
			created++
		}
	}
	if created != 4 {
		t.Fatalf("got %d session.created events, want 4: %v", created, types(rec.events))
	}
	sawDown := false
	for _, s := range rec.states {
		if s.Status == apiclient.StatusDisconnected && s.Err != nil {
			sawDown = true
		}
	}
	if !sawDown {
		t.Fatalf("no disconnected state reported: %v", rec.states)
	}
}

func TestEventsSinceReplays(t *testing.T) {
	w := newWorld(t)
	_, j := w.sos(t, "Earlier")
	rec := newRecorder()
	ev := w.tech.Connect(testCtx(t), rec.config(apiclient.SinceAll))
	defer ev.Close()
	rec.wait(t, "replayed session.created", hasEvent("session.created", j.Session.SessionID))
}

func TestEventsUnauthorizedStops(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	c.SetToken("not-a-valid-token")
	rec := newRecorder()
	ev := c.Connect(testCtx(t), rec.config(0))
	defer ev.Close()
	select {
	case <-ev.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("events did not stop on 401")
	}
	if !apiclient.IsCode(ev.Err(), apiclient.CodeUnauthorized) {
		t.Fatalf("Err = %v, want unauthorized", ev.Err())
	}
	rec.wait(t, "stopped state", func(_ []api.Envelope, states []apiclient.State) bool {
		return len(states) > 0 && states[len(states)-1].Status == apiclient.StatusStopped &&
			apiclient.IsCode(states[len(states)-1].Err, apiclient.CodeUnauthorized)
	})
	if err := ev.SendSignal(context.Background(), 1, json.RawMessage(`{}`)); err != apiclient.ErrClosed {
		t.Fatalf("SendSignal after stop = %v", err)
	}
}

func TestEventsCloseLeaksNothing(t *testing.T) {
	w := newWorld(t)
	rec := newRecorder()
	ev := w.tech.Connect(context.Background(), rec.config(0))
	rec.waitConnected(t, 1)
	sc := ev.Signals(5)
	recvErr := make(chan error, 1)
	go func() {
		_, err := sc.Recv(context.Background())
		recvErr <- err
	}()
	ev.Close()
	ev.Close() // idempotent
	if err := <-recvErr; err != apiclient.ErrClosed {
		t.Fatalf("Recv after Close = %v", err)
	}
	noClientGoroutines(t)

	// Also while reconnecting to a broker that is gone.
	w.stop()
	ev = w.tech.Connect(context.Background(), rec.config(0))
	rec.wait(t, "a failed attempt", func(_ []api.Envelope, states []apiclient.State) bool {
		s := states[len(states)-1]
		return s.Status == apiclient.StatusDisconnected && apiclient.IsUnreachable(s.Err)
	})
	ev.Close()
	noClientGoroutines(t)
}

func TestSignalsRelayed(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)
	agent, j := w.sos(t, "Aaron")
	id := j.Session.SessionID
	if _, err := w.tech.Take(ctx, id); err != nil {
		t.Fatal(err)
	}

	techRec, agentRec := newRecorder(), newRecorder()
	techEv := w.tech.Connect(ctx, techRec.config(0))
	defer techEv.Close()
	agentEv := agent.Connect(ctx, agentRec.config(apiclient.SinceAll))
	defer agentEv.Close()
	techRec.waitConnected(t, 1)
	agentRec.waitConnected(t, 1)

	techSig, agentSig := techEv.Signals(id), agentEv.Signals(id)
	if techEv.Signals(id) != techSig {
		t.Fatal("Signals returned a second channel for the same session")
	}
	offer := []byte(`{"type":"offer","sdp":"v=0..."}`)
	if err := techSig.Send(ctx, offer); err != nil {
		t.Fatal(err)
	}
	env, err := agentSig.RecvEnvelope(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(env.Data) != string(offer) || env.From != api.FromTechnician || env.FromID != w.techID {
		t.Fatalf("agent got %+v", env)
	}
	answer := []byte(`{"type":"answer","sdp":"v=0 answer"}`)
	if err := agentSig.Send(ctx, answer); err != nil {
		t.Fatal(err)
	}
	got, err := techSig.Recv(ctx)
	if err != nil || string(got) != string(answer) {
		t.Fatalf("technician got %s, %v", got, err)
	}

	// A refused signal comes back as an error message.
	if err := techEv.SendSignal(ctx, id+1000, json.RawMessage(`{"x":1}`)); err != nil {
		t.Fatal(err)
	}
	techRec.wait(t, "error message", hasEvent(api.TypeError, id+1000))

	// Without an open channel, signals go to OnEvent.
	techSig.Close()
	if err := agentSig.Send(ctx, []byte(`{"candidate":"c1"}`)); err != nil {
		t.Fatal(err)
	}
	techRec.wait(t, "signal via OnEvent", hasEvent(api.TypeSignal, id))
	if _, err := techSig.Recv(ctx); err != apiclient.ErrClosed {
		t.Fatalf("Recv on closed channel = %v", err)
	}

	// Local validation.
	if err := agentSig.Send(ctx, []byte(`not json`)); !apiclient.IsCode(err, apiclient.CodeInvalid) {
		t.Fatalf("invalid data: %v", err)
	}
	big := make([]byte, api.MaxSignalBytes+1)
	if err := agentSig.Send(ctx, big); !apiclient.IsCode(err, apiclient.CodeTooLarge) {
		t.Fatalf("big data: %v", err)
	}
}

func TestAgentEventsAndEarlySignal(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)
	agent, j := w.sos(t, "Aaron")
	id := j.Session.SessionID

	rec := newRecorder()
	ev := agent.Connect(ctx, rec.config(apiclient.SinceAll))
	defer ev.Close()
	// Sent before the connection is up: SendSignal waits for it. The
	// session is not active yet, so the broker refuses it.
	if err := ev.SendSignal(ctx, id, json.RawMessage(`{"type":"offer"}`)); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "conflict error", func(evs []api.Envelope, _ []apiclient.State) bool {
		for _, e := range evs {
			var er api.Error
			if e.Type == api.TypeError && json.Unmarshal(e.Data, &er) == nil && er.Code == apiclient.CodeConflict {
				return true
			}
		}
		return false
	})
	if _, err := w.tech.Take(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.tech.PostMessage(ctx, id, "hello"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.tech.RequestRemote(ctx, id, "view"); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "agent events", func(evs []api.Envelope, _ []apiclient.State) bool {
		return hasEvent("chat.message", id)(evs, nil) && hasEvent("consent.requested", id)(evs, nil) &&
			hasEvent("session.updated", id)(evs, nil)
	})

	// A SendSignal waiting for a connection gives up with its ctx.
	w.stop()
	rec.wait(t, "disconnected", func(_ []api.Envelope, states []apiclient.State) bool {
		return states[len(states)-1].Status != apiclient.StatusConnected
	})
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := ev.SendSignal(short, id, json.RawMessage(`{}`)); err != context.DeadlineExceeded {
		t.Fatalf("SendSignal without a broker: %v", err)
	}
}

func TestEventsPingKeepsConnection(t *testing.T) {
	w := newWorld(t)
	rec := newRecorder()
	cfg := rec.config(0)
	cfg.PingInterval = 20 * time.Millisecond
	ev := w.tech.Connect(testCtx(t), cfg)
	defer ev.Close()
	rec.waitConnected(t, 1)
	time.Sleep(300 * time.Millisecond)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, s := range rec.states {
		if s.Status == apiclient.StatusDisconnected {
			t.Fatalf("disconnected while pinging: %v", s.Err)
		}
	}
}

// TestSignalsAddressed: an agent serving two technicians addresses each
// signal; only the addressee receives it, and the agent tells the
// technicians' signals apart by FromID.
func TestSignalsAddressed(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)
	agent, j := w.sos(t, "Aaron")
	id := j.Session.SessionID
	if _, err := w.tech.Take(ctx, id); err != nil {
		t.Fatal(err)
	}
	a2, err := w.owner.CreateTechnician(ctx, api.CreateTechnicianRequest{
		Email: "t2@example.com", Name: "Tom", Role: "technician", Password: password,
		GroupIDs: []int64{w.group.ID}, Availability: "available",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.tech.Invite(ctx, id, a2.ID); err != nil {
		t.Fatal(err)
	}
	tech2 := w.login(t, "t2@example.com")

	rec1, rec2, agentRec := newRecorder(), newRecorder(), newRecorder()
	ev1 := w.tech.Connect(ctx, rec1.config(0))
	defer ev1.Close()
	ev2 := tech2.Connect(ctx, rec2.config(0))
	defer ev2.Close()
	agentEv := agent.Connect(ctx, agentRec.config(0))
	defer agentEv.Close()
	rec1.waitConnected(t, 1)
	rec2.waitConnected(t, 1)
	agentRec.waitConnected(t, 1)
	sig1, sig2, agentSig := ev1.Signals(id), ev2.Signals(id), agentEv.Signals(id)

	for _, c := range []struct {
		sc   *apiclient.SignalChannel
		from int64
	}{{sig1, w.techID}, {sig2, a2.ID}} {
		if err := c.sc.Send(ctx, []byte(`"answer"`)); err != nil {
			t.Fatal(err)
		}
		env, err := agentSig.RecvEnvelope(ctx)
		if err != nil || env.FromID != c.from {
			t.Fatalf("agent got %+v, %v; want from %d", env, err, c.from)
		}
	}

	if err := agentSig.SendTo(ctx, a2.ID, []byte(`"for t2"`)); err != nil {
		t.Fatal(err)
	}
	if err := agentSig.SendTo(ctx, w.techID, []byte(`"for t1"`)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sc   *apiclient.SignalChannel
		to   int64
		want string
	}{{sig1, w.techID, `"for t1"`}, {sig2, a2.ID, `"for t2"`}} {
		env, err := c.sc.RecvEnvelope(ctx)
		if err != nil || string(env.Data) != c.want || env.To != c.to || env.From != api.FromAgent {
			t.Fatalf("got %+v (%s), %v; want %s", env, env.Data, err, c.want)
		}
	}
	if err := agentSig.SendTo(ctx, -1, []byte(`{}`)); !apiclient.IsCode(err, apiclient.CodeInvalid) {
		t.Fatalf("negative addressee: %v", err)
	}
}
