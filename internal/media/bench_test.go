// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package media

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// Benchmark knobs (environment, read by this test file only):
//
//	TETHER_BENCH_SECONDS    measured seconds per workload and tool (10)
//	TETHER_BENCH_WARMUP     seconds before measuring (2)
//	TETHER_BENCH_WORKLOADS  comma-separated subset of desktop,typing,motion,static
//	TETHER_BENCH_CPUUSED    libvpx cpu-used for the agent (codec default)
//	TETHER_BENCH_MIN_INTERVAL_US  capture pacing of the agent (media default)
//	TETHER_BENCH_FFMPEG     0 skips the ffmpeg comparison
//	TETHER_BENCH_PROFILE    file for a CPU profile of the agent process
//	TETHER_BENCH_CURSOR_MS  agent's cursor poll interval (media default)
//	TETHER_BENCH_MAX_KBPS   agent's congestion-control ceiling (rtc default)
//	TETHER_BENCH_QUALITY    agent's picture quality: auto, speed or sharp (auto)
//	TETHER_BENCH_TRACE      print per-second agent figures to stderr
//	TETHER_BENCH_OUT        results file (bench-results/media.txt at the repo root)
func benchKnob(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

type benchResult struct {
	name          string
	fps           float64
	drawn         float64 // screen changes drawn per second: the most fps can be
	cpu           float64 // agent process, % of one core
	kbps          float64
	p50, p95      time.Duration
	samples       int
	viewerCPU     float64 // benchmark process (viewer + drawing), % of one core
	keyframes     uint64
	plis          uint64
	targetKbps    int
	encoderKbps   int
	ffFPS, ffCPU  float64
	ffOK          bool
	ffErr         string
	measuredFor   time.Duration
	ffMeasuredFor time.Duration
}

// BenchmarkPipeline runs the real path — X11 capture → I420 → VP8 →
// WebRTC over loopback → VP8 decode → RGBA — under its own 1920×1080 Xvfb
// for scripted workloads, and compares with ffmpeg's x11grab + libvpx on
// the same screen. It runs once whatever b.N is (use -benchtime=1x).
// `make bench` runs it on its own before the component benchmarks, so
// nothing else of ours competes for the two cores; the report goes to
// stdout and bench-results/media.txt.
//
// Agent CPU is the child process's utime+stime (/proc/<pid>/stat) over the
// measured window: the Host runs in its own process, so the figure holds
// capture, conversion, encoding, packetisation, SRTP and sending, and
// nothing of the viewer or the drawing. ffmpeg is measured the same way.
//
// Glass-to-glass latency: the workload flips a marker square between grey
// levels at random 80-160 ms intervals, noting the time just before the
// drawing request; the viewer side takes each picture from Viewer.Frames as
// a UI would and reads the marker; latency is the time the new level is
// first seen minus the time it was drawn. Both ends run in the benchmark
// process, so they share one monotonic clock.
func BenchmarkPipeline(b *testing.B) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		b.Skip("Xvfb not installed")
	}
	seconds := benchKnob("TETHER_BENCH_SECONDS", 10)
	warmup := time.Duration(benchKnob("TETHER_BENCH_WARMUP", 2)) * time.Second
	window := time.Duration(seconds) * time.Second
	cpuUsed := benchKnob("TETHER_BENCH_CPUUSED", codec.DefaultCPUUsed)
	withFFmpeg := benchKnob("TETHER_BENCH_FFMPEG", 1) != 0
	if _, err := exec.LookPath("ffmpeg"); withFFmpeg && err != nil {
		b.Logf("ffmpeg not installed (TETHER_BENCH_DEPS=1 scripts/deps.sh): no comparison")
		withFFmpeg = false
	}
	selected := workloads
	if list := os.Getenv("TETHER_BENCH_WORKLOADS"); list != "" {
		selected = nil
		for _, wl := range workloads {
			if strings.Contains(","+list+",", ","+wl.name+",") {
				selected = append(selected, wl)
			}
		}
	}

	loadBefore := loadAvg()
	display := xvfbtest.Start(b, benchW, benchH)
	p, err := newPainter(display, benchW, benchH)
	if err != nil {
		b.Fatal(err)
	}
	defer p.close()

	quality, err := benchQuality()
	if err != nil {
		b.Fatal(err)
	}
	pacing := time.Duration(benchKnob("TETHER_BENCH_MIN_INTERVAL_US", 0)) * time.Microsecond
	host, err := startHostProc(cpuUsed, pacing, os.Getenv("TETHER_BENCH_PROFILE"))
	if err != nil {
		b.Fatal(err)
	}
	defer host.close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := NewViewer(ctx, ViewerConfig{RTC: rtc.Config{ListenAddr: "127.0.0.1"}}, host.sig)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	if err := v.WaitConnected(ctx); err != nil {
		b.Fatalf("viewer: %v", err)
	}

	// The viewer's UI: takes every picture, reads the marker, releases.
	flips := &flipLog{last: -1}
	var shown sync.WaitGroup
	stopShow := make(chan struct{})
	shown.Add(1)
	go func() {
		defer shown.Done()
		for {
			select {
			case <-stopShow:
				return
			case pic := <-v.Frames():
				now := time.Now()
				if level, ok := markerLevel(pic.Image); ok {
					flips.detect(level, now)
				}
				pic.Release()
			}
		}
	}()
	defer func() { close(stopShow); shown.Wait() }()

	var results []benchResult
	for _, wl := range selected {
		r := benchResult{name: wl.name}
		if err := measureOurs(p, host, v, wl, flips, warmup, window, &r); err != nil {
			b.Fatalf("%s: %v", wl.name, err)
		}
		if withFFmpeg {
			if _, err := host.do("pause"); err != nil {
				b.Fatal(err)
			}
			if err := measureFFmpeg(p, display, wl, warmup, window, &r); err != nil {
				r.ffErr = err.Error()
			}
			if _, err := host.do("resume"); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s done: %.1f fps, %.1f%% CPU", wl.name, r.fps, r.cpu)
		results = append(results, r)
	}

	report := formatResults(results, cpuUsed, quality, window)
	report += fmt.Sprintf("\nMachine load average (1/5/15 min) before: %s, after: %s. Other processes on the two cores lower fps and raise latency.\n", loadBefore, loadAvg())
	fmt.Print(report)
	out := os.Getenv("TETHER_BENCH_OUT")
	if out == "" {
		out = filepath.Join(repoRoot(b), "bench-results", "media.txt")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(out, []byte(report), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, r := range results {
		if r.name == "desktop" {
			b.ReportMetric(r.fps, "desktop-fps")
			b.ReportMetric(r.cpu, "desktop-cpu%")
			b.ReportMetric(float64(r.p50.Microseconds())/1000, "desktop-p50-ms")
		}
	}
}

// runDrawing draws wl in the background; stop ends it and returns its
// error.
func runDrawing(p *painter, wl workload, flips *flipLog) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- drawWorkload(ctx, p, wl, flips) }()
	return func() error {
		cancel()
		return <-errc
	}
}

