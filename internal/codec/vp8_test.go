package codec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

const frame30 = time.Second / 30

func newEncoder(tb testing.TB, cfg EncoderConfig) *vp8Encoder {
	tb.Helper()
	enc, err := NewVP8Encoder(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { enc.Close() })
	return enc.(*vp8Encoder)
}

func newDecoder(tb testing.TB) Decoder {
	tb.Helper()
	dec, err := NewVP8Decoder()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { dec.Close() })
	return dec
}

// TestRoundTripPSNR sends a typing session through the whole media path,
// BGRA → I420 → VP8 → decode → RGBA, and checks what the technician sees.
func TestRoundTripPSNR(t *testing.T) {
	tests := []struct {
		w, h   int
		kbps   int
		frames int
	}{
		{w: 320, h: 240, kbps: 600, frames: 30},
		{w: 1920, h: 1080, kbps: DefaultBitrateKbps, frames: 30},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.w, tt.h), func(t *testing.T) {
			if testing.Short() && tt.w > 1000 {
				t.Skip("1080p round trip skipped in -short mode")
			}
			s := newScreen(tt.w, tt.h, 42)
			enc := newEncoder(t, EncoderConfig{Width: tt.w, Height: tt.h, BitrateKbps: tt.kbps, FPS: 30})
			dec := newDecoder(t)
			var pic I420
			out := image.NewRGBA(image.Rect(0, 0, tt.w, tt.h))
			var psnr float64
			decoded := 0
			for i := 0; i < tt.frames; i++ {
				if i > 0 { // type a character into the first window line
					s.glyph(40+8*i, tt.h/2, uint32(i)*2654435761, 0, 0, 0)
				}
				s.i420(t, &pic)
				pkt, ok, err := enc.Encode(&pic, time.Duration(i)*frame30)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 && (!ok || !pkt.Keyframe) {
					t.Fatalf("first frame: ok=%v keyframe=%v, want a keyframe", ok, pkt.Keyframe)
				}
				if !ok {
					continue
				}
				got, err := dec.Decode(pkt.Data)
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if err := I420ToRGBA(got, out); err != nil {
					t.Fatal(err)
				}
				decoded++
				psnr = lumaPSNR(s.pix, s.stride, out, tt.w, tt.h)
				if i == 0 {
					t.Logf("keyframe: %d bytes, %.1f dB", len(pkt.Data), psnr)
				}
			}
			t.Logf("%d/%d frames decoded, last %.1f dB", decoded, tt.frames, psnr)
			if decoded < tt.frames*2/3 {
				t.Errorf("only %d of %d frames survived rate control", decoded, tt.frames)
			}
			if psnr < 35 {
				t.Errorf("luma PSNR %.1f dB after %d frames, want ≥ 35", psnr, tt.frames)
			}
		})
	}
}

// fakeClock drives keyframe throttling deterministically.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time            { return c.t }
func (c *fakeClock) set(d time.Duration)       { c.t = time.Unix(1000, 0).Add(d) }
func (c *fakeClock) since0() (d time.Duration) { return c.t.Sub(time.Unix(1000, 0)) }

func TestKeyframeThrottling(t *testing.T) {
	const w, h = 320, 240
	s := newScreen(w, h, 3)
	enc := newEncoder(t, EncoderConfig{Width: w, Height: h, BitrateKbps: 1000})
	clock := &fakeClock{}
	enc.now = clock.now
	var pic I420
	typer := &i420Typer{x: 16, y: 16}
	steps := []struct {
		at       time.Duration
		requests int
		wantKey  bool
	}{
		{at: 0, wantKey: true}, // first frame, unasked
		{at: 100 * time.Millisecond, requests: 1, wantKey: false}, // too soon after the first
		{at: 200 * time.Millisecond, requests: 2, wantKey: false}, // coalesced with the pending one
		{at: 499 * time.Millisecond, wantKey: false},              // still too soon
		{at: 500 * time.Millisecond, wantKey: true},               // interval passed: one keyframe for three requests
		{at: 600 * time.Millisecond, wantKey: false},              // nothing pending
		{at: 700 * time.Millisecond, requests: 1, wantKey: false}, // 200 ms after the last keyframe
		{at: 900 * time.Millisecond, requests: 1, wantKey: false}, //
		{at: 1000 * time.Millisecond, wantKey: true},              // honoured once due
		{at: 1100 * time.Millisecond, wantKey: false},             //
		{at: 3000 * time.Millisecond, requests: 1, wantKey: true}, // long quiet: honoured at once
		{at: 3050 * time.Millisecond, wantKey: false},             //
	}
	for _, st := range steps {
		clock.set(st.at)
		for range st.requests {
			enc.RequestKeyframe()
		}
		s.i420(t, &pic)
		typer.typeGlyph(&pic)
		pkt, ok, err := enc.Encode(&pic, clock.since0())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Fatalf("at %v: frame dropped", st.at)
		}
		if pkt.Keyframe != st.wantKey {
			t.Errorf("at %v: keyframe = %v, want %v", st.at, pkt.Keyframe, st.wantKey)
		}
	}
}

