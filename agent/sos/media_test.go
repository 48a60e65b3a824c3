//go:build linux

package sos

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// pipeSignals is the agent's signal channel over an in-memory pipe to a
// real media.Viewer, as if relayed by the broker from technician 3.
type pipeSignals struct{ p *rtc.PipeSignaler }

func (s pipeSignals) Send(ctx context.Context, data []byte) error {
	var sig rtc.Signal
	if err := json.Unmarshal(data, &sig); err != nil {
		return err
	}
	return s.p.Send(ctx, sig)
}

func (s pipeSignals) SendTo(ctx context.Context, _ int64, data []byte) error {
	return s.Send(ctx, data)
}

func (s pipeSignals) Recv(ctx context.Context) (api.Envelope, error) {
	sig, err := s.p.Recv(ctx)
	if err != nil {
		return api.Envelope{}, err
	}
	b, _ := json.Marshal(sig)
	return api.Envelope{Type: "signal", From: "technician", FromID: 3, Data: b}, nil
}

func (s pipeSignals) Close() error { return nil }

// TestNothingLeavesBeforeAllowNorAfterStop runs the real media host on a
// private X display with a recording injector and a real viewer: before
// Allow no frame arrives and no input is injected (no host even exists);
// view-only injects nothing; after Stop no frame and no input pass.
func TestNothingLeavesBeforeAllowNorAfterStop(t *testing.T) {
	display := xvfbtest.Start(t, 320, 240)
	for _, control := range []bool{false, true} {
		name := map[bool]string{false: "view only", true: "control"}[control]
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			hsig, vsig := rtc.NewPipeSignalers()
			defer hsig.Close()
			loop := rtc.Config{ListenAddr: "127.0.0.1"}
			viewer, err := media.NewViewer(ctx, media.ViewerConfig{RTC: loop}, vsig)
			if err != nil {
				t.Fatal(err)
			}
			defer viewer.Close()

			rec := &input.Recorder{}
			var (
				mu    sync.Mutex
				hosts []*media.Host
				made  []bool // whether an injector was made
			)
			factory := MediaHost(media.HostConfig{RTC: loop, Capture: capture.Config{Display: display}},
				func([]input.Rect) (input.Injector, error) {
					mu.Lock()
					made = append(made, true)
					mu.Unlock()
					return rec, nil
				})
			hostFactory := func(ctx context.Context, req ShareRequest, sig rtc.Signaler) (Sharer, error) {
				s, err := factory(ctx, req, sig)
				if err == nil {
					mu.Lock()
					hosts = append(hosts, s.(*media.Host))
					mu.Unlock()
				}
				return s, err
			}
			b := newFakeBroker(activeSession)
			b.signals = func() SignalChannel { return pipeSignals{hsig} }
			h := newHarness(t, Config{Link: testLink, NewBroker: fixedBroker(b), Host: hostFactory})
			h.screen(ScreenSession)
			h.wait("events", func() bool { return b.ev() != nil })

			mode := map[bool]string{false: "view", true: "control"}[control]
			b.ev().push(t, "consent.requested", consentReq(40, mode))
			h.wait("dialog", func() bool { p := h.app.promptFor(40); return p != nil && p.dlg != nil })

			// Before Allow: nothing captured, nothing sent, no host at all.
			time.Sleep(300 * time.Millisecond)
			if st := viewer.Stats(); st.Frames != 0 {
				t.Fatalf("viewer got %d frames before Allow", st.Frames)
			}
			mu.Lock()
			n := len(hosts)
			mu.Unlock()
			if n != 0 || len(rec.Events()) != 0 {
				t.Fatalf("before Allow: %d hosts, %d injected events", n, len(rec.Events()))
			}

			h.ui(func() {
				p := h.app.promptFor(40)
				if control {
					test.Tap(p.allowControl)
				} else {
					test.Tap(p.allowView)
				}
			})
			if err := viewer.WaitConnected(ctx); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a picture", func() bool { return viewer.Stats().Frames > 0 })
			// The first picture may arrive before the agent hands control
			// to the technician, which is when an injector is made.
			injectors := func() int { mu.Lock(); defer mu.Unlock(); return len(made) }
			if control {
				waitFor(t, "an injector", func() bool { return injectors() >= 1 })
			} else {
				time.Sleep(300 * time.Millisecond)
			}
			mu.Lock()
			host := hosts[0]
			mu.Unlock()
			if n := injectors(); control != (n == 1) {
				t.Fatalf("control %v but %d injectors made", control, n)
			}

			move := input.Event{Kind: input.KindPointerMove, X: 0.5, Y: 0.5}
			click := input.Event{Kind: input.KindButton, Button: input.ButtonLeft, Down: true}
			for viewer.SendInput(ctx, move) != nil {
				if ctx.Err() != nil {
					t.Fatal("input channel never opened")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := viewer.SendInput(ctx, click); err != nil {
				t.Fatal(err)
			}
			if control {
				waitFor(t, "injected click", func() bool { return host.Stats().Injected >= 2 })
			} else {
				waitFor(t, "refused input", func() bool { return host.Stats().Refused >= 2 })
				if got := rec.Events(); len(got) != 0 {
					t.Fatalf("view only injected %v", got)
				}
			}

			// Stop: the button is held; Stop releases it, and nothing passes after.
			h.ui(func() { test.Tap(h.app.ui.stop) })
			afterStop := rec.Events()
			if control {
				last := afterStop[len(afterStop)-1]
				if last.Kind != input.KindButton || last.Down {
					t.Fatalf("held button not released by Stop: %+v", afterStop)
				}
			}
			time.Sleep(200 * time.Millisecond) // packets in flight land
			frames, captured := viewer.Stats().Frames, host.Stats().Captured
			viewer.SendInput(ctx, click)
			time.Sleep(500 * time.Millisecond)
			if got := viewer.Stats().Frames; got != frames {
				t.Fatalf("%d frames after Stop", got-frames)
			}
			if got := host.Stats().Captured; got != captured {
				t.Fatalf("%d captures after Stop", got-captured)
			}
			if got := rec.Events(); len(got) != len(afterStop) {
				t.Fatalf("input injected after Stop: %v", got[len(afterStop):])
			}
			h.wait("indicator hidden", func() bool { return h.app.Indicator() == "" })
		})
	}
}

