// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package media

import (
	"context"
	"image"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetherdesk/tether/internal/capture"
)

// A workload is a scripted screen activity for the benchmark, drawn at
// 60 Hz by one goroutine of the benchmark process.
type workload struct {
	name string
	// marker: flip the latency marker (see flipLog) during the workload.
	marker bool
	// settle is extra warm-up: the static screen is measured once the
	// Host has stopped refining it (stillRefreshes).
	settle time.Duration
	setup  func(p *painter, rng *rand.Rand) error
	// step draws one tick's worth of change and reports whether it drew
	// anything (nil: nothing ever changes).
	step func(p *painter, rng *rand.Rand, tick int) bool
}

const (
	benchW, benchH = 1920, 1080
	tickRate       = 60
	// Document window of the desktop and typing workloads.
	glyphW, glyphH = 9, 16
)

var (
	markerRect = image.Rect(benchW-80, 16, benchW-16, 80)
	// Where the marker is read: its middle, away from blurred edges.
	markerProbe = image.Rect(markerRect.Min.X+16, markerRect.Min.Y+16, markerRect.Max.X-16, markerRect.Max.Y-16)
	textArea    = image.Rect(100, 170, 1300, 170+50*glyphH) // 50 lines
	editLine    = image.Rect(100, 130, 1300, 130+glyphH+8)
)

// markerLevels are grey levels far enough apart to tell apart after VP8
// and BT.601 round trips; successive flips step by 3 so neighbours in time
// differ a lot.
const markerLevels = 8

func markerGrey(i int) uint32 {
	g := uint32(i * 255 / (markerLevels - 1))
	return g<<16 | g<<8 | g
}

// desktop paints a desktop: background, task bar, a few icons and a
// window with an edit line above a document area.
func desktop(p *painter, _ *rand.Rand) error {
	p.fill(image.Rect(0, 0, benchW, benchH), 0x3a6ea5)
	p.fill(image.Rect(0, benchH-40, benchW, benchH), 0x202020)
	for i := range 6 {
		p.fill(image.Rect(24, 24+i*96, 88, 88+i*96), 0xe0c060+uint32(i*0x101010))
	}
	p.fill(image.Rect(90, 90, 1310, 980), 0xd0d0d0)              // window frame
	p.fill(image.Rect(90, 90, 1310, 122), 0x305090)              // title bar
	p.fill(editLine, 0xffffff)                                   // edit line
	p.fill(image.Rect(100, 166, 1300, textArea.Max.Y), 0xffffff) // document
	return p.sync()
}

// glyph draws a letter-like shape (stem, bowl or bar strokes) in the cell at
// x, y.
func glyph(p *painter, rng *rand.Rand, x, y int) {
	ink := uint32(0x202020)
	switch rng.IntN(4) {
	case 0: // l, i
		p.fill(image.Rect(x+3, y+3, x+5, y+13), ink)
	case 1: // o, e
		p.fill(image.Rect(x+1, y+6, x+7, y+8), ink)
		p.fill(image.Rect(x+1, y+11, x+7, y+13), ink)
		p.fill(image.Rect(x+1, y+6, x+3, y+13), ink)
	case 2: // h, b
		p.fill(image.Rect(x+1, y+3, x+3, y+13), ink)
		p.fill(image.Rect(x+3, y+7, x+7, y+9), ink)
		p.fill(image.Rect(x+6, y+8, x+8, y+13), ink)
	default: // n, m
		p.fill(image.Rect(x+1, y+6, x+8, y+8), ink)
		p.fill(image.Rect(x+1, y+6, x+3, y+13), ink)
		p.fill(image.Rect(x+6, y+6, x+8, y+13), ink)
	}
}

// textLine draws a line of words starting at x, y into width pixels.
func textLine(p *painter, rng *rand.Rand, x, y, width int) {
	for cx := 0; cx+glyphW <= width; cx += glyphW {
		if rng.IntN(6) == 0 {
			continue // a space
		}
		glyph(p, rng, x+cx, y)
	}
}

var workloads = []workload{
	{
		// Reading and writing: the document scrolls smoothly (2 px per
		// frame, new lines appearing at the bottom) while text is typed
		// into the edit line at about 15 characters a second.
		name:   "desktop",
		marker: true,
		setup:  desktop,
		step: func(p *painter, rng *rand.Rand, tick int) bool {
			const dy = 2
			a := textArea
			p.scroll(image.Rect(a.Min.X, a.Min.Y+dy, a.Max.X, a.Max.Y), -dy)
			p.fill(image.Rect(a.Min.X, a.Max.Y-dy, a.Max.X, a.Max.Y), 0xffffff)
			if tick%(glyphH/dy) == 0 {
				textLine(p, rng, a.Min.X, a.Max.Y-glyphH, a.Dx())
			}
			if tick%4 == 0 {
				typeChar(p, rng, editLine.Min.X+4, editLine.Min.Y+4, editLine.Dx()-8, tick/4, 1)
			}
			return true
		},
	},
	{
		// Typing only, about 15 characters a second, into the document;
		// the document jumps up a line when the bottom is reached.
		name:  "typing",
		setup: desktop,
		step: func(p *painter, rng *rand.Rand, tick int) bool {
			if tick%4 != 0 {
				return false
			}
			typeChar(p, rng, textArea.Min.X, textArea.Min.Y, textArea.Dx(), tick/4, textArea.Dy()/glyphH)
			return true
		},
	},
	{
		// The whole screen changes every frame: a detailed picture pans
		// diagonally, as a video or a game would fill it.
		name:   "motion",
		marker: true,
		setup: func(p *painter, rng *rand.Rand) error {
			const pw, ph = benchW + 512, benchH + 512
			if p.pixmap == 0 {
				if err := p.newPixmap(pw, ph); err != nil {
					return err
				}
				for range 4000 {
					x, y := rng.IntN(pw), rng.IntN(ph)
					w, h := 8+rng.IntN(160), 8+rng.IntN(120)
					p.fillOn(drawable(p.pixmap), image.Rect(x, y, x+w, y+h), rng.Uint32()&0xffffff)
				}
			}
			p.blit(0, 0)
			return p.sync()
		},
		step: func(p *painter, _ *rand.Rand, tick int) bool {
			p.blit((tick*3)%512, (tick*2)%512)
			return true
		},
	},
	{
		name:   "static",
		setup:  desktop,
		settle: (stillRefreshes + 1) * capture.DefaultRefresh,
	},
}

