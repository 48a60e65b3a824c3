package rtc

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/codec"
)

// BenchmarkLoopback measures one frame's trip host→viewer in process:
// SendPicture (encode, packetize, SRTP) → loopback UDP → assembly → decode →
// mailbox. Frames go one at a time, so frames/s is the round-trip-bound
// throughput and latency excludes queueing.
func BenchmarkLoopback(b *testing.B) {
	b.Run("fake-codec", func(b *testing.B) {
		benchLoopback(b, &fakeEncoder{}, &fakeDecoder{}, func(i int) *codec.I420 { return testPicture(uint32(i)) })
	})
	b.Run("vp8-640x360", func(b *testing.B) {
		const w, h = 640, 360
		enc, err := codec.NewVP8Encoder(codec.EncoderConfig{Width: w, Height: h})
		if err != nil {
			b.Fatal(err)
		}
		defer enc.Close()
		dec, err := codec.NewVP8Decoder()
		if err != nil {
			b.Fatal(err)
		}
		defer dec.Close()
		pic := new(codec.I420)
		benchLoopback(b, enc, dec, func(i int) *codec.I420 {
			boxPicture(b, pic, w, h, (i*8)%(w-32))
			return pic
		})
	})
}

func benchLoopback(b *testing.B, enc codec.Encoder, dec codec.Decoder, picture func(int) *codec.I420) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hsig, vsig := NewPipeSignalers()
	defer hsig.Close()
	v, err := NewViewer(ctx, ViewerConfig{Config: loopbackConfig(b), Decoder: dec}, vsig)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	h, err := NewHost(ctx, HostConfig{Config: loopbackConfig(b), Encoder: enc}, hsig)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	if err := h.WaitConnected(ctx); err != nil {
		b.Fatal(err)
	}
	// Warm up until the first keyframe is through.
	start := time.Now()
	for i := 0; ; i++ {
		if err := h.SendPicture(picture(i), time.Since(start)); err != nil {
			b.Fatal(err)
		}
		select {
		case f := <-v.Frames():
			f.Release()
		case <-time.After(50 * time.Millisecond):
			continue
		case <-ctx.Done():
			b.Fatal("no frame during warm-up")
		}
		break
	}

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pic := picture(i + 1)
		t0 := time.Now()
		if err := h.SendPicture(pic, time.Since(start)); err != nil {
			b.Fatal(err)
		}
		select {
		case f := <-v.Frames():
			lat = append(lat, time.Since(t0))
			f.Release()
		case <-time.After(time.Second):
			b.Fatalf("frame %d lost", i)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	var sum time.Duration
	for _, l := range lat {
		sum += l
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	b.ReportMetric(float64(sum.Microseconds())/float64(len(lat))/1000, "ms/frame-latency")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
