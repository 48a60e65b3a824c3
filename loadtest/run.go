package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// harness is one load run's shared state.
type harness struct {
	cfg  *config
	logf func(string, ...any)
	url  string
	pool *ipPool
	seed *seed
	pid  int // the broker's, 0 when unknown

	techs     []*simClient
	chanGroup map[int64]int // channel id → group index

	amu       sync.Mutex // guards agents, bySession
	agents    []*simClient
	bySession map[int64]*simClient

	metas      *metaStore
	deliveries atomic.Int64
	reconnects atomic.Int64
	skipped    atomic.Int64    // events the generator could not issue
	connected  [2]atomic.Int64 // by kind
	closing    atomic.Bool
	phase      atomic.Pointer[string]

	emu  sync.Mutex // guards errs
	errs map[string]int

	model *model
	omu   sync.Mutex // guards ops
	ops   []*opRecord
	sosIP atomic.Int64 // next source address for an SOS Call
}

func (h *harness) setPhase(p string) { h.phase.Store(&p) }

func (h *harness) errorf(format string, args ...any) {
	key := *h.phase.Load() + ": " + fmt.Sprintf(format, args...)
	h.emu.Lock()
	h.errs[key]++
	h.emu.Unlock()
}

func (h *harness) addAgent(c *simClient) {
	h.amu.Lock()
	defer h.amu.Unlock()
	c.idx = len(h.agents)
	h.agents = append(h.agents, c)
	h.bySession[c.session] = c
}

func (h *harness) allAgents() []*simClient {
	h.amu.Lock()
	defer h.amu.Unlock()
	return append([]*simClient(nil), h.agents...)
}

