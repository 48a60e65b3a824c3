package codec

import (
	"errors"
	"image"
	"testing"
)

// colours with their BT.601 limited-range YUV, from the standard equations.
// Red and blue differ greatly in Y, U and V, so a swapped byte order fails.
var colourTable = []struct {
	name    string
	r, g, b uint8
	y, u, v int
}{
	{"black", 0, 0, 0, 16, 128, 128},
	{"white", 255, 255, 255, 235, 128, 128},
	{"red", 255, 0, 0, 81, 90, 240},
	{"green", 0, 255, 0, 145, 54, 34},
	{"blue", 0, 0, 255, 41, 240, 110},
	{"grey", 128, 128, 128, 126, 128, 128},
	{"orange", 255, 128, 0, 146, 53, 193},
}

func within(a, b, tol int) bool { return a-b <= tol && b-a <= tol }

func solidBGRA(w, h int, r, g, b uint8) []byte {
	pix := make([]byte, 4*w*h)
	for i := 0; i < len(pix); i += 4 {
		// X11 memory order: blue first. Alpha garbage must not matter.
		pix[i], pix[i+1], pix[i+2], pix[i+3] = b, g, r, 0x00
	}
	return pix
}

func TestBGRAToI420Colours(t *testing.T) {
	for _, c := range colourTable {
		t.Run(c.name, func(t *testing.T) {
			var pic I420
			if err := BGRAToI420(solidBGRA(16, 16, c.r, c.g, c.b), 64, 16, 16, &pic); err != nil {
				t.Fatal(err)
			}
			y, u, v := int(pic.Y[5*pic.StrideY+5]), int(pic.U[3*pic.StrideUV+3]), int(pic.V[3*pic.StrideUV+3])
			if !within(y, c.y, 2) || !within(u, c.u, 2) || !within(v, c.v, 2) {
				t.Errorf("YUV = %d,%d,%d, want %d,%d,%d (±2)", y, u, v, c.y, c.u, c.v)
			}
		})
	}
}

