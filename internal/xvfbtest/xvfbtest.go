// Package xvfbtest gives a test its own X display: a private Xvfb started
// with -noreset (so the server survives its last client leaving) and
// stopped when the test ends. Tests of different packages run in parallel;
// a display each keeps their pointers and pictures apart.
package xvfbtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Start launches Xvfb with one screen of w×h×24, points DISPLAY at it for
// the rest of the test and returns the display name (":N"). The test is
// skipped with a clear message when Xvfb is not installed; `make test`
// installs it, so CI always runs these tests.
func Start(tb testing.TB, w, h int) string {
	tb.Helper()
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		tb.Skip("xvfbtest: Xvfb not installed (run `make deps`); skipping a test that needs a display")
	}
	for n := 140; n < 400; n++ {
		if exists(fmt.Sprintf("/tmp/.X%d-lock", n)) || exists(fmt.Sprintf("/tmp/.X11-unix/X%d", n)) {
			continue
		}
		disp := fmt.Sprintf(":%d", n)
		cmd := exec.Command(bin, disp, "-screen", "0", fmt.Sprintf("%dx%dx24", w, h),
			"-noreset", "-nolisten", "tcp", "+extension", "XINERAMA", "+extension", "XFIXES", "+extension", "DAMAGE")
		if err := cmd.Start(); err != nil {
			tb.Fatalf("xvfbtest: start Xvfb: %v", err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		if waitSocket(n, done) {
			tb.Cleanup(func() {
				cmd.Process.Kill()
				<-done
			})
			tb.Setenv("DISPLAY", disp)
			return disp
		}
		// Lost a race for this number with another test process: try the next.
		cmd.Process.Kill()
		<-done
	}
	tb.Fatal("xvfbtest: no free display number")
	return ""
}

func waitSocket(n int, done <-chan struct{}) bool {
	sock := filepath.Join("/tmp/.X11-unix", fmt.Sprintf("X%d", n))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return false
		default:
		}
		if exists(sock) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