// techSignaler is the technician's side of the broker's signaling, as the
// technician app would adapt it.
type techSignaler struct{ ch *apiclient.SignalChannel }

func (s techSignaler) Send(ctx context.Context, sig rtc.Signal) error {
	b, err := json.Marshal(sig)
	if err != nil {
		return err
	}
	return s.ch.Send(ctx, b)
}

func (s techSignaler) Recv(ctx context.Context) (rtc.Signal, error) {
	for {
		b, err := s.ch.Recv(ctx)
		if err != nil {
			return rtc.Signal{}, err
		}
		var sig rtc.Signal
		if json.Unmarshal(b, &sig) == nil {
			return sig, nil
		}
	}
}

// TestScreenReachesTechnicianThroughBroker: after Allow viewing, the real
// media host streams the private display to a real viewer, signaled
// through the real broker; Stop ends it.
func TestScreenReachesTechnicianThroughBroker(t *testing.T) {
	display := xvfbtest.Start(t, 320, 240)
	rb := startBroker(t)
	ctx := tctx(t)
	link, err := rb.tech.CreateLink(ctx, api.CreateLinkRequest{ChannelID: rb.channel.ID})
	if err != nil {
		t.Fatal(err)
	}
	loop := rtc.Config{ListenAddr: "127.0.0.1"}
	h := newHarness(t, Config{Link: link.LinkURL, NewBroker: realNewBroker,
		Host: MediaHost(media.HostConfig{RTC: loop, Capture: capture.Config{Display: display}}, nil)})
	h.screen(ScreenSession)
	h.wait("agent connected", func() bool { h.app.mu.Lock(); defer h.app.mu.Unlock(); return h.app.link == LinkConnected })

	ready := make(chan struct{})
	var once sync.Once
	ev := rb.tech.Connect(ctx, apiclient.EventsConfig{OnState: func(s apiclient.State) {
		if s.Status == apiclient.StatusConnected {
			once.Do(func() { close(ready) })
		}
	}})
	defer ev.Close()
	<-ready
	sigs := ev.Signals(link.Session.ID)
	viewer, err := media.NewViewer(ctx, media.ViewerConfig{RTC: loop}, techSignaler{sigs})
	if err != nil {
		t.Fatal(err)
	}
	defer viewer.Close()

	con, err := rb.tech.RequestRemote(ctx, link.Session.ID, "view")
	if err != nil {
		t.Fatal(err)
	}
	h.wait("consent dialog", func() bool { p := h.app.promptFor(con.ID); return p != nil && p.dlg != nil })
	h.ui(func() { test.Tap(h.app.promptFor(con.ID).allowView) })
	if err := viewer.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a picture through the broker's signaling", func() bool { return viewer.Stats().Frames > 0 })
	h.ui(func() { test.Tap(h.app.ui.stop) })
	time.Sleep(200 * time.Millisecond)
	frames := viewer.Stats().Frames
	time.Sleep(500 * time.Millisecond)
	if got := viewer.Stats().Frames; got != frames {
		t.Fatalf("%d frames after Stop", got-frames)
	}
}
