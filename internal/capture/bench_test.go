// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package capture

import (
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// The benchmarks measure the grab alone (the cost per frame once damage
// says a frame is due); keep -benchtime short, the machine is shared.

func BenchmarkCaptureSHM_1080p(b *testing.B) {
	xvfbtest.Start(b, 1920, 1080)
	s, err := openX11(validConfig(b, Config{Backend: BackendX11}))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := s.grab(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/frame")
}

func BenchmarkCaptureScreenshot_1080p(b *testing.B) {
	xvfbtest.Start(b, 1920, 1080)
	s, err := openScreenshot(validConfig(b, Config{Backend: BackendScreenshot}))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := s.grab(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/frame")
}

func validConfig(tb testing.TB, cfg Config) Config {
	tb.Helper()
	if err := cfg.validate(); err != nil {
		tb.Fatal(err)
	}
	return cfg
}