// typeChar types character n of a text flowing through lines of width
// pixels from x, y; past the last line the area scrolls up by one line.
func typeChar(p *painter, rng *rand.Rand, x, y, width, n, lines int) {
	perLine := width / glyphW
	line, col := n/perLine, n%perLine
	if line >= lines {
		if col == 0 { // a new line at the bottom: scroll
			area := image.Rect(x, y+glyphH, x+width, y+lines*glyphH)
			p.scroll(area, -glyphH)
			p.fill(image.Rect(x, y+(lines-1)*glyphH, x+width, y+lines*glyphH), 0xffffff)
		}
		line = lines - 1
	}
	if rng.IntN(6) == 0 {
		return // a space
	}
	glyph(p, rng, x+col*glyphW, y+line*glyphH)
}

// flipLog records when the marker was set to each level.
type flipLog struct {
	drawn atomic.Int64 // ticks that changed the screen

	mu    sync.Mutex // guards the following fields
	flips []flip
	lat   []time.Duration
	last  int // level last detected, -1 none
}

type flip struct {
	level int
	at    time.Time
	seen  bool
}

func (l *flipLog) add(level int, at time.Time) {
	l.mu.Lock()
	l.flips = append(l.flips, flip{level: level, at: at})
	l.mu.Unlock()
}

// detect is called with the marker level found in a picture shown at now:
// a new level is matched to the latest flip to it.
func (l *flipLog) detect(level int, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if level == l.last {
		return
	}
	l.last = level
	for i := len(l.flips) - 1; i >= 0; i-- {
		f := &l.flips[i]
		if f.level != level || f.at.After(now) {
			continue
		}
		if !f.seen && now.Sub(f.at) < time.Second {
			f.seen = true
			l.lat = append(l.lat, now.Sub(f.at))
		}
		return
	}
}

// reset forgets samples (not flips) so a measurement window starts clean.
func (l *flipLog) reset() {
	l.mu.Lock()
	l.lat = l.lat[:0]
	l.mu.Unlock()
}

func (l *flipLog) percentiles() (p50, p95 time.Duration, n int) {
	l.mu.Lock()
	s := append([]time.Duration(nil), l.lat...)
	l.mu.Unlock()
	if len(s) == 0 {
		return 0, 0, 0
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2], s[(len(s)*95)/100], len(s)
}

// drawWorkload runs wl until ctx ends, flipping the marker every 80-160 ms
// when wl asks for it. It reports the first X error on errc.
func drawWorkload(ctx context.Context, p *painter, wl workload, flips *flipLog) error {
	rng := rand.New(rand.NewPCG(1, 2))
	if err := wl.setup(p, rng); err != nil {
		return err
	}
	level := 0
	if wl.marker {
		p.fill(markerRect, markerGrey(level))
		if err := p.sync(); err != nil {
			return err
		}
	}
	tick := time.NewTicker(time.Second / tickRate)
	defer tick.Stop()
	nextFlip := time.Now().Add(100 * time.Millisecond)
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		changed := wl.step != nil && wl.step(p, rng, n)
		if wl.marker {
			if now := time.Now(); now.After(nextFlip) {
				level = (level + 3) % markerLevels
				nextFlip = now.Add(80*time.Millisecond + time.Duration(rng.IntN(80))*time.Millisecond)
				flips.add(level, now)
			}
			p.fill(markerRect, markerGrey(level)) // also repairs the motion workload's blit
			changed = true
		}
		if changed {
			if err := p.sync(); err != nil {
				return err
			}
			flips.drawn.Add(1)
		}
	}
}

// markerLevel reads the marker in a decoded picture: the level, and
// whether the probe is close enough to one level to count.
func markerLevel(img *image.RGBA) (int, bool) {
	if !markerProbe.In(img.Rect) {
		return 0, false
	}
	m := meanRGB(img, markerProbe)
	grey := (m[0] + m[1] + m[2]) / 3
	step := 255.0 / (markerLevels - 1)
	level := int(float64(grey)/step + 0.5)
	d := float64(grey) - float64(level)*step
	if d < 0 {
		d = -d
	}
	spread := max(m[0], m[1], m[2]) - min(m[0], m[1], m[2])
	return level, d < step/3 && spread < 24
}
