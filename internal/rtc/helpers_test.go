package rtc

import (
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
)

var debugLog = flag.Bool("rtc.log", false, "log pion and rtc at debug level to stderr")

type pair struct {
	host   *Host
	viewer *Viewer
	enc    *fakeEncoder
	dec    *fakeDecoder
	hsig   *PipeSignaler

	mu  sync.Mutex // guards the following fields
	got []Message  // host's received messages
}

func (p *pair) messages() []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Message(nil), p.got...)
}

func testLogger(t testing.TB) *slog.Logger {
	if *debugLog {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

func loopbackConfig(t testing.TB) Config {
	return Config{ListenAddr: "127.0.0.1", Logger: testLogger(t)}
}

// newPair connects a Host and a Viewer over loopback through a pipe
// signaler. hostMod may change the host's config (e.g. to drop packets).
func newPair(t testing.TB, hostMod func(*HostConfig)) *pair {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := &pair{enc: &fakeEncoder{}, dec: &fakeDecoder{}}
	hsig, vsig := NewPipeSignalers()
	p.hsig = hsig
	hc := HostConfig{Config: loopbackConfig(t), Encoder: p.enc, OnMessage: func(m Message) {
		p.mu.Lock()
		p.got = append(p.got, m)
		p.mu.Unlock()
	}}
	if hostMod != nil {
		hostMod(&hc)
	}
	v, err := NewViewer(ctx, ViewerConfig{Config: loopbackConfig(t), Decoder: p.dec}, jsonSignaler{vsig})
	if err != nil {
		t.Fatalf("NewViewer: %v", err)
	}
	h, err := NewHost(ctx, hc, jsonSignaler{hsig})
	if err != nil {
		v.Close()
		t.Fatalf("NewHost: %v", err)
	}
	p.host, p.viewer = h, v
	t.Cleanup(func() {
		h.Close()
		v.Close()
		hsig.Close()
	})
	if err := h.WaitConnected(ctx); err != nil {
		t.Fatalf("host WaitConnected: %v", err)
	}
	if err := v.WaitConnected(ctx); err != nil {
		t.Fatalf("viewer WaitConnected: %v", err)
	}
	return p
}

// streamUntil sends pictures with increasing ids every interval until cond
// holds or the timeout passes; it returns the next unused id.
func streamUntil(t testing.TB, h *Host, start uint32, interval, timeout time.Duration, cond func() bool) uint32 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	id := start
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v (sent up to id %d)", timeout, id)
		}
		if err := h.SendPicture(testPicture(id), time.Duration(id)*interval); err != nil {
			t.Fatalf("SendPicture(%d): %v", id, err)
		}
		id++
		time.Sleep(interval)
	}
	return id
}

// dropFactory is an interceptor that drops outgoing RTP packets for which
// drop returns true.
type dropFactory struct {
	drop func(*rtp.Header) bool
}

func (f dropFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &dropInterceptor{drop: f.drop}, nil
}

type dropInterceptor struct {
	interceptor.NoOp
	drop func(*rtp.Header) bool
}

func (d *dropInterceptor) BindLocalStream(_ *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		if d.drop(h) {
			return len(payload), nil
		}
		return w.Write(h, payload, a)
	})
}

// waitGoroutines waits for the goroutine count to settle at or below base,
// and fails with a dump of the leftovers otherwise.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			var ours []string
			for _, g := range strings.Split(string(buf), "\n\n") {
				if strings.Contains(g, "pion") || strings.Contains(g, "internal/rtc") {
					ours = append(ours, g)
				}
			}
			t.Fatalf("goroutines: %d, want <= %d; leftovers:\n%s", n, base, strings.Join(ours, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func testLoggerOrDiscard(t testing.TB) *slog.Logger {
	c := Config{Logger: testLogger(t)}.withDefaults()
	return c.Logger
}

// jsonSignaler round-trips every signal through JSON, as the broker does.
type jsonSignaler struct{ Signaler }

func (j jsonSignaler) Send(ctx context.Context, s Signal) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	var out Signal
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	return j.Signaler.Send(ctx, out)
}
