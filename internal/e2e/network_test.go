//go:build linux

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// udpRelay is the only network path between the two peers: each is told
// (by rewriting its candidates in signaling) that the other lives at one
// of the relay's two sockets, and the relay forwards between them, so the
// test can cut the network by dropping packets.
//
// The viewer sends to hostSide, which forwards from viewerSide to the
// host; the host answers to viewerSide, which forwards from hostSide to
// the viewer. Each peer thus sees the other at exactly the address it was
// given, and no direct path exists.
type udpRelay struct {
	hostSide, viewerSide net.PacketConn

	mu       sync.Mutex // guards the following fields
	hostAddr *net.UDPAddr
	viewAddr *net.UDPAddr

	cut                    atomic.Bool
	toHost, toViewer, lost atomic.Int64
	wg                     sync.WaitGroup
}

func newRelay(t *testing.T) *udpRelay {
	t.Helper()
	r := &udpRelay{}
	var err error
	if r.hostSide, err = net.ListenPacket("udp4", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if r.viewerSide, err = net.ListenPacket("udp4", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	r.wg.Add(2)
	go r.pump(r.hostSide, r.viewerSide, func() *net.UDPAddr { return r.addrs(true) }, &r.toHost)
	go r.pump(r.viewerSide, r.hostSide, func() *net.UDPAddr { return r.addrs(false) }, &r.toViewer)
	t.Cleanup(func() {
		r.hostSide.Close()
		r.viewerSide.Close()
		r.wg.Wait()
	})
	return r
}

func (r *udpRelay) addrs(host bool) *net.UDPAddr {
	r.mu.Lock()
	defer r.mu.Unlock()
	if host {
		return r.hostAddr
	}
	return r.viewAddr
}

func (r *udpRelay) pump(from, to net.PacketConn, dst func() *net.UDPAddr, n *atomic.Int64) {
	defer r.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		k, _, err := from.ReadFrom(buf)
		if err != nil {
			return
		}
		if r.cut.Load() {
			r.lost.Add(1)
			continue
		}
		if d := dst(); d != nil {
			if _, err := to.WriteTo(buf[:k], d); err == nil {
				n.Add(1)
			}
		}
	}
}

// rewrite replaces the address of a host candidate sent by the host
// (fromHost) or the viewer with the relay socket standing for that peer,
// learning the real address to forward to. Other candidates are dropped
// (false): they would offer a path around the relay.
func (r *udpRelay) rewrite(cand string, fromHost bool) (string, bool) {
	f := strings.Fields(cand)
	if len(f) < 8 || !strings.EqualFold(f[2], "udp") || f[6] != "typ" || f[7] != "host" {
		return "", false
	}
	real, err := net.ResolveUDPAddr("udp4", net.JoinHostPort(f[4], f[5]))
	if err != nil || real.IP.To4() == nil {
		return "", false
	}
	side := r.viewerSide
	r.mu.Lock()
	learned := &r.viewAddr
	if fromHost {
		side, learned = r.hostSide, &r.hostAddr
	}
	if prev := *learned; prev != nil && (!prev.IP.Equal(real.IP) || prev.Port != real.Port) {
		r.mu.Unlock()
		return "", false // one path only
	}
	*learned = real
	r.mu.Unlock()
	a := side.LocalAddr().(*net.UDPAddr)
	f[4], f[5] = a.IP.String(), fmt.Sprint(a.Port)
	return strings.Join(f, " "), true
}

// rewritingSignaler rewrites every candidate one peer sends, trickled or
// inside a description, so that the other peer can reach it only through
// the relay.
type rewritingSignaler struct {
	rtc.Signaler
	relay    *udpRelay
	fromHost bool
}

func (s *rewritingSignaler) Send(ctx context.Context, sig rtc.Signal) error {
	switch sig.Type {
	case rtc.SignalCandidate:
		if sig.Candidate == nil {
			break
		}
		c, ok := s.relay.rewrite(sig.Candidate.Candidate, s.fromHost)
		if !ok {
			return nil
		}
		cp := *sig.Candidate
		cp.Candidate = c
		sig.Candidate = &cp
	case rtc.SignalOffer, rtc.SignalAnswer:
		lines := strings.Split(sig.SDP, "\r\n")
		out := lines[:0]
		for _, l := range lines {
			if c, ok := strings.CutPrefix(l, "a="); ok && strings.HasPrefix(c, "candidate:") {
				nc, ok := s.relay.rewrite(c, s.fromHost)
				if !ok {
					continue
				}
				l = "a=" + nc
			}
			out = append(out, l)
		}
		sig.SDP = strings.Join(out, "\r\n")
	}
	return s.Signaler.Send(ctx, sig)
}

// cutFor is how long the network between the peers is down, and
// recoveryBudget the requirement: the media recovers within 3 s
// of the network's return.
const (
	cutFor         = 3 * time.Second
	recoveryBudget = 3 * time.Second
)

// TestPeerNetworkInterruption cuts the only network path between host
// and viewer for cutFor while the end user's screen changes, restores it,
// and measures how long the viewer takes to show the changed picture: a
// decodable picture after loss needs a keyframe, so this exercises the
// PLI → keyframe repair. If ICE declares the connection failed during the
// cut, the host restarts ICE as the agent app does.
//
// Two cases: a moving screen (packets flow again at once after the cut
// and reveal the loss) and a screen that changed during the cut and then
// stayed still (after the cut the host has nothing new to send, so only
// the RTCP sender reports reveal the lost tail; see rtc's tailWatch).
func TestPeerNetworkInterruption(t *testing.T) {
	display := xvfbtest.Start(t, screenW, screenH)
	scr := newScreen(t, display)
	for _, tc := range []struct {
		name   string
		moving bool
	}{
		{"moving screen", true},
		{"still screen", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scr.stopBlinking()
			scr.setScene(red)
			if tc.moving {
				scr.blink(40 * time.Millisecond)
				defer scr.stopBlinking()
			}
			interruption(t, display, scr, tc.name, tc.moving)
		})
	}
}