func measureOurs(p *painter, host *hostProc, v *Viewer, wl workload, flips *flipLog, warmup, window time.Duration, r *benchResult) error {
	stop := runDrawing(p, wl, flips)
	time.Sleep(warmup + wl.settle)
	h0, err := host.stats()
	if err != nil {
		stop()
		return err
	}
	c0, err := cpuTime(host.cmd.Process.Pid)
	if err != nil {
		stop()
		return err
	}
	f0, s0, d0, t0 := v.Stats().Frames, selfCPU(), flips.drawn.Load(), time.Now()
	flips.reset()

	if os.Getenv("TETHER_BENCH_TRACE") != "" {
		prev := h0
		for range int(window / time.Second) {
			time.Sleep(time.Second)
			cur, err := host.stats()
			if err != nil {
				break
			}
			fmt.Fprintf(os.Stderr, "%s: %d frames, %d bytes, target %d kbit/s\n", wl.name,
				cur.Encoded-prev.Encoded, cur.EncodedBytes-prev.EncodedBytes, cur.TargetBitrateKbps)
			prev = cur
		}
	} else {
		time.Sleep(window)
	}

	c1, err := cpuTime(host.cmd.Process.Pid)
	if err != nil {
		stop()
		return err
	}
	f1, s1, d1, t1 := v.Stats().Frames, selfCPU(), flips.drawn.Load(), time.Now()
	h1, err := host.stats()
	if err := errorsJoin(err, stop()); err != nil {
		return err
	}
	el := t1.Sub(t0)
	r.measuredFor = el
	r.fps = float64(f1-f0) / el.Seconds()
	r.drawn = float64(d1-d0) / el.Seconds()
	r.cpu = 100 * float64(c1-c0) / float64(el)
	r.viewerCPU = 100 * float64(s1-s0) / float64(el)
	r.kbps = float64(h1.EncodedBytes-h0.EncodedBytes) * 8 / 1000 / el.Seconds()
	r.keyframes = h1.Keyframes - h0.Keyframes
	r.plis = h1.PLIs - h0.PLIs
	r.targetKbps = h1.TargetBitrateKbps
	r.encoderKbps = h1.EncoderKbps
	if wl.marker {
		r.p50, r.p95, r.samples = flips.percentiles()
	}
	return nil
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// selfCPU is the benchmark process's own CPU time (viewer and drawing).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureFFmpeg puts the same workload through ffmpeg's x11grab and libvpx
// in realtime mode, as a reference, reading its frame count from -progress.
func measureFFmpeg(p *painter, display string, wl workload, warmup, window time.Duration, r *benchResult) error {
	stop := runDrawing(p, wl, &flipLog{last: -1})
	defer stop()
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
		"-progress", "pipe:1", "-stats_period", "0.1",
		"-f", "x11grab", "-framerate", "60", "-video_size", fmt.Sprintf("%dx%d", benchW, benchH), "-i", display,
		"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "2500k", "-f", "null", "-")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	var mu sync.Mutex
	var frames int64
	var at time.Time
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "frame="); ok {
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err == nil {
					mu.Lock()
					frames, at = n, time.Now()
					mu.Unlock()
				}
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	read := func() (int64, time.Time) {
		mu.Lock()
		defer mu.Unlock()
		return frames, at
	}
	time.Sleep(warmup)
	n0, t0 := read()
	c0, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return fmt.Errorf("ffmpeg: %v: %s", err, stderr.String())
	}
	w0 := time.Now()
	time.Sleep(window)
	n1, t1 := read()
	c1, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return fmt.Errorf("ffmpeg: %v: %s", err, stderr.String())
	}
	w1 := time.Now()
	if n1 <= n0 || !t1.After(t0) {
		return fmt.Errorf("ffmpeg made no progress: %s", stderr.String())
	}
	r.ffFPS = float64(n1-n0) / t1.Sub(t0).Seconds()
	r.ffCPU = 100 * float64(c1-c0) / float64(w1.Sub(w0))
	r.ffMeasuredFor = w1.Sub(w0)
	r.ffOK = true
	return nil
}