func TestI420ToRGBAColours(t *testing.T) {
	for _, c := range colourTable {
		t.Run(c.name, func(t *testing.T) {
			pic, err := NewI420(16, 16)
			if err != nil {
				t.Fatal(err)
			}
			fill(pic.Y, byte(c.y))
			fill(pic.U, byte(c.u))
			fill(pic.V, byte(c.v))
			dst := image.NewRGBA(image.Rect(0, 0, 16, 16))
			if err := I420ToRGBA(pic, dst); err != nil {
				t.Fatal(err)
			}
			got := dst.RGBAAt(7, 9)
			if !within(int(got.R), int(c.r), 3) || !within(int(got.G), int(c.g), 3) || !within(int(got.B), int(c.b), 3) || got.A != 255 {
				t.Errorf("RGBA = %v, want %d,%d,%d,255 (±3)", got, c.r, c.g, c.b)
			}
		})
	}
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

// A window captured at an odd size loses its last column and row rather than
// failing; a 1-pixel side has nothing left and is an error.
func TestBGRAToI420OddSizes(t *testing.T) {
	tests := []struct {
		w, h         int
		wantW, wantH int
		wantErr      bool
	}{
		{w: 17, h: 9, wantW: 16, wantH: 8},
		{w: 1367, h: 769, wantW: 1366, wantH: 768},
		{w: 2, h: 3, wantW: 2, wantH: 2},
		{w: 1, h: 8, wantErr: true},
		{w: 8, h: 1, wantErr: true},
	}
	for _, tt := range tests {
		src := solidBGRA(tt.w, tt.h, 255, 0, 0)
		var pic I420
		err := BGRAToI420(src, 4*tt.w, tt.w, tt.h, &pic)
		if tt.wantErr {
			if !errors.Is(err, ErrInvalidPicture) {
				t.Errorf("%dx%d: err = %v, want ErrInvalidPicture", tt.w, tt.h, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%dx%d: %v", tt.w, tt.h, err)
			continue
		}
		if pic.Width != tt.wantW || pic.Height != tt.wantH {
			t.Errorf("%dx%d: got %dx%d, want %dx%d", tt.w, tt.h, pic.Width, pic.Height, tt.wantW, tt.wantH)
		}
		if y := pic.Y[len(pic.Y)-1]; !within(int(y), 81, 2) {
			t.Errorf("%dx%d: last Y = %d, want red's 81", tt.w, tt.h, y)
		}
	}
}

// Padded rows (stride > 4*w), as X11 SHM images may have, must be honoured.
func TestBGRAToI420Stride(t *testing.T) {
	const w, h, stride = 8, 4, 48
	src := make([]byte, stride*h)
	for y := 0; y < h; y++ {
		copy(src[y*stride:], solidBGRA(w, 1, 0, 0, 255))
		fill(src[y*stride+4*w:(y+1)*stride], 0xff) // padding is white: must be ignored
	}
	var pic I420
	if err := BGRAToI420(src, stride, w, h, &pic); err != nil {
		t.Fatal(err)
	}
	for i, y := range pic.Y {
		if !within(int(y), 41, 2) {
			t.Fatalf("Y[%d] = %d, want blue's 41: padding leaked in", i, y)
		}
	}
}

func TestConversionRejectsBadBuffers(t *testing.T) {
	good, _ := NewI420(16, 16)
	rgba := image.NewRGBA(image.Rect(0, 0, 16, 16))
	src := make([]byte, 4*16*16)
	tests := []struct {
		name string
		run  func() error
	}{
		{"nil dst", func() error { return BGRAToI420(src, 64, 16, 16, nil) }},
		{"short src", func() error { return BGRAToI420(src[:4*16*16-1], 64, 16, 16, new(I420)) }},
		{"stride below width", func() error { return BGRAToI420(src, 60, 16, 16, new(I420)) }},
		{"negative stride", func() error { return BGRAToI420(src, -64, 16, 16, new(I420)) }},
		{"huge stride", func() error { return BGRAToI420(src, 1<<40, 16, 16, new(I420)) }},
		{"zero size", func() error { return BGRAToI420(src, 64, 0, 16, new(I420)) }},
		{"negative size", func() error { return BGRAToI420(src, 64, 16, -2, new(I420)) }},
		{"too large", func() error { return BGRAToI420(src, 64, 16, 1<<20, new(I420)) }},
		{"nil I420", func() error { return I420ToRGBA(nil, rgba) }},
		{"nil RGBA", func() error { return I420ToRGBA(good, nil) }},
		{"RGBA size mismatch", func() error { return I420ToRGBA(good, image.NewRGBA(image.Rect(0, 0, 16, 14))) }},
		{"RGBA short Pix", func() error {
			bad := *rgba
			bad.Pix = bad.Pix[:len(bad.Pix)-1]
			return I420ToRGBA(good, &bad)
		}},
		{"short Y plane", func() error {
			bad := *good
			bad.Y = bad.Y[:len(bad.Y)-1]
			return I420ToRGBA(&bad, rgba)
		}},
		{"short V plane", func() error {
			bad := *good
			bad.V = bad.V[:10]
			return I420ToRGBA(&bad, rgba)
		}},
		{"UV stride too small", func() error {
			bad := *good
			bad.StrideUV = 7
			return I420ToRGBA(&bad, rgba)
		}},
		{"odd I420", func() error {
			bad := *good
			bad.Width = 15
			return I420ToRGBA(&bad, image.NewRGBA(image.Rect(0, 0, 15, 16)))
		}},
	}
	for _, tt := range tests {
		if err := tt.run(); !errors.Is(err, ErrInvalidPicture) {
			t.Errorf("%s: err = %v, want ErrInvalidPicture", tt.name, err)
		}
	}
}

func TestConversionAllocs(t *testing.T) {
	s := newScreen(640, 360, 1)
	var pic I420
	s.i420(t, &pic)
	rgba := image.NewRGBA(image.Rect(0, 0, 640, 360))
	n := testing.AllocsPerRun(20, func() {
		if err := BGRAToI420(s.pix, s.stride, s.w, s.h, &pic); err != nil {
			t.Fatal(err)
		}
		if err := I420ToRGBA(&pic, rgba); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per conversion pair, want 0", n)
	}
}
