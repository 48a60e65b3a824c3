// Command loadtest drives a Tether broker over loopback with thousands of
// simulated end-user agents and technicians, each holding an events
// WebSocket, generates chat messages, SOS Calls, takes and releases at a
// steady rate, and reports how many connections were held, the event
// fan-out latency, errors, lost messages and the broker's memory and CPU.
//
// By default it starts bin/tether-broker as a separate process on a copy
// of a seeded data directory cached under bin/loadtest-seed/, so that the
// broker's memory (VmHWM) and CPU are measured alone. `make loadtest` runs
// it at full scale; see -h for the knobs.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// config is the load generator's configuration, from flags.
type config struct {
	Agents      int
	Technicians int
	Groups      int
	Duration    time.Duration
	Rate        float64 // generated events per second
	SOSShare    float64 // share of the initial agents that arrive by SOS Call
	Drain       time.Duration

	BrokerURL     string // external broker; "" starts BrokerBin
	OwnerEmail    string // external broker: an owner account to seed with
	OwnerPassword string
	BrokerPID     int // external broker: its pid for memory and CPU (0: unknown)

	BrokerBin  string
	SeedDir    string
	SourceIPs  int
	ReportFile string
	RawWS      bool // bare WebSockets instead of apiclient's Events (diagnostics)
	SOSReplay  bool // agents of SOS Calls in the phase connect with SinceAll
	Keep       bool // keep the temporary data directory and broker log
	Quiet      bool
}

func defaultConfig() config {
	return config{
		Agents: 5000, Technicians: 500, Groups: 10, Duration: 60 * time.Second, Rate: 100, SOSShare: 0.1,
		Drain: 15 * time.Second, SOSReplay: true, BrokerBin: "bin/tether-broker", SeedDir: "bin/loadtest-seed", SourceIPs: 250,
	}
}

func main() {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("loadtest", flag.ExitOnError)
	fs.IntVar(&cfg.Agents, "agents", cfg.Agents, "simulated end-user agents, each in its own session with an events WebSocket")
	fs.IntVar(&cfg.Technicians, "technicians", cfg.Technicians, "simulated technicians with events WebSockets")
	fs.IntVar(&cfg.Groups, "groups", cfg.Groups, "technician groups, one channel routed to each: an event fans out to technicians/groups technicians plus its agent")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "length of the measured phase")
	fs.Float64Var(&cfg.Rate, "rate", cfg.Rate, "events generated per second in the measured phase (chat, SOS Calls, takes, releases)")
	fs.Float64Var(&cfg.SOSShare, "sos-share", cfg.SOSShare, "share of the initial agents that arrive by SOS Call instead of a support link")
	fs.DurationVar(&cfg.Drain, "drain", cfg.Drain, "how long to wait at most for deliveries after the measured phase")
	fs.StringVar(&cfg.BrokerURL, "broker", "", "URL of an already running broker (default: start --broker-bin on a temporary copy of the cached seed)")
	fs.StringVar(&cfg.OwnerEmail, "owner-email", "", "with --broker: an owner account to create the load test's groups, channels and technicians with")
	fs.StringVar(&cfg.OwnerPassword, "owner-password", os.Getenv("LOADTEST_OWNER_PASSWORD"), "with --broker: the owner's password [LOADTEST_OWNER_PASSWORD]")
	fs.IntVar(&cfg.BrokerPID, "broker-pid", 0, "with --broker: the broker's process id, to report its memory and CPU")
	fs.StringVar(&cfg.BrokerBin, "broker-bin", cfg.BrokerBin, "broker binary to start (make broker)")
	fs.StringVar(&cfg.SeedDir, "seed-dir", cfg.SeedDir, "cache of seeded data directories with technician tokens, reused across runs")
	fs.IntVar(&cfg.SourceIPs, "source-ips", cfg.SourceIPs, "loopback source addresses to spread clients over (127.0.1.1 and up)")
	fs.StringVar(&cfg.ReportFile, "report", "bench-results/loadtest.txt", "also write the report to this file (\"\" for none)")
	fs.BoolVar(&cfg.RawWS, "raw-ws", false, "diagnostics: bare WebSockets that record out-of-order events (which apiclient drops) and never reconnect")
	fs.BoolVar(&cfg.SOSReplay, "sos-replay", cfg.SOSReplay, "agents of SOS Calls made during the phase connect replaying their session (apiclient.SinceAll, as apiclient suggests for agents); false: live events only")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the temporary data directory and the broker's log")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "no progress lines")
	fs.Parse(os.Args[1:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cfg.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	res, err := run(ctx, &cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
	text := res.format()
	fmt.Print(text)
	if cfg.ReportFile != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.ReportFile), 0o755); err == nil {
			err = os.WriteFile(cfg.ReportFile, []byte(text), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest: write report:", err)
			os.Exit(1)
		}
		fmt.Printf("(report written to %s)\n", cfg.ReportFile)
	}
}

func (c *config) validate() error {
	switch {
	case c.Agents < 1 || c.Technicians < 1 || c.Groups < 1:
		return fmt.Errorf("--agents, --technicians and --groups must be at least 1")
	case c.Technicians < c.Groups:
		return fmt.Errorf("--technicians (%d) must be at least --groups (%d): every group needs a technician", c.Technicians, c.Groups)
	case c.Duration <= 0 || c.Rate <= 0:
		return fmt.Errorf("--duration and --rate must be positive")
	case c.SOSShare < 0 || c.SOSShare > 1:
		return fmt.Errorf("--sos-share must be within 0..1")
	case c.SourceIPs < 1 || c.SourceIPs > 254*250:
		return fmt.Errorf("--source-ips must be within 1..63500")
	case c.BrokerURL != "" && (c.OwnerEmail == "" || c.OwnerPassword == ""):
		return fmt.Errorf("--broker needs --owner-email and --owner-password (or LOADTEST_OWNER_PASSWORD)")
	}
	return nil
}
