package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// brokerProc is a tether-broker serve process the generator started. It
// runs as its own process so that its memory and CPU are its alone.
type brokerProc struct {
	cmd    *exec.Cmd
	url    string
	pid    int
	exited chan struct{} // closed when the process has been waited for
	err    error         // the exit status, once exited is closed
}

var listeningRE = regexp.MustCompile(`tether-broker listening on (https?://\S+)`)

// startBroker runs "bin serve" on dataDir, plain HTTP on a free loopback
// port, logging to logPath, and waits for its "listening on" line. The
// process inherits the generator's raised file limit.
func startBroker(ctx context.Context, bin, dataDir, logPath string) (*brokerProc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child holds its own descriptor
	cmd := exec.Command(bin, "serve", "--insecure-http", "--addr", "127.0.0.1:0", "--data", dataDir, "--org-name", "Tether load test")
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	b := &brokerProc{cmd: cmd, pid: cmd.Process.Pid, exited: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, out)
		b.err = cmd.Wait()
		close(b.exited)
	}()
	select {
	case b.url = <-found:
		return b, nil
	case <-b.exited:
		return nil, fmt.Errorf("broker exited before listening (%v); see %s", b.err, logPath)
	case <-time.After(60 * time.Second):
		b.stop()
		return nil, fmt.Errorf("broker did not print its address within 60s; see %s", logPath)
	case <-ctx.Done():
		b.stop()
		return nil, ctx.Err()
	}
}

// stop asks the broker to shut down (SIGTERM: it closes the WebSockets and
// checkpoints the database) and kills it after 20 s.
func (b *brokerProc) stop() error {
	select {
	case <-b.exited:
		return nil
	default:
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(20 * time.Second):
		b.cmd.Process.Kill()
		<-b.exited
		return errors.New("broker did not stop within 20s after SIGTERM; killed")
	}
	var ee *exec.ExitError
	if errors.As(b.err, &ee) && !ee.Exited() {
		return nil // ended by our signal
	}
	return b.err
}

// procStatus is a process's memory from /proc/<pid>/status, in bytes.
type procStatus struct {
	RSS, HWM int64
	Threads  int
}

func readStatus(pid int) (procStatus, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procStatus{}, err
	}
	var s procStatus
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			s.RSS = n << 10
		case "VmHWM":
			s.HWM = n << 10
		case "Threads":
			s.Threads = int(n)
		}
	}
	return s, nil
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100

// readCPU returns a process's user+system CPU time from /proc/<pid>/stat.
func readCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may contain spaces; fields restart after its ')'.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("malformed stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short stat")
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// readRunDelay sums, over a process's threads, the time they spent
// runnable but waiting for a CPU (/proc/<pid>/task/*/schedstat, second
// field): on a shared machine it tells CPU contention from slowness.
func readRunDelay(pid int) (time.Duration, error) {
	dirs, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, d := range dirs {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, d.Name()))
		if err != nil {
			continue // the thread ended
		}
		if f := strings.Fields(string(raw)); len(f) >= 2 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			sum += n
		}
	}
	return time.Duration(sum), nil
}

// raiseFileLimit lifts the soft descriptor limit to the hard one; a
// broker started afterwards inherits it.
func raiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return 0, err
		}
	}
	return l.Cur, nil
}
