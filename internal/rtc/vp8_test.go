package rtc

import (
	"context"
	"image"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/tetherdesk/tether/internal/codec"
)

// boxPicture paints a mid-grey picture with a white 32×32 box at x.
func boxPicture(t testing.TB, pic *codec.I420, w, h, x int) {
	t.Helper()
	if err := pic.Ensure(w, h); err != nil {
		t.Fatal(err)
	}
	for row := range h {
		line := pic.Y[row*pic.StrideY : row*pic.StrideY+w]
		for col := range line {
			line[col] = 128
			if col >= x && col < x+32 && row >= 100 && row < 132 {
				line[col] = 235
			}
		}
	}
	for i := range pic.U {
		pic.U[i], pic.V[i] = 128, 128
	}
}

func TestRealVP8(t *testing.T) {
	const w, h = 320, 240
	tests := []struct {
		name string
		drop bool
	}{
		{name: "clean"},
		{name: "packet loss", drop: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := codec.NewVP8Encoder(codec.EncoderConfig{Width: w, Height: h, FPS: 30, KeyframeMinInterval: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer enc.Close()
			dec, err := codec.NewVP8Decoder()
			if err != nil {
				t.Fatal(err)
			}
			defer dec.Close()

			var frames atomic.Int64
			var dropped atomic.Bool
			drop := func(hdr *rtp.Header) bool {
				n := frames.Load()
				if hdr.Marker {
					frames.Add(1)
				}
				// Lose the last packet of frame 10: its marker.
				return tt.drop && n == 10 && hdr.Marker && dropped.CompareAndSwap(false, true)
			}
			hsig, vsig := NewPipeSignalers()
			defer hsig.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			hc := HostConfig{Config: loopbackConfig(t), Encoder: enc}
			hc.extraInterceptors = append(hc.extraInterceptors, dropFactory{drop: drop})
			v, err := NewViewer(ctx, ViewerConfig{Config: loopbackConfig(t), Decoder: dec}, vsig)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			host, err := NewHost(ctx, hc, hsig)
			if err != nil {
				t.Fatal(err)
			}
			defer host.Close()
			if err := host.WaitConnected(ctx); err != nil {
				t.Fatal(err)
			}

			pic := new(codec.I420)
			rgba := image.NewRGBA(image.Rect(0, 0, w, h))
			var got int
			start := time.Now()
			for i := 0; got < 20 || (tt.drop && v.Stats().Keyframes < 2); i++ {
				if ctx.Err() != nil {
					t.Fatalf("got %d frames; stats %+v", got, v.Stats())
				}
				x := (i * 4) % (w - 32)
				boxPicture(t, pic, w, h, x)
				if err := host.SendPicture(pic, time.Since(start)); err != nil {
					t.Fatal(err)
				}
				time.Sleep(15 * time.Millisecond)
				select {
				case f := <-v.Frames():
					if f.Picture.Width != w || f.Picture.Height != h {
						t.Fatalf("frame %dx%d, want %dx%d", f.Picture.Width, f.Picture.Height, w, h)
					}
					if err := codec.I420ToRGBA(&f.Picture, rgba); err != nil {
						t.Fatal(err)
					}
					f.Release()
					got++
				default:
				}
			}
			// The last converted picture: grey background, a white box on row 116.
			if c := rgba.RGBAAt(w-1, 10); c.R < 100 || c.R > 160 {
				t.Errorf("background pixel %v, want mid grey", c)
			}
			var white int
			for x := range w {
				if rgba.RGBAAt(x, 116).R > 200 {
					white++
				}
			}
			if white < 24 || white > 40 {
				t.Errorf("%d white pixels on the box's row, want about 32", white)
			}
			vs, hs := v.Stats(), host.Stats()
			t.Logf("viewer %+v", vs)
			t.Logf("host %+v", hs)
			if tt.drop {
				if !dropped.Load() {
					t.Fatal("nothing dropped")
				}
				if vs.PLIs == 0 || hs.PLIs == 0 || hs.Keyframes < 2 {
					t.Errorf("no PLI-driven keyframe: viewer PLIs %d, host PLIs %d, keyframes %d", vs.PLIs, hs.PLIs, hs.Keyframes)
				}
			}
		})
	}
}
