package codec

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// screen is a synthetic desktop in X11's BGRX memory order: a gradient
// wallpaper, windows with title bars, and text made of stroke-built glyphs.
// Its statistics (large flat areas, sharp high-contrast edges, thin strokes)
// are what screen-content coding is tuned for, unlike camera-like noise.
type screen struct {
	w, h, stride int
	pix          []byte
	rng          *rand.Rand
}

func newScreen(w, h int, seed uint64) *screen {
	s := &screen{w: w, h: h, stride: 4 * w, pix: make([]byte, 4*w*h), rng: rand.New(rand.NewPCG(seed, 7))}
	s.wallpaper()
	nwin := 2 + w*h/300000
	for i := 0; i < nwin; i++ {
		ww, wh := w/3+s.rng.IntN(w/3), h/3+s.rng.IntN(h/3)
		x, y := s.rng.IntN(w-ww), s.rng.IntN(h-wh)
		s.window(x, y, ww, wh)
	}
	return s
}

func (s *screen) set(x, y int, r, g, b uint8) {
	if x < 0 || y < 0 || x >= s.w || y >= s.h {
		return
	}
	o := y*s.stride + 4*x
	s.pix[o], s.pix[o+1], s.pix[o+2], s.pix[o+3] = b, g, r, 0xff
}

func (s *screen) rect(x, y, w, h int, r, g, b uint8) {
	for j := y; j < y+h; j++ {
		for i := x; i < x+w; i++ {
			s.set(i, j, r, g, b)
		}
	}
}

func (s *screen) wallpaper() {
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			s.set(x, y, uint8(20+60*x/s.w), uint8(40+80*y/s.h), uint8(120+100*(x+y)/(s.w+s.h)))
		}
	}
}

// window draws a framed window with a title bar and lines of text.
func (s *screen) window(x, y, w, h int) {
	s.rect(x-1, y-1, w+2, h+2, 90, 90, 90)
	s.rect(x, y, w, 24, 50, 60, 80)
	s.text(x+8, y+6, w/12, 230, 230, 230)
	s.rect(x, y+24, w, h-24, 250, 250, 250)
	for ly := y + 32; ly+16 < y+h; ly += 18 {
		s.text(x+8, ly, s.rng.IntN(w/8), 20, 20, 20)
	}
}

// text draws n pseudo-random glyphs of 7×13 px built from a few strokes, so
// they look like (and compress like) real anti-alias-free text.
func (s *screen) text(x, y, n int, r, g, b uint8) {
	for i := 0; i < n; i++ {
		s.glyph(x+i*8, y, s.rng.Uint32(), r, g, b)
	}
}

func (s *screen) glyph(x, y int, bits uint32, r, g, b uint8) {
	if bits&0x7 == 0 { // a space now and then
		return
	}
	if bits&1 != 0 {
		s.rect(x+1, y+2, 1, 9, r, g, b)
	}
	if bits&2 != 0 {
		s.rect(x+5, y+2, 1, 9, r, g, b)
	}
	if bits&4 != 0 {
		s.rect(x+1, y+2, 5, 1, r, g, b)
	}
	if bits&8 != 0 {
		s.rect(x+1, y+6, 5, 1, r, g, b)
	}
	if bits&16 != 0 {
		s.rect(x+1, y+10, 5, 1, r, g, b)
	}
	if bits&32 != 0 {
		s.rect(x+3, y, 1, 11, r, g, b)
	}
	if bits&64 != 0 {
		for d := 0; d < 8; d++ {
			s.set(x+1+d*5/8, y+10-d, r, g, b)
		}
	}
}

// i420 converts the screen, failing the test on error.
func (s *screen) i420(tb testing.TB, dst *I420) *I420 {
	tb.Helper()
	if dst == nil {
		dst = new(I420)
	}
	if err := BGRAToI420(s.pix, s.stride, s.w, s.h, dst); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// lumaPSNR compares BT.601 luma of a BGRA source with an RGBA result: the
// eye judges sharpness by luma, and it is what "dB" figures usually mean.
func lumaPSNR(bgra []byte, bgraStride int, rgba *image.RGBA, w, h int) float64 {
	var sse float64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			o := y*bgraStride + 4*x
			a := 0.299*float64(bgra[o+2]) + 0.587*float64(bgra[o+1]) + 0.114*float64(bgra[o])
			p := rgba.PixOffset(x, y)
			c := rgba.Pix[p : p+3 : p+3]
			bb := 0.299*float64(c[0]) + 0.587*float64(c[1]) + 0.114*float64(c[2])
			sse += (a - bb) * (a - bb)
		}
	}
	mse := sse / float64(w*h)
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// i420Typer simulates typing straight into an I420 picture: one dark glyph
// per frame on a white band, advancing like a cursor. Changing only a few
// macroblocks per frame is the common remote-support case.
type i420Typer struct {
	x, y, n int
}

func (t *i420Typer) typeGlyph(p *I420) {
	t.n++
	bits := uint32(t.n*2654435761) >> 7
	for dy := 0; dy < 13; dy++ {
		row := p.Y[(t.y+dy)*p.StrideY:]
		for dx := 0; dx < 7; dx++ {
			v := byte(235)
			if (bits>>(uint(dy*7+dx)%29))&1 != 0 && dx%3 != 2 {
				v = 16
			}
			row[t.x+dx] = v
		}
	}
	t.x += 8
	if t.x+8 > p.Width-16 {
		t.x = 16
		t.y += 18
		if t.y+14 > p.Height-16 {
			t.y = 16
		}
	}
}