// TestSetBitrate checks that a lower target makes motion frames smaller
// while the encoder keeps running (no re-creation, no keyframe).
func TestSetBitrate(t *testing.T) {
	const w, h, n = 640, 360, 60
	src := newMotionSource(t, w, h, true)
	enc := newEncoder(t, EncoderConfig{Width: w, Height: h, BitrateKbps: 3000, FPS: 30})
	frame := 0
	// run encodes n frames and returns bytes per frame over the last half,
	// after rate control has settled; dropped frames count as 0.
	run := func() float64 {
		total := 0
		for i := 0; i < n; i++ {
			pkt, ok, err := enc.Encode(src.frame(frame), time.Duration(frame)*frame30)
			if err != nil {
				t.Fatal(err)
			}
			if ok && frame > 0 && pkt.Keyframe {
				t.Errorf("frame %d: unexpected keyframe", frame)
			}
			if ok && i >= n/2 {
				total += len(pkt.Data)
			}
			frame++
		}
		return float64(total) / float64(n/2)
	}
	high := run()
	if err := enc.SetBitrate(300); err != nil {
		t.Fatal(err)
	}
	low := run()
	// 3000 and 300 kbps at 30 fps are 12500 and 1250 bytes per frame. The
	// low figure lands above its target (~3 KB): noise at the coarsest
	// quantiser costs that much, and the encoder keeps every frame rather
	// than dropping (see tether_enc_open).
	t.Logf("3000 kbps: %.0f B/frame, 300 kbps: %.0f B/frame", high, low)
	if low > high/2 {
		t.Errorf("lowering the bitrate tenfold shrank frames only from %.0f to %.0f bytes", high, low)
	}
	if err := enc.SetBitrate(5); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("SetBitrate(5) = %v, want ErrInvalidConfig", err)
	}
}

// The tunings of media's Speed and Sharp quality profiles
// (internal/media/quality.go; keep them in step).
var (
	tuningSpeed = Tuning{MinQuantizer: 8}
	tuningSharp = Tuning{MaxQuantizer: 40}
)