func repoRoot(tb testing.TB) string {
	dir, err := filepath.Abs(".")
	if err != nil {
		tb.Fatal(err)
	}
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	tb.Fatalf("no go.mod above %s", dir)
	return ""
}

func formatResults(rs []benchResult, cpuUsed int, quality input.Quality, window time.Duration) string {
	var sb strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&sb, "Tether media pipeline benchmark — %s, %s, %d CPUs, %s\n", time.Now().UTC().Format(time.RFC3339), host, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&sb, "1920x1080 Xvfb; real X11 SHM+XDamage capture -> libyuv I420 -> VP8 (libvpx realtime, cpu-used %d, 1 thread, CBR from GCC) -> WebRTC over loopback -> VP8 decode -> RGBA; %v measured per workload after warm-up.\n", cpuUsed, window)
	fmt.Fprintf(&sb, "picture quality %s (the profile may override cpu-used, the quantiser range, the rate and the frame interval).\n", quality)
	fmt.Fprintf(&sb, "agent cpu = host child process utime+stime (/proc); viewer cpu = benchmark process (viewer decode+convert and the workload drawing); kbit/s = VP8 payload.\n")
	fmt.Fprintf(&sb, "drawn = screen updates the workload made per second (the most fps can be); fps = pictures decoded on the viewer per second.\n")
	fmt.Fprintf(&sb, "latency = marker square drawn on the agent's display -> first decoded RGBA picture showing it on the viewer (same clock).\n")
	fmt.Fprintf(&sb, "ffmpeg = ffmpeg -f x11grab -framerate 60 -video_size 1920x1080 -c:v libvpx -deadline realtime -cpu-used 8 -b:v 2500k -f null -\n\n")
	fmt.Fprintf(&sb, "%-8s %6s %7s %9s %8s %9s %8s %8s %7s %9s | %7s %9s %8s | %6s\n",
		"workload", "drawn", "fps", "agent%", "fps/cpu", "kbit/s", "p50 ms", "p95 ms", "samples", "viewer%", "ff fps", "ff cpu%", "fps/cpu", "ratio")
	for _, r := range rs {
		fpc := perCPU(r.fps, r.cpu)
		ff, ratio := "     n/a          n/a      n/a", "   n/a"
		if r.ffOK {
			ffpc := perCPU(r.ffFPS, r.ffCPU)
			ff = fmt.Sprintf("%7.1f %9.1f %8.2f", r.ffFPS, r.ffCPU, ffpc)
			if ffpc > 0 && r.fps >= 1 && r.ffFPS >= 1 {
				ratio = fmt.Sprintf("%6.2f", fpc/ffpc)
			}
		}
		lat := fmt.Sprintf("%8s %8s %7s", "-", "-", "-")
		if r.samples > 0 {
			lat = fmt.Sprintf("%8.1f %8.1f %7d", ms(r.p50), ms(r.p95), r.samples)
		}
		fmt.Fprintf(&sb, "%-8s %6.1f %7.1f %9.2f %8.2f %9.1f %s %9.1f | %s | %s\n",
			r.name, r.drawn, r.fps, r.cpu, fpc, r.kbps, lat, r.viewerCPU, ff, ratio)
		fmt.Fprintf(&sb, "         %d keyframes (%d keyframe requests) in the window; congestion-control target at the end %d kbit/s, encoder's %d kbit/s\n", r.keyframes, r.plis, r.targetKbps, r.encoderKbps)
		if r.ffErr != "" {
			fmt.Fprintf(&sb, "         ffmpeg failed: %s\n", r.ffErr)
		}
	}
	sb.WriteString("\nTargets (2 cores):\n")
	get := func(name string) (benchResult, bool) {
		for _, r := range rs {
			if r.name == name {
				return r, true
			}
		}
		return benchResult{}, false
	}
	check := func(ok bool, format string, args ...any) {
		mark := "MISS"
		if ok {
			mark = "ok  "
		}
		fmt.Fprintf(&sb, "  [%s] %s\n", mark, fmt.Sprintf(format, args...))
	}
	if r, ok := get("desktop"); ok {
		check(r.fps >= 60, "desktop-like >= 60 fps: %.1f", r.fps)
		check(r.cpu <= 80, "desktop-like <= 80%% of one core: %.1f%%", r.cpu)
		if r.ffOK {
			ratio := perCPU(r.fps, r.cpu) / perCPU(r.ffFPS, r.ffCPU)
			check(ratio >= 2, "desktop-like >= 2x ffmpeg's fps per CPU: %.2fx", ratio)
		}
		check(r.samples > 0 && r.p50 <= 25*time.Millisecond, "glass-to-glass p50 <= 25 ms (desktop-like): %.1f ms", ms(r.p50))
		check(r.samples > 0 && r.p95 <= 50*time.Millisecond, "glass-to-glass p95 <= 50 ms (desktop-like): %.1f ms", ms(r.p95))
	}
	if r, ok := get("motion"); ok {
		check(r.samples > 0 && r.p50 <= 45*time.Millisecond, "full motion p50 <= 45 ms: %.1f ms (p95 %.1f ms, %.1f fps)", ms(r.p50), ms(r.p95), r.fps)
	}
	if r, ok := get("static"); ok {
		check(r.cpu <= 1, "static <= 1%% CPU: %.2f%%", r.cpu)
		check(r.kbps <= 2, "static <= 2 kbit/s: %.2f kbit/s", r.kbps)
	}
	if r, ok := get("typing"); ok {
		check(r.kbps <= 150, "typing <= 150 kbit/s: %.1f kbit/s", r.kbps)
	}
	return sb.String()
}

func perCPU(fps, cpu float64) float64 {
	if cpu <= 0 {
		return 0
	}
	return fps / (cpu / 100)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadAvg is /proc/loadavg's first three fields: the figures depend on
// what else the two cores are doing.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