// scroller is a document scrolling by 2 px per frame, back and forth: a
// view sliding over a tall synthetic screen, without per-frame
// allocation. Moving text is where a coarse quantiser shows most.
type scroller struct {
	tall, view I420
	w, h       int
}

func newScroller(tb testing.TB, w, h int) *scroller {
	tb.Helper()
	sc := &scroller{w: w, h: h}
	newScreen(w, h+2*h, 31).i420(tb, &sc.tall)
	return sc
}

func (sc *scroller) frame(i int) *I420 {
	off := pingPong(2*i, sc.tall.Height-sc.h) // even
	t := &sc.tall
	sc.view = I420{
		Width: sc.w, Height: sc.h, StrideY: t.StrideY, StrideUV: t.StrideUV,
		Y: t.Y[off*t.StrideY:], U: t.U[off/2*t.StrideUV:], V: t.V[off/2*t.StrideUV:],
	}
	return &sc.view
}

// planePSNR compares the luma planes of two pictures of one size, in dB:
// cheaper than lumaPSNR and enough to compare encoder settings.
func planePSNR(a, b *I420) float64 {
	var sse float64
	for y := 0; y < a.Height; y++ {
		ra := a.Y[y*a.StrideY : y*a.StrideY+a.Width]
		rb := b.Y[y*b.StrideY : y*b.StrideY+a.Width]
		for x := range ra {
			d := float64(ra[x]) - float64(rb[x])
			sse += d * d
		}
	}
	if sse == 0 {
		return 99
	}
	return 10 * math.Log10(255*255*float64(a.Width*a.Height)/sse)
}

// motionSource produces full-screen motion without per-frame allocation:
// the desktop scrolls (a view sliding over a tall picture) while a video
// plays in the middle quarter of the screen. The video is either a pan over
// a detailed picture (what motion search handles, like real video) or, when
// noisy, fresh random blocks every frame (unpredictable: it needs more bits
// than any sane target, so rate control is always at work).
type motionSource struct {
	tall       I420
	view       I420
	texture    []byte // luma the video pans over; 2× the region each way
	w, h, step int
	noisy      bool
	rng        *rand.Rand
}

func newMotionSource(tb testing.TB, w, h int, noisy bool) *motionSource {
	tb.Helper()
	const step, span = 4, 120 // scroll 4 px per frame, turn after 120 frames
	s := newScreen(w, h+step*span, 99)
	m := &motionSource{w: w, h: h, step: step, noisy: noisy, rng: rand.New(rand.NewPCG(5, 6))}
	s.i420(tb, &m.tall)
	if !noisy {
		tex := newScreen(w, h, 77).i420(tb, nil) // region is w/2×h/2: w×h is 2× it
		m.texture = tex.Y
	}
	return m
}

func (m *motionSource) frame(i int) *I420 {
	off := pingPong(i*m.step, m.tall.Height-m.h) // even: step is even
	t := &m.tall
	m.view = I420{
		Width: m.w, Height: m.h, StrideY: t.StrideY, StrideUV: t.StrideUV,
		Y: t.Y[off*t.StrideY:], U: t.U[off/2*t.StrideUV:], V: t.V[off/2*t.StrideUV:],
	}
	if m.noisy {
		m.noise()
	} else {
		m.pan(i)
	}
	return &m.view
}

// pingPong maps a growing position to 0..n and back, so motion reverses at
// the ends instead of jumping, which would look like a scene cut.
func pingPong(pos, n int) int {
	pos %= 2 * n
	if pos > n {
		return 2*n - pos
	}
	return pos
}

func (m *motionSource) region() (x0, y0, vw, vh int) { return m.w / 4, m.h / 4, m.w / 2, m.h / 2 }

// pan shows the texture moving diagonally, 3 px right and 2 px down per frame.
func (m *motionSource) pan(i int) {
	v := &m.view
	x0, y0, vw, vh := m.region()
	dx, dy := pingPong(3*i, m.w-vw), pingPong(2*i, m.h-vh)
	for y := 0; y < vh; y++ {
		copy(v.Y[(y0+y)*v.StrideY+x0:][:vw], m.texture[(dy+y)*m.w+dx:][:vw])
	}
	for y := y0 / 2; y < (y0+vh)/2; y++ {
		for x := x0 / 2; x < (x0+vw)/2; x++ {
			v.U[y*v.StrideUV+x], v.V[y*v.StrideUV+x] = byte(110+(x+i)%32), byte(120+(y+i)%24)
		}
	}
}

func (m *motionSource) noise() {
	v := &m.view
	x0, y0, vw, vh := m.region()
	for by := y0; by+8 <= y0+vh; by += 8 {
		for bx := x0; bx+8 <= x0+vw; bx += 8 {
			r := m.rng.Uint32()
			luma, cu, cv := byte(16+r%220), byte(100+(r>>8)%56), byte(100+(r>>16)%56)
			for y := by; y < by+8; y++ {
				row := v.Y[y*v.StrideY+bx : y*v.StrideY+bx+8]
				for x := range row {
					row[x] = luma + byte((x+y)&3)
				}
			}
			for y := by / 2; y < by/2+4; y++ {
				for x := bx / 2; x < bx/2+4; x++ {
					v.U[y*v.StrideUV+x], v.V[y*v.StrideUV+x] = cu, cv
				}
			}
		}
	}
}