// TestSetTuning: on the same scrolling text at a short rate, the sharp
// tuning (coarsest quantiser 40) shows it far more sharply than the speed
// one (quantiser 8..63); and a change
// of tuning while the encoder runs takes effect at once, without a
// keyframe.
func TestSetTuning(t *testing.T) {
	const w, h, kbps, n = 640, 360, 100, 40
	const frame20 = time.Second / 20
	// run encodes frames from..from+n-1 and returns their luma PSNR over
	// the last half and bytes per frame; keyframes after the first fail.
	run := func(enc *vp8Encoder, dec Decoder, src *scroller, from int) (db, bytes float64) {
		t.Helper()
		total, counted := 0, 0
		for i := from; i < from+n; i++ {
			pic := src.frame(i)
			pkt, ok, err := enc.Encode(pic, time.Duration(i)*frame20)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Fatalf("frame %d dropped", i)
			}
			if pkt.Keyframe != (i == 0) {
				t.Fatalf("frame %d: keyframe = %v", i, pkt.Keyframe)
			}
			got, err := dec.Decode(pkt.Data)
			if err != nil {
				t.Fatal(err)
			}
			total += len(pkt.Data)
			if i-from >= n/2 {
				db += planePSNR(pic, got)
				counted++
			}
		}
		return db / float64(counted), float64(total) / n
	}
	results := map[string][2]float64{}
	for name, tuning := range map[string]Tuning{"speed": tuningSpeed, "sharp": tuningSharp} {
		cfg := EncoderConfig{Width: w, Height: h, BitrateKbps: kbps, CPUUsed: tuning.CPUUsed,
			MinQuantizer: tuning.MinQuantizer, MaxQuantizer: tuning.MaxQuantizer}
		db, b := run(newEncoder(t, cfg), newDecoder(t), newScroller(t, w, h), 0)
		results[name] = [2]float64{db, b}
		t.Logf("%s: %.1f dB, %.0f B/frame", name, db, b)
	}
	speed, sharp := results["speed"], results["sharp"]
	// (Bytes are not compared: at this rate both spend about the same.)
	if sharp[0] < speed[0]+5 {
		t.Errorf("sharp %.1f dB in %.0f B/frame, speed %.1f dB in %.0f B/frame: want sharp ≥ 5 dB better",
			sharp[0], sharp[1], speed[0], speed[1])
	}

	// Two encoders run the speed tuning on the same frames; then one
	// switches to sharp while running and pulls ahead of the other, which
	// keeps it: rate control alone sharpens both as the stream settles.
	speedCfg := EncoderConfig{Width: w, Height: h, BitrateKbps: kbps, CPUUsed: tuningSpeed.CPUUsed, MinQuantizer: tuningSpeed.MinQuantizer}
	ctl, ctlDec, ctlSrc := newEncoder(t, speedCfg), newDecoder(t), newScroller(t, w, h)
	enc, dec, src := newEncoder(t, EncoderConfig{Width: w, Height: h, BitrateKbps: kbps}), newDecoder(t), newScroller(t, w, h)
	if err := enc.SetTuning(tuningSpeed); err != nil {
		t.Fatal(err)
	}
	run(ctl, ctlDec, ctlSrc, 0)
	run(enc, dec, src, 0)
	if err := enc.SetTuning(tuningSharp); err != nil {
		t.Fatal(err)
	}
	stayed, _ := run(ctl, ctlDec, ctlSrc, n)
	switched, _ := run(enc, dec, src, n)
	t.Logf("after the switch: %.1f dB, %.1f dB without it", switched, stayed)
	if switched < stayed+5 {
		t.Errorf("switching to the sharp tuning gave %.1f dB, staying on speed %.1f dB", switched, stayed)
	}

	for _, bad := range []Tuning{{CPUUsed: 17}, {MaxQuantizer: 64}, {MinQuantizer: 50, MaxQuantizer: 40}} {
		if err := enc.SetTuning(bad); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("SetTuning(%+v) = %v, want ErrInvalidConfig", bad, err)
		}
	}
	enc.Close()
	if err := enc.SetTuning(tuningSharp); !errors.Is(err, ErrClosed) {
		t.Errorf("SetTuning after Close = %v", err)
	}
}

func TestEncoderConfigValidation(t *testing.T) {
	ok := EncoderConfig{Width: 64, Height: 64}
	tests := []struct {
		name   string
		modify func(*EncoderConfig)
	}{
		{"zero size", func(c *EncoderConfig) { c.Width, c.Height = 0, 0 }},
		{"odd width", func(c *EncoderConfig) { c.Width = 63 }},
		{"odd height", func(c *EncoderConfig) { c.Height = 65 }},
		{"negative width", func(c *EncoderConfig) { c.Width = -64 }},
		{"too wide", func(c *EncoderConfig) { c.Width = 20000 }},
		{"more than 8K", func(c *EncoderConfig) { c.Width, c.Height = 8192, 8192 }},
		{"negative bitrate", func(c *EncoderConfig) { c.BitrateKbps = -1 }},
		{"bitrate in bps by mistake", func(c *EncoderConfig) { c.BitrateKbps = 2_500_000 }},
		{"negative fps", func(c *EncoderConfig) { c.FPS = -30 }},
		{"fps too high", func(c *EncoderConfig) { c.FPS = 1000 }},
		{"cpu-used too high", func(c *EncoderConfig) { c.CPUUsed = 17 }},
		{"negative cpu-used", func(c *EncoderConfig) { c.CPUUsed = -3 }},
		{"quantiser above 63", func(c *EncoderConfig) { c.MaxQuantizer = 64 }},
		{"negative quantiser", func(c *EncoderConfig) { c.MinQuantizer = -1 }},
		{"quantiser range reversed", func(c *EncoderConfig) { c.MinQuantizer, c.MaxQuantizer = 40, 30 }},
		{"maximum below the default minimum", func(c *EncoderConfig) { c.MaxQuantizer = 1 }},
		{"negative threads", func(c *EncoderConfig) { c.Threads = -1 }},
		{"too many threads", func(c *EncoderConfig) { c.Threads = 64 }},
		{"negative keyframe interval", func(c *EncoderConfig) { c.KeyframeMinInterval = -time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.modify(&cfg)
			enc, err := NewVP8Encoder(cfg)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("err = %v, want ErrInvalidConfig", err)
			}
			if enc != nil {
				enc.Close()
			}
		})
	}
}