// run does one load test: broker and seed, setup, connections, the
// measured phase, the drain, and the analysis.
func run(ctx context.Context, cfg *config) (*result, error) {
	h := &harness{cfg: cfg, pool: newIPPool(cfg.SourceIPs), metas: newMetaStore(), errs: map[string]int{}, bySession: map[int64]*simClient{}, chanGroup: map[int64]int{}}
	h.setPhase("setup")
	h.logf = func(format string, args ...any) {
		if !cfg.Quiet {
			fmt.Fprintf(os.Stderr, "%s loadtest: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
		}
	}
	res := &result{cfg: *cfg, started: time.Now()}
	if lim, err := raiseFileLimit(); err == nil {
		res.fileLimit = lim
		if need := uint64(cfg.Agents+cfg.Technicians)*2 + 1000; lim < need {
			h.logf("warning: the descriptor limit %d is below the ~%d this run needs", lim, need)
		}
	}

	// Broker and seed.
	seedStart := time.Now()
	var broker *brokerProc
	if cfg.BrokerURL == "" {
		dir := seedCacheDir(cfg.SeedDir, cfg.Technicians, cfg.Groups)
		s, built, err := prepareSeed(ctx, cfg, dir, cfg.Duration+30*time.Minute, h.logf)
		if err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		h.seed, res.seedBuilt, res.seedDir = s, built, dir
		work, err := os.MkdirTemp("", "tether-loadtest-")
		if err != nil {
			return nil, err
		}
		res.workDir = work
		if !cfg.Keep {
			defer os.RemoveAll(work)
		}
		if err := copyTree(filepath.Join(dir, "data"), filepath.Join(work, "data")); err != nil {
			return nil, fmt.Errorf("copy seed: %w", err)
		}
		res.seedTime = time.Since(seedStart)
		broker, err = startBroker(ctx, cfg.BrokerBin, filepath.Join(work, "data"), filepath.Join(work, "broker.log"))
		if err != nil {
			return nil, err
		}
		defer broker.stop()
		h.url, h.pid = broker.url, broker.pid
	} else {
		h.url, h.pid = cfg.BrokerURL, cfg.BrokerPID
		owner, err := apiclient.New(h.url, apiclient.Options{HTTPClient: h.pool.client(0)})
		if err != nil {
			return nil, err
		}
		if _, err := owner.Login(ctx, cfg.OwnerEmail, cfg.OwnerPassword); err != nil {
			return nil, fmt.Errorf("owner login: %w", err)
		}
		h.seed = &seed{}
		prefix := fmt.Sprintf("lt%d", time.Now().Unix())
		if err := createAccounts(ctx, owner, h.seed, cfg.Technicians, cfg.Groups, prefix, h.logf); err != nil {
			return nil, err
		}
		if err := loginAll(ctx, h.url, h.pool, h.seed, h.logf); err != nil {
			return nil, err
		}
		res.seedBuilt, res.seedTime = true, time.Since(seedStart)
	}
	res.seedTimings = h.seed.Timing
	for g, id := range h.seed.Channels {
		h.chanGroup[id] = g
	}
	h.logf("broker %s (pid %d); seed ready in %s", h.url, h.pid, res.seedTime.Round(time.Millisecond))

	// Sessions: support links joined by agents, and SOS Calls.
	setupStart := time.Now()
	h.model = newModel(cfg.Groups, cfg.Technicians)
	if err := h.setup(ctx, res); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	res.setupTime = time.Since(setupStart)
	h.logf("%d sessions ready in %s (%d by link, %d by SOS Call)", cfg.Agents, res.setupTime.Round(time.Millisecond), res.linkAgents, res.sosAgents)

	// Events WebSockets.
	connStart := time.Now()
	if err := h.connectAll(ctx); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	res.connectTime = time.Since(connStart)
	h.logf("%d events WebSockets ready in %s", cfg.Agents+cfg.Technicians, res.connectTime.Round(time.Millisecond))
	defer h.closeAll()
	if h.pid != 0 {
		if st, err := readStatus(h.pid); err == nil {
			res.rssBefore = st.RSS
		}
	}

	// Quiet, then the measured phase from the newest event on.
	time.Sleep(time.Second)
	if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(raw)); len(f) >= 3 {
			res.loadavg = strings.Join(f[:3], " ")
		}
	}
	for _, c := range append(h.allAgents(), h.techs...) {
		res.startSeq = max(res.startSeq, c.lastSeq())
	}
	h.setPhase("measured phase")
	h.logf("measured phase: %s at %.0f events/s", cfg.Duration, cfg.Rate)
	res.connMin = [2]int64{h.connected[kindAgent].Load(), h.connected[kindTech].Load()}
	sampler := h.sample(res)
	cpu0, _ := readCPU(h.pid)
	wait0, _ := readRunDelay(h.pid)
	self0, _ := readCPU(os.Getpid())
	t0 := time.Now()
	h.generate(ctx, cfg.Duration)
	res.measured = time.Since(t0)
	if h.pid != 0 {
		cpu1, _ := readCPU(h.pid)
		wait1, _ := readRunDelay(h.pid)
		res.brokerCPU = float64(cpu1-cpu0) / float64(res.measured)
		res.brokerWait = float64(wait1-wait0) / float64(res.measured)
	}
	self1, _ := readCPU(os.Getpid())
	res.selfCPU = float64(self1-self0) / float64(res.measured)
	res.connEnd = [2]int64{h.connected[kindAgent].Load(), h.connected[kindTech].Load()}
	sampler.stop()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// Drain: wait until deliveries stop arriving.
	h.setPhase("drain")
	drainStart := time.Now()
	last, stable := h.deliveries.Load(), time.Now()
	for time.Since(drainStart) < cfg.Drain && time.Since(stable) < 2*time.Second {
		time.Sleep(100 * time.Millisecond)
		if n := h.deliveries.Load(); n != last {
			last, stable = n, time.Now()
		}
	}
	res.drainTime = time.Since(drainStart)
	if h.pid != 0 {
		if st, err := readStatus(h.pid); err == nil {
			res.rssEnd, res.hwm, res.threads = st.RSS, st.HWM, st.Threads
		}
	}
	h.analyze(res)
	h.closeAll()
	if broker != nil {
		if err := broker.stop(); err != nil {
			h.errorf("broker stop: %v", err)
		}
	}
	res.errs = h.errs
	res.skipped = h.skipped.Load()
	return res, nil
}