func interruption(t *testing.T, display string, scr *screen, name string, moving bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	relay := newRelay(t)
	hpipe, vpipe := rtc.NewPipeSignalers()
	defer hpipe.Close()
	hsig := &rewritingSignaler{Signaler: hpipe, relay: relay, fromHost: true}
	vsig := &rewritingSignaler{Signaler: vpipe, relay: relay}

	// The agent's reaction to a failed connection: restart ICE.
	var hostStates, viewerStates connStates
	failed := make(chan struct{}, 1)
	onHostState := func(s rtc.ConnState) {
		hostStates.add(s)
		if s == rtc.StateFailed {
			select {
			case failed <- struct{}{}:
			default:
			}
		}
	}
	v, err := media.NewViewer(ctx, viewerConfig(nil, viewerStates.add), vsig)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	rec := &input.Recorder{}
	h, err := media.NewHost(ctx, hostConfig(display, rec, nil, onHostState), hsig)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var restarts atomic.Int64
	restartDone := make(chan struct{})
	go func() {
		defer close(restartDone)
		for {
			select {
			case <-ctx.Done():
				return
			case <-failed:
				restarts.Add(1)
				if err := h.RestartICE(ctx); err != nil && !errors.Is(err, rtc.ErrClosed) {
					t.Errorf("RestartICE: %v", err)
				}
			}
		}
	}()
	defer func() { cancel(); <-restartDone }()

	fr := watchFrames(t, v)
	if err := h.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.Allow(input.ModeControl); err != nil {
		t.Fatal(err)
	}
	fr.waitScene(t, time.Now(), red, 15*time.Second)
	sendKey(t, v, rec, "A", 10*time.Second)
	if relay.toHost.Load() == 0 || relay.toViewer.Load() == 0 {
		t.Fatalf("media does not cross the relay: %d packets to the host, %d to the viewer", relay.toHost.Load(), relay.toViewer.Load())
	}
	if st := h.Stats(); st.Route != rtc.RouteDirect {
		t.Fatalf("route %v (%s→%s), want direct through the relay's sockets", st.Route, st.LocalCandidate, st.RemoteCandidate)
	}
	plisBefore, keysBefore := v.Stats().PLIs, h.Stats().Keyframes

	// Cut, change the picture during the cut, restore.
	cutAt := time.Now()
	relay.cut.Store(true)
	time.Sleep(200 * time.Millisecond) // packets in flight land
	quietFrom := time.Now()
	scr.setScene(green)
	time.Sleep(time.Until(cutAt.Add(cutFor)))
	during := fr.countSince(quietFrom)
	sawGreen := fr.anyMatch(quietFrom, time.Now(), green)
	restoreAt := time.Now()
	relay.cut.Store(false)
	if during > 0 || sawGreen {
		t.Errorf("%d pictures arrived while the network was cut (the changed one among them: %v)", during, sawGreen)
	}

	greenAt, recovered := waitMatch(fr, restoreAt, green, recoveryBudget+2*time.Second)
	recovery := greenAt.Sub(restoreAt)
	keyAfter := sendKey(t, v, rec, "B", 15*time.Second)
	vs, hs := v.Stats(), h.Stats()
	summary := fmt.Sprintf("%s: cut %v, %d packets dropped, %d pictures during the cut; host states %s, viewer states %s, %d ICE restarts; viewer PLIs %d, host keyframes %d; key press after the cut %v",
		name, restoreAt.Sub(cutAt).Round(time.Millisecond), relay.lost.Load(), during,
		hostStates.since(cutAt), viewerStates.since(cutAt), restarts.Load(),
		vs.PLIs-plisBefore, hs.Keyframes-keysBefore, keyAfter.Round(time.Millisecond))
	if !recovered {
		t.Fatalf("%s; the picture changed during the cut never reached the viewer within %v of the network's return", summary, recoveryBudget+2*time.Second)
	}
	t.Logf("%s; changed picture %v after the network returned", summary, recovery.Round(time.Millisecond))
	fmt.Printf("e2e network cut, %s; media recovered %v after the network returned (budget %v)\n", summary, recovery.Round(time.Millisecond), recoveryBudget)
	if recovery > recoveryBudget {
		t.Errorf("media recovered %v after the network returned; want within %v", recovery, recoveryBudget)
	}
}

// waitMatch waits until a picture at or after since shows rgb; false on
// timeout.
func waitMatch(fr *frames, since time.Time, rgb uint32, timeout time.Duration) (time.Time, bool) {
	deadline := time.Now().Add(timeout)
	for {
		if at, ok := fr.firstMatch(since, rgb); ok {
			return at, true
		}
		if time.Now().After(deadline) {
			return time.Time{}, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}
