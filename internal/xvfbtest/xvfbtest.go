// Package xvfbtest gives a test its own X display: a private Xvfb started
// with -noreset (so the server survives its last client leaving) and
// stopped when the test ends. Tests of different packages run in parallel;
// a display each keeps their pointers and pictures apart.
package xvfbtest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Start launches Xvfb with one screen of w×h×24, points DISPLAY at it for
// the rest of the test and returns the display name (":N"). Xvfb chooses a
// free display number itself (-displayfd), so parallel test processes never
// race for one. The test is skipped with a clear message when Xvfb is not
// installed; `make test` installs it, so CI always runs these tests.
func Start(tb testing.TB, w, h int) string {
	tb.Helper()
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		tb.Skip("xvfbtest: Xvfb not installed (run `make deps`); skipping a test that needs a display")
	}
	cmd := exec.Command(bin, "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", w, h),
		"-noreset", "-nolisten", "tcp", "+extension", "XINERAMA", "+extension", "XFIXES", "+extension", "DAMAGE")
	pr, pw, err := os.Pipe()
	if err != nil {
		tb.Fatalf("xvfbtest: pipe: %v", err)
	}
	cmd.ExtraFiles = []*os.File{pw}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("xvfbtest: start Xvfb: %v", err)
	}
	pw.Close()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM) // lets Xvfb remove its lock and socket
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}

	num := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		pr.Close()
		num <- strings.TrimSpace(line)
	}()
	select {
	case n := <-num:
		if n == "" {
			stop()
			tb.Fatal("xvfbtest: Xvfb exited without reporting a display")
		}
		tb.Cleanup(stop)
		disp := ":" + n
		tb.Setenv("DISPLAY", disp)
		return disp
	case <-time.After(15 * time.Second):
		stop()
		tb.Fatal("xvfbtest: Xvfb did not start within 15 s")
	}
	return ""
}
