package main

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Targets of the load test on a 2-core machine (issue 6).
const (
	targetAgents = 5000
	targetTechs  = 500
	targetP99    = 100 * time.Millisecond
	targetRSS    = 1 << 30
)

// result is what a run measured.
type result struct {
	cfg       config
	started   time.Time
	fileLimit uint64
	loadavg   string // /proc/loadavg before the measured phase

	seedBuilt   bool
	seedDir     string
	workDir     string
	seedTime    time.Duration
	seedTimings seedTimings
	setupTime   time.Duration
	connectTime time.Duration
	measured    time.Duration
	drainTime   time.Duration
	linkAgents  int
	sosAgents   int

	startSeq, endSeq int64
	connMin, connEnd [2]int64
	reconnects       int64
	skipped          int64

	opsByKind    [opKinds]int
	opsFailed    [opKinds]int
	opLatency    []int64 // HTTP round trips of generated events, ns
	opsNoEvent   int     // succeeded but no client ever received its event
	eventsSeen   int     // distinct events (seq) received in the window
	unobserved   int     // sequence numbers in the window nobody received
	expected     int64   // deliveries clients were entitled to
	received     int64   // of those, received
	lost         int64   // expected - received
	lostClients  int     // clients missing at least one
	unexpected   int64   // received but not entitled (a visibility leak)
	outOfOrder   int64   // arrived after an event of a higher seq (raw mode)
	e2e          []int64 // send → receipt, ns, sorted
	fanout       []int64 // broker event time → receipt, ns, sorted
	agentsTotal  int
	rssBefore    int64
	rssPeak      int64 // max VmRSS sampled in the measured phase
	rssEnd       int64
	hwm          int64 // VmHWM: the broker's peak over its life
	threads      int
	brokerCPU    float64 // cores, averaged over the measured phase
	brokerWait   float64 // threads runnable without a CPU, averaged likewise
	selfCPU      float64
	errs         map[string]int
	missingByTyp map[string]int64
}

func forAgent(typ string) bool {
	switch typ {
	case "session.updated", "session.deleted", "chat.message", "consent.requested":
		return true
	}
	return false
}

// analyze matches received events to generated ones and to the clients
// entitled to them.
func (h *harness) analyze(res *result) {
	metas := h.metas.all()
	res.missingByTyp = map[string]int64{}
	var seqs []int64
	for seq := range metas {
		if seq > res.startSeq {
			seqs = append(seqs, seq)
			res.endSeq = max(res.endSeq, seq)
		}
	}
	sortInt64(seqs)
	res.eventsSeen = len(seqs)
	if res.endSeq > res.startSeq {
		res.unobserved = int(res.endSeq-res.startSeq) - len(seqs)
	}

	// The send time of each event: chat carries it in its text; session
	// events are matched, per session and in order, to the generator's
	// takes, releases and SOS Calls.
	sentOf := map[int64]int64{}
	chatIDs := map[int64]bool{}
	bySession := map[int64][]int64{}
	for _, seq := range seqs {
		m := metas[seq]
		switch {
		case m.typ == "chat.message":
			chatIDs[m.msgID] = true
			if m.sent > 0 {
				sentOf[seq] = m.sent
			}
		case strings.HasPrefix(m.typ, "session."):
			bySession[m.sid] = append(bySession[m.sid], seq)
		}
	}
	h.omu.Lock()
	ops := append([]*opRecord(nil), h.ops...)
	h.omu.Unlock()
	sort.Slice(ops, func(i, j int) bool { return ops[i].sent < ops[j].sent })
	next := map[int64]int{} // session → index of its next unmatched event
	for _, op := range ops {
		res.opsByKind[op.kind]++
		res.opLatency = append(res.opLatency, int64(op.dur))
		if !op.ok {
			res.opsFailed[op.kind]++
			continue
		}
		if op.kind == opAgentChat || op.kind == opTechChat {
			if !chatIDs[op.msgID] {
				res.opsNoEvent++
			}
			continue
		}
		evs, matched := bySession[op.sid], false
		for i := next[op.sid]; i < len(evs); i++ {
			m := metas[evs[i]]
			if op.matches(m) {
				sentOf[evs[i]] = op.sent
				next[op.sid], matched = i+1, true
				break
			}
		}
		if !matched {
			res.opsNoEvent++
		}
	}
	sortInt64(res.opLatency)

	// Entitlements: every technician of the channel's group (all have
	// see_others), and the session's agent for the agent's event types.
	groups := len(h.seed.Groups)
	techSeqs := make([][]int64, groups)
	agentSeqs := map[int64][]int64{}
	for _, seq := range seqs {
		m := metas[seq]
		g, ok := h.chanGroup[m.ch]
		if !ok {
			continue // not a load channel's event
		}
		techSeqs[g] = append(techSeqs[g], seq)
		if forAgent(m.typ) && m.sid != 0 {
			agentSeqs[m.sid] = append(agentSeqs[m.sid], seq)
		}
	}
	agents := h.allAgents()
	res.agentsTotal = len(agents)
	check := func(c *simClient, want []int64) {
		got := c.deliveries()
		top := int64(0)
		for _, d := range got {
			if d.seq < top {
				res.outOfOrder++
			}
			top = max(top, d.seq)
		}
		sort.Slice(got, func(i, j int) bool { return got[i].seq < got[j].seq })
		i := 0
		missed := false
		for _, d := range got {
			if d.seq <= res.startSeq {
				continue
			}
			for i < len(want) && want[i] < d.seq {
				res.missingByTyp[metas[want[i]].typ]++
				i, missed = i+1, true
			}
			if i < len(want) && want[i] == d.seq {
				i++
				res.received++
			} else {
				res.unexpected++
			}
			m := metas[d.seq]
			if s := sentOf[d.seq]; s > 0 {
				res.e2e = append(res.e2e, d.at-s)
			}
			if m != nil && m.at > 0 {
				res.fanout = append(res.fanout, d.at-m.at)
			}
		}
		for ; i < len(want); i++ {
			res.missingByTyp[metas[want[i]].typ]++
			missed = true
		}
		res.expected += int64(len(want))
		if missed {
			res.lostClients++
		}
	}
	for _, c := range h.techs {
		check(c, techSeqs[c.group])
	}
	for _, c := range agents {
		check(c, agentSeqs[c.session])
	}
	res.lost = res.expected - res.received
	res.reconnects = h.reconnects.Load()
	sortInt64(res.e2e)
	sortInt64(res.fanout)
}

