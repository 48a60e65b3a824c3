package codec

import (
	"image"
	"slices"
	"strconv"
	"testing"
	"time"
)

const frame60 = time.Second / 60

// reportPerFrame adds ms/frame, the figure the media path budget is kept in.
func reportPerFrame(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
}

func BenchmarkBGRAToI420_1080p(b *testing.B) {
	s := newScreen(1920, 1080, 1)
	var pic I420
	s.i420(b, &pic)
	b.SetBytes(int64(len(s.pix)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := BGRAToI420(s.pix, s.stride, s.w, s.h, &pic); err != nil {
			b.Fatal(err)
		}
	}
	reportPerFrame(b)
}

func BenchmarkI420ToRGBA_1080p(b *testing.B) {
	pic := newScreen(1920, 1080, 1).i420(b, nil)
	out := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	b.SetBytes(int64(len(out.Pix)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := I420ToRGBA(pic, out); err != nil {
			b.Fatal(err)
		}
	}
	reportPerFrame(b)
}

// benchEncode times Encode alone (content changes are made outside the
// timer) in steady state, and reports mean packet size and drop rate too.
// The untimed warm-up matters: for a second after the keyframe, rate
// control drops frames to pay the keyframe back and then spends the budget
// refining the static picture, which is neither typing nor motion.
func benchEncode(b *testing.B, next func(i int) *I420) {
	const warmup = 90
	enc := newEncoder(b, EncoderConfig{Width: 1920, Height: 1080})
	for i := range warmup {
		if _, _, err := enc.Encode(next(i), time.Duration(i)*frame60); err != nil {
			b.Fatal(err)
		}
	}
	var bytes, dropped int
	b.ReportAllocs()
	b.ResetTimer()
	for i := warmup; i < warmup+b.N; i++ {
		b.StopTimer()
		pic := next(i)
		b.StartTimer()
		pkt, ok, err := enc.Encode(pic, time.Duration(i)*frame60)
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			dropped++
		}
		bytes += len(pkt.Data)
	}
	reportPerFrame(b)
	b.ReportMetric(float64(bytes)/float64(b.N), "B/frame")
	b.ReportMetric(float64(dropped)/float64(b.N), "dropped/frame")
}

// BenchmarkEncodeDesktop_1080p: one character typed per frame on a static
// desktop, the common remote-support load.
func BenchmarkEncodeDesktop_1080p(b *testing.B) {
	pic := newScreen(1920, 1080, 1).i420(b, nil)
	typer := &i420Typer{x: 16, y: 16}
	benchEncode(b, func(int) *I420 { typer.typeGlyph(pic); return pic })
}

// BenchmarkEncodeMotion_1080p: the whole screen scrolls and a video plays
// in a quarter of it.
func BenchmarkEncodeMotion_1080p(b *testing.B) {
	benchEncode(b, newMotionSource(b, 1920, 1080, false).frame)
}

// encodeSequence returns n packets (the first a keyframe) for decode
// benchmarks, so decoding never depends on the encoder's speed.
func encodeSequence(b *testing.B, n int, next func(i int) *I420) [][]byte {
	enc := newEncoder(b, EncoderConfig{Width: 1920, Height: 1080})
	var pkts [][]byte
	for i := 0; len(pkts) < n; i++ {
		pkt, ok, err := enc.Encode(next(i), time.Duration(i)*frame60)
		if err != nil {
			b.Fatal(err)
		}
		if ok {
			pkts = append(pkts, append([]byte(nil), pkt.Data...))
		}
	}
	return pkts
}

// benchDecode cycles through the packets; the sequence starts with a
// keyframe, so each wrap-around is a valid stream again. The keyframe is
// decoded once per wrap: with 60 packets that skews little.
func benchDecode(b *testing.B, pkts [][]byte) {
	dec := newDecoder(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := dec.Decode(pkts[i%len(pkts)]); err != nil {
			b.Fatal(err)
		}
	}
	reportPerFrame(b)
}

func BenchmarkDecode_1080p(b *testing.B) {
	pic := newScreen(1920, 1080, 1).i420(b, nil)
	typer := &i420Typer{x: 16, y: 16}
	benchDecode(b, encodeSequence(b, 60, func(int) *I420 { typer.typeGlyph(pic); return pic }))
}

func BenchmarkDecodeMotion_1080p(b *testing.B) {
	benchDecode(b, encodeSequence(b, 60, newMotionSource(b, 1920, 1080, false).frame))
}

// BenchmarkEncodeQuality measures media's quality profiles
// (internal/media/quality.go) at 1080p: each with its tuning, frame rate
// and rate ceiling, on a slow link (1000 kbit/s allowed by congestion
// control) and a fast one (6000), for scrolling text, typing
// (15 changes a second, under the Host's 600 kbit/s typing cap) and
// full-screen motion. Content moves with the clock: at 20 fps a 60 Hz
// scroll advances three steps a frame. It reports the frame rate, encode
// ms per frame, the kbit/s produced, luma PSNR of the decoded picture
// against its source (mean over frames after the first second: the
// keyframe's blur is not the mode's) and the largest frame. One iteration
// is 4 s of content.
func BenchmarkEncodeQuality(b *testing.B) {
	modes := []struct {
		name    string
		tuning  Tuning
		fps     int
		ceiling int // kbit/s; 0: none
	}{
		{"auto", Tuning{}, 60, 0},
		{"speed", tuningSpeed, 60, 2500},
		{"sharp", tuningSharp, 20, 0},
	}
	works := []struct {
		name string
		hz   int // changes a second
		cap  int // kbit/s the Host allows this content; 0: no cap
		src  func(tb testing.TB) func(tick int) *I420
	}{
		{"scroll", 60, 0, func(tb testing.TB) func(int) *I420 { return newScroller(tb, 1920, 1080).frame }},
		{"typing", 15, 600, func(tb testing.TB) func(int) *I420 {
			pic := newScreen(1920, 1080, 1).i420(tb, nil)
			typer := &i420Typer{x: 16, y: 16}
			last := -1
			return func(tick int) *I420 {
				for ; last < tick; last++ {
					typer.typeGlyph(pic)
				}
				return pic
			}
		}},
		{"motion", 60, 0, func(tb testing.TB) func(int) *I420 { return newMotionSource(tb, 1920, 1080, false).frame }},
	}
	for _, link := range []int{1000, 6000} {
		for _, wk := range works {
			for _, m := range modes {
				kbps := link
				for _, c := range []int{wk.cap, m.ceiling} {
					if c > 0 {
						kbps = min(kbps, c)
					}
				}
				name := wk.name + "/link" + strconv.Itoa(link) + "/" + m.name
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						encodeForQuality(b, wk.src(b), wk.hz, min(wk.hz, m.fps), kbps, m.tuning)
					}
				})
			}
		}
	}
}