func TestEncoderConfigDefaults(t *testing.T) {
	enc := newEncoder(t, EncoderConfig{Width: 64, Height: 48})
	want := EncoderConfig{Width: 64, Height: 48, BitrateKbps: 2500, FPS: 60, CPUUsed: 10, MinQuantizer: 2, MaxQuantizer: 63,
		Threads: 1, KeyframeMinInterval: 500 * time.Millisecond}
	if enc.cfg != want {
		t.Errorf("config = %+v, want %+v", enc.cfg, want)
	}
}

func TestEncoderRejectsWrongPicture(t *testing.T) {
	enc := newEncoder(t, EncoderConfig{Width: 64, Height: 48})
	other, _ := NewI420(64, 64)
	bad, _ := NewI420(64, 48)
	bad.U = bad.U[:5]
	for name, pic := range map[string]*I420{"nil": nil, "wrong size": other, "short plane": bad} {
		if _, _, err := enc.Encode(pic, 0); !errors.Is(err, ErrInvalidPicture) {
			t.Errorf("%s: err = %v, want ErrInvalidPicture", name, err)
		}
	}
}

func TestClose(t *testing.T) {
	enc, err := NewVP8Encoder(EncoderConfig{Width: 64, Height: 48})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewVP8Decoder()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // idempotent
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		if err := dec.Close(); err != nil {
			t.Fatal(err)
		}
	}
	pic, _ := NewI420(64, 48)
	if _, _, err := enc.Encode(pic, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Encode after Close: %v", err)
	}
	if err := enc.SetBitrate(1000); !errors.Is(err, ErrClosed) {
		t.Errorf("SetBitrate after Close: %v", err)
	}
	enc.RequestKeyframe() // must not panic
	if _, err := dec.Decode([]byte{1, 2, 3}); !errors.Is(err, ErrClosed) {
		t.Errorf("Decode after Close: %v", err)
	}
}

// encodedStream returns a keyframe and a following inter frame of a small
// screen, for decoder tests and fuzz seeds.
func encodedStream(tb testing.TB) (key, inter []byte) {
	tb.Helper()
	const w, h = 64, 48
	s := newScreen(w, h, 5)
	enc := newEncoder(tb, EncoderConfig{Width: w, Height: h, BitrateKbps: 500})
	var pic I420
	s.i420(tb, &pic)
	pkt, ok, err := enc.Encode(&pic, 0)
	if err != nil || !ok {
		tb.Fatalf("keyframe: ok=%v err=%v", ok, err)
	}
	key = bytes.Clone(pkt.Data)
	(&i420Typer{x: 16, y: 16}).typeGlyph(&pic)
	pkt, ok, err = enc.Encode(&pic, frame30)
	if err != nil || !ok {
		tb.Fatalf("inter frame: ok=%v err=%v", ok, err)
	}
	return key, bytes.Clone(pkt.Data)
}

func TestDecoderRejectsGarbage(t *testing.T) {
	key, inter := encodedStream(t)
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	huge := bytes.Clone(key)
	huge[6], huge[7], huge[8], huge[9] = 0x7b, 0x3b, 0x7b, 0x3b // 15227x15227
	badSync := bytes.Clone(key)
	badSync[3] ^= 0xff // keyframe start code 9d 01 2a
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{0}},
		{"random", random},
		{"truncated keyframe header", key[:8]},
		{"keyframe with broken start code", badSync},
		{"keyframe declaring a huge size", huge},
		{"inter frame without keyframe", inter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := newDecoder(t)
			pic, err := dec.Decode(tt.data)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("err = %v, want ErrCorrupt", err)
			}
			if pic != nil {
				t.Errorf("got a picture from garbage")
			}
			// The decoder stays usable: a keyframe recovers it.
			if _, err := dec.Decode(key); err != nil {
				t.Errorf("keyframe after garbage: %v", err)
			}
		})
	}
}