// matches reports whether a session event is the outcome of op.
func (op *opRecord) matches(m *meta) bool {
	switch op.kind {
	case opSOS:
		return m.typ == "session.created"
	case opTake:
		return m.typ == "session.updated" && m.state == "active" && m.assignee == op.techID
	case opRelease:
		return m.typ == "session.updated" && m.state == "queued" && m.assignee == 0
	}
	return false
}

func ms(ns int64) string { return fmt.Sprintf("%.1f ms", float64(ns)/1e6) }

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func verdict(ok bool) string {
	if ok {
		return "MET"
	}
	return "MISSED"
}

// format renders the report.
func (r *result) format() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	c := r.cfg
	broker := c.BrokerBin + " (started by the load test, plain HTTP on loopback)"
	if c.BrokerURL != "" {
		broker = c.BrokerURL + " (external)"
	}
	p("== Tether broker load test, %s", r.started.Format("2006-01-02 15:04 MST"))
	p("machine:     %d CPUs (shared by the broker and the load generator), descriptor limit %d", runtime.NumCPU(), r.fileLimit)
	p("broker:      %s", broker)
	if r.loadavg != "" {
		p("machine load before the phase (1/5/15 min): %s — other work on the machine skews latency and CPU", r.loadavg)
	}
	p("scenario:    %d agents (%d by support link, %d by SOS Call) + %d technicians in %d groups, one channel each; an event reaches ~%d technicians + its agent",
		c.Agents, r.linkAgents, r.sosAgents, c.Technicians, c.Groups, c.Technicians/c.Groups)
	p("             %.0f events/s for %s: %s", c.Rate, c.Duration, mix())
	if !c.SOSReplay || c.RawWS {
		p("             diagnostics: SOS agents replay their session: %v; bare WebSockets instead of apiclient: %v", c.SOSReplay, c.RawWS)
	}
	seedWhat := "cached seed reused"
	if r.seedBuilt {
		seedWhat = fmt.Sprintf("seed built (accounts %s, %d logins %s)", r.seedTimings.Accounts.Round(time.Second), c.Technicians, r.seedTimings.Logins.Round(time.Second))
	}
	if r.seedDir != "" {
		seedWhat += " from " + r.seedDir
	}
	p("")
	p("-- preparation (not measured)")
	p("seeding:     %s in %s", seedWhat, r.seedTime.Round(time.Millisecond))
	p("sessions:    %d created in %s", r.linkAgents+r.sosAgents, r.setupTime.Round(time.Millisecond))
	p("websockets:  %d connected and ready in %s", c.Agents+c.Technicians, r.connectTime.Round(time.Millisecond))
	p("")
	p("-- measured phase: %s (drain %s), events seq %d..%d", r.measured.Round(time.Millisecond), r.drainTime.Round(time.Millisecond), r.startSeq+1, r.endSeq)
	p("connections: agents %d held at the end (min %d; %d initial + %d from SOS Calls during the phase), technicians %d (min %d), reconnects %d",
		r.connEnd[kindAgent], r.connMin[kindAgent], c.Agents, r.agentsTotal-c.Agents, r.connEnd[kindTech], r.connMin[kindTech], r.reconnects)
	var sent, failed int
	var kinds []string
	for k := range opKinds {
		sent += r.opsByKind[k]
		failed += r.opsFailed[k]
		kinds = append(kinds, fmt.Sprintf("%s %d", opKind(k), r.opsByKind[k]))
	}
	p("events sent: %d (%.1f/s; %s), failed %d, skipped by the generator %d (all %d requests in flight, or no idle session)",
		sent, float64(sent)/r.measured.Seconds(), strings.Join(kinds, ", "), failed, r.skipped, maxInFlight)
	p("HTTP:        request round trip p50 %s, p99 %s, max %s", ms(percentile(r.opLatency, 50)), ms(percentile(r.opLatency, 99)), ms(percentile(r.opLatency, 100)))
	p("events:      %d published and received (%d sequence numbers nobody received), %d sent events without any delivery", r.eventsSeen, r.unobserved, r.opsNoEvent)
	p("deliveries:  expected %d, received %d, lost %d (clients missing any: %d), unexpected %d", r.expected, r.received, r.lost, r.lostClients, r.unexpected)
	if c.RawWS {
		p("             raw WebSockets: %d deliveries arrived after a higher seq (apiclient would drop them as duplicates)", r.outOfOrder)
	}
	if len(r.missingByTyp) > 0 {
		var parts []string
		for t, n := range r.missingByTyp {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
		sort.Strings(parts)
		p("             missing by type: %s", strings.Join(parts, ", "))
	}
	p("fan-out latency (generator's send → client's receipt, n=%d; events of known send time): p50 %s, p95 %s, p99 %s, max %s",
		len(r.e2e), ms(percentile(r.e2e, 50)), ms(percentile(r.e2e, 95)), ms(percentile(r.e2e, 99)), ms(percentile(r.e2e, 100)))
	p("hub latency (broker's event time → client's receipt, n=%d): p50 %s, p95 %s, p99 %s, max %s",
		len(r.fanout), ms(percentile(r.fanout, 50)), ms(percentile(r.fanout, 95)), ms(percentile(r.fanout, 99)), ms(percentile(r.fanout, 100)))
	if len(r.errs) == 0 {
		p("errors:      none")
	} else {
		p("errors:")
		var keys []string
		for k := range r.errs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p("  %6d  %s", r.errs[k], k)
		}
	}
	if r.hwm > 0 {
		p("broker:      peak RSS (VmHWM) %s, RSS %s before the phase, max %s during it, %s at the end; %d threads; CPU %.0f%% of one core (avg over the phase)",
			mib(r.hwm), mib(r.rssBefore), mib(r.rssPeak), mib(r.rssEnd), r.threads, 100*r.brokerCPU)
	} else {
		p("broker:      memory and CPU unknown (external broker without --broker-pid)")
	}
	if r.hwm > 0 {
		p("             its threads waited %.0f ms per second runnable without a CPU (run-queue delay: CPU contention, not broker work)", 1000*r.brokerWait)
	}
	p("generator:   CPU %.0f%% of one core (avg over the phase)", 100*r.selfCPU)
	p("")
	p("-- targets (2-core machine: 5,000 agents + 500 technicians, fan-out p99 ≤ 100 ms, 0 lost, ≤ 1 GiB)")
	scale := r.connMin[kindAgent] >= targetAgents && r.connMin[kindTech] >= targetTechs
	p("scale:       %s (%d agents, %d technicians held throughout the phase)", verdict(scale), r.connMin[kindAgent], r.connMin[kindTech])
	p("p99:         %s (%s)", verdict(len(r.e2e) > 0 && percentile(r.e2e, 99) <= int64(targetP99)), ms(percentile(r.e2e, 99)))
	p("lost:        %s (%d lost deliveries, %d events without delivery)", verdict(r.lost == 0 && r.opsNoEvent == 0 && r.expected > 0), r.lost, r.opsNoEvent)
	if r.hwm > 0 {
		p("memory:      %s (%s peak)", verdict(r.hwm <= targetRSS), mib(r.hwm))
	}
	return b.String()
}

func mix() string {
	var parts []string
	for k := range opKinds {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", opKind(k), 100*opWeights[k]))
	}
	return strings.Join(parts, ", ")
}