// encodeForQuality encodes 4 s of content changing hz times a second, at
// most fps frames a second, and reports BenchmarkEncodeQuality's figures.
func encodeForQuality(b *testing.B, next func(tick int) *I420, hz, fps, kbps int, t Tuning) {
	const length, settle = 4 * time.Second, time.Second
	enc := newEncoder(b, EncoderConfig{Width: 1920, Height: 1080, BitrateKbps: kbps, FPS: fps,
		CPUUsed: t.CPUUsed, MinQuantizer: t.MinQuantizer, MaxQuantizer: t.MaxQuantizer})
	dec := newDecoder(b)
	var encodeTime time.Duration
	var db float64
	var bytes, frames int
	var sizes []int
	for at := time.Duration(0); at < length; at += time.Second / time.Duration(fps) {
		pic := next(int(at * time.Duration(hz) / time.Second))
		start := time.Now()
		pkt, ok, err := enc.Encode(pic, at)
		took := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			continue
		}
		got, err := dec.Decode(pkt.Data)
		if err != nil {
			b.Fatal(err)
		}
		if at >= settle {
			encodeTime += took
			bytes += len(pkt.Data)
			sizes = append(sizes, len(pkt.Data))
			db += planePSNR(pic, got)
			frames++
		}
	}
	secs := (length - settle).Seconds()
	b.ReportMetric(float64(frames)/secs, "fps")
	b.ReportMetric(float64(encodeTime.Microseconds())/1000/float64(frames), "ms/frame")
	b.ReportMetric(float64(bytes)*8/1000/secs, "kbit/s")
	b.ReportMetric(db/float64(frames), "dB")
	b.ReportMetric(float64(slices.Max(sizes))/1000, "maxKB")
}
