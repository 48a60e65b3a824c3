package e2e

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jezek/xgb"
)

// The three programs under test, built once by TestMain.
var (
	brokerBin string // bin/tether-broker: pure Go, as `make broker` builds it
	techBin   string // tether, the technician app
	agentBin  string // tether-sos, the end user's agent
)

// shotDir receives the screenshots of every step and the programs' logs:
// $TETHER_E2E_OUT, or bench-results/e2e/ at the repository root (ignored
// by git). It is emptied at the start of a run.
var shotDir string

func TestMain(m *testing.M) {
	flag.Parse()
	xgb.Logger = log.New(io.Discard, "", 0) // "trying connection without authority" on every connect
	if testing.Short() {
		os.Exit(m.Run()) // the test skips itself; nothing to build
	}
	dir, err := os.MkdirTemp("", "tether-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if err := build(dir); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: build:", err)
			return 1
		}
		if err := prepareOut(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// build compiles the broker (CGO_ENABLED=0, like `make broker`) and both
// Fyne apps (cgo) from this checkout; the Go build cache makes it quick
// after the first time.
func build(dir string) error {
	brokerBin = filepath.Join(dir, "tether-broker")
	techBin = filepath.Join(dir, "tether")
	agentBin = filepath.Join(dir, "tether-sos")
	for _, b := range []struct {
		out, pkg string
		cgo      string
	}{
		{brokerBin, "../broker", "0"},
		{techBin, "../app", "1"},
		{agentBin, "../agent", "1"},
	} {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+b.cgo)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return nil
}

func prepareOut() error {
	shotDir = os.Getenv("TETHER_E2E_OUT")
	if shotDir == "" {
		shotDir = filepath.Join("..", "bench-results", "e2e")
	}
	abs, err := filepath.Abs(shotDir)
	if err != nil {
		return err
	}
	shotDir = abs
	old, _ := filepath.Glob(filepath.Join(shotDir, "*.png"))
	logs, _ := filepath.Glob(filepath.Join(shotDir, "*.log"))
	for _, f := range append(old, logs...) {
		os.Remove(f)
	}
	return os.MkdirAll(shotDir, 0o755)
}
