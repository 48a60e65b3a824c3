package ui

import (
	"image"
	"image/color"
	"sync"
	"sync/atomic"
	"testing"
)

func solid(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

var (
	red   = color.RGBA{R: 255, A: 255}
	green = color.RGBA{G: 255, A: 255}
	blue  = color.RGBA{B: 255, A: 255}
)

func TestFrameBufferDropsPendingFrame(t *testing.T) {
	b := newFrameBuffer()
	if !b.put(solid(4, 4, red)) {
		t.Fatal("first put must ask for a take")
	}
	if b.put(solid(4, 4, green)) {
		t.Fatal("a put while a frame is pending must not ask for another take")
	}
	got := b.take()
	if got == nil || got.RGBAAt(1, 1) != green {
		t.Fatalf("take = %v, want the newest (green) frame", got)
	}
	if b.take() != nil {
		t.Fatal("second take without a put must return nil")
	}
}

func TestFrameBufferNeverWritesShownBuffer(t *testing.T) {
	b := newFrameBuffer()
	b.put(solid(8, 8, red))
	shown := b.take()
	// Many frames arrive while the red one is on screen; it must stay red.
	for i := 0; i < 10; i++ {
		b.put(solid(8, 8, blue))
		b.put(solid(8, 8, green))
	}
	if shown.RGBAAt(3, 3) != red {
		t.Fatalf("shown buffer was overwritten: %v", shown.RGBAAt(3, 3))
	}
	next := b.take()
	if next == shown || next.RGBAAt(3, 3) != green {
		t.Fatalf("next frame = %p %v, want a different buffer holding green", next, next.RGBAAt(3, 3))
	}
}

func TestFrameBufferReusesThreeBuffers(t *testing.T) {
	b := newFrameBuffer()
	seen := map[*image.RGBA]bool{}
	src := solid(16, 9, red)
	for i := 0; i < 50; i++ {
		b.put(src)
		if i%3 == 0 { // sometimes two frames land before the screen takes one
			b.put(src)
		}
		seen[b.take()] = true
	}
	if len(seen) > 3 {
		t.Fatalf("%d distinct buffers shown, want at most 3", len(seen))
	}
}

func TestFrameBufferCopiesSubImages(t *testing.T) {
	big := solid(10, 10, blue)
	for y := 2; y < 5; y++ {
		for x := 3; x < 7; x++ {
			big.SetRGBA(x, y, red)
		}
	}
	sub := big.SubImage(image.Rect(3, 2, 7, 5)).(*image.RGBA)
	b := newFrameBuffer()
	b.put(sub)
	got := b.take()
	if got.Rect != image.Rect(0, 0, 4, 3) {
		t.Fatalf("rect = %v, want 4x3 at the origin", got.Rect)
	}
	for y := 0; y < 3; y++ {
		for x := 0; x < 4; x++ {
			if got.RGBAAt(x, y) != red {
				t.Fatalf("pixel %d,%d = %v, want red", x, y, got.RGBAAt(x, y))
			}
		}
	}
}

func TestFrameBufferResizes(t *testing.T) {
	b := newFrameBuffer()
	for _, size := range []image.Point{{64, 32}, {32, 64}, {16, 16}, {64, 32}} {
		b.put(solid(size.X, size.Y, green))
		got := b.take()
		if got.Rect.Size() != size || got.RGBAAt(size.X-1, size.Y-1) != green {
			t.Fatalf("size %v: got %v with corner %v", size, got.Rect, got.RGBAAt(size.X-1, size.Y-1))
		}
	}
	if b.put(nil) || b.put(&image.RGBA{}) {
		t.Fatal("empty frames must be ignored")
	}
}

func TestFrameBufferCopyDoesNotAllocate(t *testing.T) {
	b := newFrameBuffer()
	src := solid(1920, 1080, red)
	for i := 0; i < 4; i++ { // warm up: fill all three buffers
		b.put(src)
		b.take()
	}
	allocs := testing.AllocsPerRun(50, func() {
		b.put(src)
		b.put(src) // a dropped frame too
		b.take()
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per frame after warm-up, want 0", allocs)
	}
}

func BenchmarkFrameBufferPut1080p(b *testing.B) {
	fb := newFrameBuffer()
	src := solid(1920, 1080, red)
	b.SetBytes(int64(len(src.Pix)))
	for b.Loop() {
		fb.put(src)
		fb.take()
	}
}

// Writers on several goroutines and a reader standing in for the Fyne
// thread: every frame the reader takes must be whole (one colour), which it
// would not be if a writer wrote into a buffer being read. Run with -race.
func TestFrameBufferConcurrentWritersAndReader(t *testing.T) {
	b := newFrameBuffer()
	var done atomic.Bool
	var wg sync.WaitGroup
	for _, c := range []color.RGBA{red, green, blue} {
		src := solid(64, 48, c)
		wg.Go(func() {
			for i := 0; i < 300; i++ {
				b.put(src)
			}
		})
	}
	reader := make(chan int)
	go func() {
		taken := 0
		for !done.Load() {
			img := b.take()
			if img == nil {
				continue
			}
			taken++
			first := img.RGBAAt(0, 0)
			for y := 0; y < 48; y++ {
				for x := 0; x < 64; x++ {
					if img.RGBAAt(x, y) != first {
						t.Errorf("torn frame: %v at 0,0 but %v at %d,%d", first, img.RGBAAt(x, y), x, y)
						reader <- taken
						return
					}
				}
			}
		}
		reader <- taken
	}()
	wg.Wait()
	done.Store(true)
	if n := <-reader; n == 0 {
		t.Log("reader took no frame (scheduling); nothing to check")
	}
}
