// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package media

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
)

// The benchmark runs the Host in a child process (the test binary started
// again with hostChildEnv set) so that the agent's CPU time is exactly that
// process's utime+stime, as for ffmpeg, and not mixed with the viewer's
// decoding and the workload's drawing in the benchmark process. Parent and
// child talk JSON lines over the child's stdin and stdout: signaling,
// and a few commands.
const (
	hostChildEnv   = "TETHER_MEDIA_BENCH_CHILD"
	hostCPUUsedEnv = "TETHER_MEDIA_BENCH_CPUUSED"
	hostProfileEnv = "TETHER_MEDIA_BENCH_HOST_PROFILE"
	hostPacingEnv  = "TETHER_MEDIA_BENCH_MIN_INTERVAL_US"
)

type procMsg struct {
	Signal *rtc.Signal `json:"signal,omitempty"`
	// Cmd, parent to child: "stats", "pause", "resume".
	Cmd string `json:"cmd,omitempty"`
	// Stats, child to parent: the answer to "stats".
	Stats *HostStats `json:"stats,omitempty"`
}

// lineSignaler is an rtc.Signaler over a JSON-lines stream. Lines that are
// not signals go to other.
type lineSignaler struct {
	mu  sync.Mutex // guards the following field
	enc *json.Encoder

	recv  chan rtc.Signal
	other chan procMsg
	done  chan struct{} // closed when the input ends
}

func newLineSignaler(r io.Reader, w io.Writer) *lineSignaler {
	s := &lineSignaler{enc: json.NewEncoder(w), recv: make(chan rtc.Signal, 64), other: make(chan procMsg, 16), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			var m procMsg
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				continue
			}
			if m.Signal != nil {
				s.recv <- *m.Signal
			} else {
				s.other <- m
			}
		}
	}()
	return s
}

func (s *lineSignaler) write(m procMsg) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enc.Encode(m)
}

func (s *lineSignaler) Send(_ context.Context, sig rtc.Signal) error {
	return s.write(procMsg{Signal: &sig})
}

func (s *lineSignaler) Recv(ctx context.Context) (rtc.Signal, error) {
	select {
	case sig := <-s.recv:
		return sig, nil
	case <-ctx.Done():
		return rtc.Signal{}, ctx.Err()
	case <-s.done:
		return rtc.Signal{}, rtc.ErrClosed
	}
}

// runHostChild is the child's main: a Host sharing $DISPLAY in view-only
// mode until stdin closes.
func runHostChild() int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if path := os.Getenv(hostProfileEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			logger.Error("profile", "err", err)
			return 1
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	cpuUsed, _ := strconv.Atoi(os.Getenv(hostCPUUsedEnv))
	pacingUS, _ := strconv.Atoi(os.Getenv(hostPacingEnv))
	cursorMS, _ := strconv.Atoi(os.Getenv("TETHER_BENCH_CURSOR_MS"))
	maxKbps, _ := strconv.Atoi(os.Getenv("TETHER_BENCH_MAX_KBPS"))
	quality, err := benchQuality()
	if err != nil {
		logger.Error("quality", "err", err)
		return 1
	}
	sig := newLineSignaler(os.Stdin, os.Stdout)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := NewHost(ctx, HostConfig{
		RTC:            rtc.Config{ListenAddr: "127.0.0.1"},
		Capture:        capture.Config{Display: os.Getenv("DISPLAY"), MinInterval: time.Duration(pacingUS) * time.Microsecond},
		Encoder:        codec.EncoderConfig{CPUUsed: cpuUsed},
		CursorInterval: time.Duration(cursorMS) * time.Millisecond,
		MaxBitrateKbps: maxKbps,
		Quality:        quality,
		Logger:         logger,
	}, sig)
	if err != nil {
		logger.Error("host", "err", err)
		return 1
	}
	defer h.Close()
	if err := h.Allow(input.ModeViewOnly); err != nil {
		logger.Error("allow", "err", err)
		return 1
	}
	for {
		select {
		case <-sig.done:
			return 0
		case m := <-sig.other:
			switch m.Cmd {
			case "stats":
				st := h.Stats()
				sig.write(procMsg{Stats: &st})
			case "pause":
				h.Allow(input.ModeNone)
				sig.write(procMsg{Cmd: "paused"})
			case "resume":
				h.Allow(input.ModeViewOnly)
				sig.write(procMsg{Cmd: "resumed"})
			}
		}
	}
}

// benchQuality is TETHER_BENCH_QUALITY as an input.Quality (auto when
// unset).
func benchQuality() (input.Quality, error) {
	name := os.Getenv("TETHER_BENCH_QUALITY")
	if name == "" {
		return input.QualityAuto, nil
	}
	for q := input.QualityAuto; q.Valid(); q++ {
		if q.String() == name {
			return q, nil
		}
	}
	return 0, fmt.Errorf("TETHER_BENCH_QUALITY=%q: want auto, speed or sharp", name)
}

// hostProc is the parent's handle on the child.
type hostProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	sig   *lineSignaler
}

func startHostProc(cpuUsed int, pacing time.Duration, profile string) (*hostProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), hostChildEnv+"=host", hostCPUUsedEnv+"="+strconv.Itoa(cpuUsed), hostProfileEnv+"="+profile,
		hostPacingEnv+"="+strconv.Itoa(int(pacing/time.Microsecond)))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &hostProc{cmd: cmd, stdin: stdin, sig: newLineSignaler(stdout, stdin)}, nil
}

// do sends a command and waits for its answer.
func (p *hostProc) do(cmd string) (procMsg, error) {
	if err := p.sig.write(procMsg{Cmd: cmd}); err != nil {
		return procMsg{}, err
	}
	select {
	case m := <-p.sig.other:
		return m, nil
	case <-p.sig.done:
		return procMsg{}, fmt.Errorf("host process ended")
	case <-time.After(10 * time.Second):
		return procMsg{}, fmt.Errorf("host process did not answer %q", cmd)
	}
}

func (p *hostProc) stats() (HostStats, error) {
	m, err := p.do("stats")
	if err != nil {
		return HostStats{}, err
	}
	if m.Stats == nil {
		return HostStats{}, fmt.Errorf("host process answered %+v", m)
	}
	return *m.Stats, nil
}

func (p *hostProc) close() error {
	p.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		return <-done
	}
}

// cpuTime returns a process's user+system CPU time from /proc/<pid>/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which may contain spaces, in
	// parentheses: state is field 3, utime 14 and stime 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("odd /proc stat: %q", s)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("odd /proc stat: %q", s)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("odd /proc stat: %q", s)
	}
	const clkTck = 100 // USER_HZ, 100 on every Linux architecture Go supports
	return time.Duration(ut+st) * time.Second / clkTck, nil
}
