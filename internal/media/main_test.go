// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package media

import (
	"io"
	"log"
	"os"
	"testing"

	"github.com/jezek/xgb"
)

func TestMain(m *testing.M) {
	// xgb logs every connection without ~/.Xauthority; Xvfb needs none.
	xgb.Logger = log.New(io.Discard, "", 0)
	if os.Getenv(hostChildEnv) == "host" {
		os.Exit(runHostChild()) // BenchmarkPipeline's agent process
	}
	os.Exit(m.Run())
}