// FuzzDecode feeds arbitrary bytes to a decoder that has already seen a
// keyframe, so inter-frame paths are reached too. Any outcome but a crash or
// a picture inconsistent with its planes is fine.
func FuzzDecode(f *testing.F) {
	key, inter := encodedStream(f)
	f.Add(key)
	f.Add(inter)
	f.Add(key[:len(key)/2])
	f.Add([]byte{})
	f.Add([]byte{0x9d, 0x01, 0x2a, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := newDecoder(t)
		if _, err := dec.Decode(key); err != nil {
			t.Fatal(err)
		}
		pic, err := dec.Decode(data)
		if err != nil {
			if pic != nil {
				t.Fatal("picture returned with an error")
			}
			return
		}
		if err := pic.check(); err != nil {
			t.Fatalf("inconsistent picture: %v", err)
		}
		// Touch the last byte of each plane: it must be real memory.
		_ = pic.Y[len(pic.Y)-1] + pic.U[len(pic.U)-1] + pic.V[len(pic.V)-1]
		if pic.Width*pic.Height <= 1920*1080 { // keep iterations fast
			rgba := image.NewRGBA(image.Rect(0, 0, pic.Width, pic.Height))
			if err := I420ToRGBA(pic, rgba); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestHotPathAllocs proves the per-frame path allocates nothing: capture
// conversion, encode (with now and then a change of tuning), decode and
// conversion for display.
func TestHotPathAllocs(t *testing.T) {
	const w, h = 640, 360
	s := newScreen(w, h, 11)
	enc := newEncoder(t, EncoderConfig{Width: w, Height: h, BitrateKbps: 4000})
	dec := newDecoder(t)
	var pic I420
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	typer := &i420Typer{x: 16, y: 16}
	i := 0
	frame := func() {
		if err := BGRAToI420(s.pix, s.stride, w, h, &pic); err != nil {
			t.Fatal(err)
		}
		typer.typeGlyph(&pic)
		if i%10 == 5 {
			enc.RequestKeyframe()
		}
		if i%10 == 2 { // a quality change, applied by the next Encode
			enc.SetTuning([]Tuning{tuningSpeed, tuningSharp}[i/10%2])
		}
		pkt, ok, err := enc.Encode(&pic, time.Duration(i)*frame30)
		i++
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return
		}
		got, err := dec.Decode(pkt.Data)
		if err != nil {
			t.Fatal(err)
		}
		if err := I420ToRGBA(got, out); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 { // let buffers grow to their working size
		frame()
	}
	if n := testing.AllocsPerRun(30, frame); n != 0 {
		t.Errorf("%v allocations per frame, want 0", n)
	}
}

// TestEncoderConcurrentControl drives the encoder the way rtc will: frames
// from the capture goroutine, keyframe requests from RTCP, bitrate and
// tuning changes from congestion control and quality requests, and Close
// racing the last frames. Run it with
// -race to check the locking.
func TestEncoderConcurrentControl(t *testing.T) {
	const w, h = 160, 120
	s := newScreen(w, h, 21)
	enc, err := NewVP8Encoder(EncoderConfig{Width: w, Height: h, BitrateKbps: 500})
	if err != nil {
		t.Fatal(err)
	}
	var pic I420
	s.i420(t, &pic)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			enc.RequestKeyframe()
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := enc.SetBitrate(200 + 100*(i%10)); err != nil && !errors.Is(err, ErrClosed) {
				t.Error(err)
				return
			}
			if err := enc.(Tuner).SetTuning([]Tuning{tuningSpeed, tuningSharp}[i%2]); err != nil && !errors.Is(err, ErrClosed) {
				t.Error(err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	keyframes, start := 0, time.Now()
	for i := 0; i < 60; i++ {
		pkt, ok, err := enc.Encode(&pic, time.Duration(i)*frame30)
		if err != nil {
			t.Fatal(err)
		}
		if ok && pkt.Keyframe {
			keyframes++
		}
	}
	// However many requests arrived: the first frame plus at most one per
	// elapsed interval (60 small frames normally take ~20 ms: just one).
	if limit := 1 + int(time.Since(start)/DefaultKeyframeMinInterval); keyframes < 1 || keyframes > limit {
		t.Errorf("%d keyframes under a request storm, want 1..%d", keyframes, limit)
	}
	done := make(chan struct{})
	go func() { // Close while Encode may be running
		defer close(done)
		enc.Close()
	}()
	for i := 60; i < 70; i++ {
		if _, _, err := enc.Encode(&pic, time.Duration(i)*frame30); err != nil && !errors.Is(err, ErrClosed) {
			t.Error(err)
		}
	}
	<-done
	close(stop)
	wg.Wait()
}