// setup creates one session per agent: a technician of the agent's group
// creates a support link and the agent joins it (the session is then
// active and assigned to that technician), or the agent submits an SOS
// Call (queued in the channel), from rotating source addresses.
func (h *harness) setup(ctx context.Context, res *result) error {
	cfg := h.cfg
	h.techs = make([]*simClient, cfg.Technicians)
	for i, t := range h.seed.Techs {
		c, err := apiclient.New(h.url, apiclient.Options{HTTPClient: h.pool.client(i)})
		if err != nil {
			return err
		}
		c.SetToken(t.Token)
		h.techs[i] = &simClient{h: h, kind: kindTech, idx: i, group: t.Group, api: c}
		h.model.addTech(i, t.Group)
	}
	sosEvery := 0
	if cfg.SOSShare > 0 {
		sosEvery = max(1, int(1/cfg.SOSShare+0.5))
	}
	var mu sync.Mutex
	agents := make([]*simClient, cfg.Agents)
	err := parallel(ctx, cfg.Agents, 32, func(i int) error {
		g := i % cfg.Groups
		sos := sosEvery > 0 && i%sosEvery == sosEvery-1
		c, err := h.newAgent(ctx, i, g, sos)
		if err != nil {
			return err
		}
		agents[i] = c
		mu.Lock()
		if sos {
			res.sosAgents++
		} else {
			res.linkAgents++
		}
		mu.Unlock()
		if n := i + 1; n%1000 == 0 {
			h.logf("  %d sessions", n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range agents {
		h.addAgent(c)
	}
	return nil
}

// newAgent opens agent i's session in group g and records it in the model.
func (h *harness) newAgent(ctx context.Context, i, g int, sos bool) (*simClient, error) {
	channel := h.seed.Channels[g]
	dev := api.Device{OS: "linux", OSVersion: "Debian 12", Hostname: fmt.Sprintf("pc-%05d", i), User: "user"}
	name := fmt.Sprintf("End User %05d", i)
	if sos {
		ip := int(h.sosIP.Add(1))
		c, err := apiclient.New(h.url, apiclient.Options{HTTPClient: h.pool.client(ip)})
		if err != nil {
			return nil, err
		}
		j, err := submitSOS(ctx, c, api.SOSRequest{ChannelID: channel, Name: name, Problem: "The printer is on fire", Device: dev})
		if err != nil {
			return nil, fmt.Errorf("SOS Call: %w", err)
		}
		a := &simClient{h: h, kind: kindAgent, group: g, session: j.Session.SessionID, api: c}
		h.model.addSession(j.Session.SessionID, g, a, -1)
		return a, nil
	}
	tech := h.model.techOf(g, i)
	link, err := h.techs[tech].api.CreateLink(ctx, api.CreateLinkRequest{ChannelID: channel, EndUserName: name, Problem: "Slow computer"})
	if err != nil {
		return nil, fmt.Errorf("create link: %w", err)
	}
	c, err := apiclient.New(h.url, apiclient.Options{HTTPClient: h.pool.client(i)})
	if err != nil {
		return nil, err
	}
	j, err := c.JoinLink(ctx, link.LinkToken, dev)
	if err != nil {
		return nil, fmt.Errorf("join link: %w", err)
	}
	a := &simClient{h: h, kind: kindAgent, group: g, session: j.Session.SessionID, api: c}
	h.model.addSession(j.Session.SessionID, g, a, tech)
	return a, nil
}

// submitSOS submits an SOS Call, waiting out the per-address limit once.
func submitSOS(ctx context.Context, c *apiclient.Client, req api.SOSRequest) (*api.AgentJoinResponse, error) {
	j, err := c.SubmitSOS(ctx, req)
	var ae *apiclient.Error
	if errors.As(err, &ae) && ae.Code == apiclient.CodeRateLimited && ae.RetryAfter > 0 && ae.RetryAfter < time.Minute {
		select {
		case <-time.After(ae.RetryAfter):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		j, err = c.SubmitSOS(ctx, req)
	}
	return j, err
}

// connectAll opens every client's events WebSocket, at most 100 dials at
// a time, and waits for each one's "ready".
func (h *harness) connectAll(ctx context.Context) error {
	all := append(h.allAgents(), h.techs...)
	var n atomic.Int64
	return parallel(ctx, len(all), 100, func(i int) error {
		c := all[i]
		c.connect(ctx, 0)
		select {
		case <-c.ready:
		case <-time.After(2 * time.Minute):
			return fmt.Errorf("%s %d: no ready within 2 minutes", c.kind, c.idx)
		case <-ctx.Done():
			return ctx.Err()
		}
		if k := n.Add(1); k%1000 == 0 {
			h.logf("  %d connected", k)
		}
		return nil
	})
}

func (h *harness) closeAll() {
	if h.closing.Swap(true) {
		return
	}
	all := append(h.allAgents(), h.techs...)
	parallel(context.Background(), len(all), 200, func(i int) error {
		all[i].close()
		return nil
	})
	h.pool.closeIdle()
}

// sampler tracks the broker's RSS and the connections held during the
// measured phase.
type sampler struct {
	stopc chan struct{}
	done  chan struct{}
}

func (s *sampler) stop() {
	close(s.stopc)
	<-s.done
}

func (h *harness) sample(res *result) *sampler {
	s := &sampler{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if h.pid != 0 {
				if st, err := readStatus(h.pid); err == nil {
					res.rssPeak = max(res.rssPeak, st.RSS)
				}
			}
			res.connMin[kindAgent] = min(res.connMin[kindAgent], h.connected[kindAgent].Load())
			res.connMin[kindTech] = min(res.connMin[kindTech], h.connected[kindTech].Load())
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// percentile returns the p-th percentile (0..100) of sorted values.
func percentile(sorted []int64, p float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1)*p/100 + 0.5)
	return sorted[min(i, len(sorted)-1)]
}

func sortInt64(v []int64) { sort.Slice(v, func(i, j int) bool { return v[i] < v[j] }) }
