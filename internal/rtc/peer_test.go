package rtc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
)

func TestStreamInOrderNewestWins(t *testing.T) {
	p := newPair(t, nil)

	// Live: every frame the UI sees is newer than the one before.
	var last int64 = -1
	var seen int
	id := streamUntil(t, p.host, 0, 10*time.Millisecond, 5*time.Second, func() bool {
		for {
			select {
			case f := <-p.viewer.Frames():
				got := int64(pictureID(&f.Picture))
				f.Release()
				if got <= last {
					t.Fatalf("frame %d after %d: out of order", got, last)
				}
				last = got
				seen++
				continue
			default:
			}
			return seen >= 20
		}
	})

	// A UI that stops reading sees only the newest frame afterwards.
	time.Sleep(200 * time.Millisecond) // let frames in flight land
	p.viewer.frames.drain()
	base := p.viewer.Stats().Frames
	const burst = 15
	for i := range uint32(burst) {
		if err := p.host.SendPicture(testPicture(id+i), time.Duration(id+i)*10*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	want := id + burst - 1
	deadline := time.Now().Add(3 * time.Second)
	for p.viewer.Stats().Frames < base+burst {
		if time.Now().After(deadline) {
			t.Fatalf("viewer decoded %d of %d burst frames", p.viewer.Stats().Frames-base, burst)
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case f := <-p.viewer.Frames():
		if got := pictureID(&f.Picture); got != want {
			t.Fatalf("mailbox holds %d, want newest %d", got, want)
		}
		f.Release()
	case <-time.After(time.Second):
		t.Fatal("no frame in the mailbox")
	}
	select {
	case f := <-p.viewer.Frames():
		t.Fatalf("second frame %d queued; the mailbox must hold one", pictureID(&f.Picture))
	default:
	}
	if st := p.viewer.Stats(); st.FramesDropped == 0 {
		t.Errorf("stats report no replaced frames: %+v", st)
	}
}

func TestLossRecovery(t *testing.T) {
	tests := []struct {
		name string
		// dropFrame is the frame (by marker count) whose second packet the
		// host's network loses; -1 for none.
		dropFrame int64
		corrupt   bool
	}{
		{name: "packet loss", dropFrame: 8},
		{name: "decode error", dropFrame: -1, corrupt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var frame, inFrame atomic.Int64
			var dropped atomic.Bool
			drop := func(h *rtp.Header) bool {
				n, i := frame.Load(), inFrame.Add(1)
				if h.Marker {
					frame.Add(1)
					inFrame.Store(0)
				}
				if tt.dropFrame >= 0 && n == tt.dropFrame && i == 2 {
					dropped.Store(true)
					return true
				}
				return false
			}
			p := newPair(t, func(c *HostConfig) {
				c.extraInterceptors = append(c.extraInterceptors, dropFactory{drop: drop})
			})
			// The first frames include the keyframe; then the damage.
			id := streamUntil(t, p.host, 0, 10*time.Millisecond, 5*time.Second, func() bool {
				return p.viewer.Stats().Frames >= 3
			})
			keysBefore, _ := p.enc.stats()
			if tt.corrupt {
				p.dec.corruptNext()
			}
			var newest uint32
			streamUntil(t, p.host, id, 10*time.Millisecond, 5*time.Second, func() bool {
				select {
				case f := <-p.viewer.Frames():
					newest = pictureID(&f.Picture)
					f.Release()
				default:
				}
				keys, _ := p.enc.stats()
				return keys > keysBefore && newest > id+15
			})
			if tt.dropFrame >= 0 && !dropped.Load() {
				t.Fatal("the interceptor never dropped a packet")
			}
			vs, hs := p.viewer.Stats(), p.host.Stats()
			if vs.PLIs == 0 || hs.PLIs == 0 {
				t.Errorf("PLIs sent %d, received %d; want both > 0", vs.PLIs, hs.PLIs)
			}
			if hs.Keyframes < 2 || vs.Keyframes < 2 {
				t.Errorf("keyframes sent %d, decoded %d; want a recovery keyframe", hs.Keyframes, vs.Keyframes)
			}
			if vs.FramesDropped == 0 {
				t.Errorf("viewer reports no dropped frames")
			}
		})
	}
}

func TestInputInOrder(t *testing.T) {
	p := newPair(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	const n = 200
	for i := range n {
		if err := p.viewer.SendInput(ctx, fmt.Appendf(nil, "key %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(p.messages()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("host got %d of %d messages", len(p.messages()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i, m := range p.messages() {
		if want := fmt.Sprintf("key %d", i); m.Channel != ChannelInput || string(m.Data) != want {
			t.Fatalf("message %d = %s %q, want input %q", i, m.Channel, m.Data, want)
		}
	}
}

func TestPointer(t *testing.T) {
	p := newPair(t, nil)
	// The pointer channel opens shortly after the connection.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := p.viewer.SendPointer([]byte("move 1"))
		if err == nil {
			break
		}
		if !errors.Is(err, ErrNotConnected) || time.Now().After(deadline) {
			t.Fatalf("SendPointer: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := 2; i <= 5; i++ {
		if err := p.viewer.SendPointer(fmt.Appendf(nil, "move %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for len(p.messages()) < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("host got %d of 5 moves", len(p.messages()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A late duplicate or reordered move is dropped.
	p.host.deliver(ChannelPointer, appendPointer(nil, 3, []byte("stale")))
	p.host.deliver(ChannelPointer, appendPointer(nil, 6, []byte("move 6")))
	p.host.deliver(ChannelPointer, []byte{1, 2}) // malformed
	var prev uint32
	msgs := p.messages()
	for _, m := range msgs {
		if m.Channel != ChannelPointer || m.Seq <= prev {
			t.Fatalf("move %+v after seq %d", m, prev)
		}
		if want := fmt.Sprintf("move %d", m.Seq); string(m.Data) != want {
			t.Fatalf("seq %d carries %q", m.Seq, m.Data)
		}
		prev = m.Seq
	}
	if len(msgs) != 6 {
		t.Fatalf("got %d moves, want 6", len(msgs))
	}
}

func TestMessageSizeLimit(t *testing.T) {
	p := newPair(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	big := bytes.Repeat([]byte{'x'}, MaxMessageSize+1)
	if err := p.viewer.SendInput(ctx, big); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("SendInput(%d bytes) = %v, want ErrMessageTooLarge", len(big), err)
	}
	if err := p.viewer.SendPointer(big); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("SendPointer(%d bytes) = %v, want ErrMessageTooLarge", len(big), err)
	}
	max := big[:MaxMessageSize]
	if err := p.viewer.SendInput(ctx, max); err != nil {
		t.Fatalf("SendInput(max): %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(p.messages()) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("max-size message not delivered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := len(p.messages()[0].Data); got != MaxMessageSize {
		t.Fatalf("delivered %d bytes, want %d", got, MaxMessageSize)
	}
	// Received oversized messages are dropped, not delivered.
	p.host.deliver(ChannelInput, big)
	if n := len(p.messages()); n != 1 {
		t.Fatalf("oversized message delivered: %d messages", n)
	}
}

func TestHostSendsToViewer(t *testing.T) {
	var got atomic.Value
	hsig, vsig := NewPipeSignalers()
	defer hsig.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := NewViewer(ctx, ViewerConfig{Config: loopbackConfig(t), Decoder: &fakeDecoder{},
		OnMessage: func(m Message) { got.Store(string(m.Data)) }}, vsig)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	h, err := NewHost(ctx, HostConfig{Config: loopbackConfig(t), Encoder: &fakeEncoder{}}, hsig)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.SendInput(ctx, []byte("clipboard")); err != nil {
		t.Fatal(err)
	}
	for got.Load() == nil {
		if ctx.Err() != nil {
			t.Fatal("viewer got no message")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got.Load() != "clipboard" {
		t.Fatalf("viewer got %q", got.Load())
	}
}

func TestStats(t *testing.T) {
	p := newPair(t, nil)
	start := time.Now()
	streamUntil(t, p.host, 0, 10*time.Millisecond, 5*time.Second, func() bool {
		select {
		case f := <-p.viewer.Frames():
			f.Release()
		default:
		}
		return time.Since(start) > 600*time.Millisecond
	})
	for name, st := range map[string]Stats{"host": p.host.Stats(), "viewer": p.viewer.Stats()} {
		if st.State != StateConnected || st.FPS <= 10 || st.BitrateKbps <= 0 || st.Frames == 0 {
			t.Errorf("%s: implausible stats %+v", name, st)
		}
		if st.Route != RouteDirect || st.LocalCandidate != "host" || st.RemoteCandidate != "host" {
			t.Errorf("%s: route %s (%s/%s), want direct host/host", name, st.Route, st.LocalCandidate, st.RemoteCandidate)
		}
		if st.RTT < 0 || st.RTT > time.Second || st.PacketLoss != 0 {
			t.Errorf("%s: rtt %v loss %v", name, st.RTT, st.PacketLoss)
		}
		t.Logf("%s: %+v", name, st)
	}
	hs := p.host.Stats()
	if hs.TargetBitrateKbps < DefaultMinBitrateKbps || hs.TargetBitrateKbps > DefaultMaxBitrateKbps {
		t.Errorf("target bitrate %d outside the clamp", hs.TargetBitrateKbps)
	}
	_, rates := p.enc.stats()
	if len(rates) == 0 || rates[0] != DefaultStartBitrateKbps {
		t.Errorf("encoder bitrates %v, want the start rate %d first", rates, DefaultStartBitrateKbps)
	}
	for _, r := range rates {
		if r < DefaultMinBitrateKbps || r > DefaultMaxBitrateKbps {
			t.Errorf("encoder bitrate %d outside the clamp", r)
		}
	}
}

func TestCloseLeaksNothing(t *testing.T) {
	runtime.GC()
	base := runtime.NumGoroutine()
	func() {
		p := newPair(t, nil)
		streamUntil(t, p.host, 0, 10*time.Millisecond, 5*time.Second, func() bool { return p.viewer.Stats().Frames >= 5 })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.viewer.SendInput(ctx, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := p.host.Close(); err != nil {
			t.Errorf("host Close: %v", err)
		}
		if err := p.host.Close(); err != nil {
			t.Errorf("second host Close: %v", err)
		}
		if err := p.viewer.Close(); err != nil {
			t.Errorf("viewer Close: %v", err)
		}
		p.viewer.Close()
		p.hsig.Close()
		if err := p.host.SendPicture(testPicture(0), 0); !errors.Is(err, ErrClosed) {
			t.Errorf("SendPicture after Close = %v, want ErrClosed", err)
		}
		if err := p.viewer.SendInput(ctx, []byte("x")); !errors.Is(err, ErrClosed) {
			t.Errorf("SendInput after Close = %v, want ErrClosed", err)
		}
	}()
	waitGoroutines(t, base)
}

func TestRemoteByeReportsClosed(t *testing.T) {
	states := make(chan ConnState, 16)
	hsig, vsig := NewPipeSignalers()
	defer hsig.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	vc := ViewerConfig{Config: loopbackConfig(t), Decoder: &fakeDecoder{}}
	vc.OnState = func(s ConnState) { states <- s }
	v, err := NewViewer(ctx, vc, vsig)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	h, err := NewHost(ctx, HostConfig{Config: loopbackConfig(t), Encoder: &fakeEncoder{}}, hsig)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	h.Close()
	for {
		select {
		case s := <-states:
			if s == StateClosed {
				return
			}
		case <-ctx.Done():
			t.Fatal("viewer never reported closed after the host's bye")
		}
	}
}

func TestICERestart(t *testing.T) {
	p := newPair(t, nil)
	id := streamUntil(t, p.host, 0, 10*time.Millisecond, 5*time.Second, func() bool { return p.viewer.Stats().Frames >= 5 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.host.RestartICE(ctx); err != nil {
		t.Fatal(err)
	}
	before := p.viewer.Stats().Frames
	streamUntil(t, p.host, id, 10*time.Millisecond, 5*time.Second, func() bool {
		return p.viewer.Stats().Frames >= before+20 && p.host.pc.SignalingState().String() == "stable" &&
			p.host.connState() == StateConnected && p.viewer.connState() == StateConnected
	})
	if err := p.viewer.SendInput(ctx, []byte("after restart")); err != nil {
		t.Fatal(err)
	}
}

func TestSignalJSON(t *testing.T) {
	mid, idx := "0", uint16(0)
	in := Signal{Type: SignalCandidate, Candidate: &Candidate{Candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ host", SDPMid: &mid, SDPMLineIndex: &idx}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}`
	if string(b) != want {
		t.Fatalf("json %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(Signal{Type: SignalOffer, SDP: "v=0"})
	if string(b) != `{"type":"offer","sdp":"v=0"}` {
		t.Fatalf("offer json %s", b)
	}
}
