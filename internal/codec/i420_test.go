package codec

import (
	"errors"
	"testing"
)

func TestI420Ensure(t *testing.T) {
	p, err := NewI420(64, 32)
	if err != nil {
		t.Fatal(err)
	}
	if p.StrideY != 64 || p.StrideUV != 32 || len(p.Y) != 64*32 || len(p.U) != 32*16 || len(p.V) != 32*16 {
		t.Fatalf("unexpected layout %d/%d %d/%d/%d", p.StrideY, p.StrideUV, len(p.Y), len(p.U), len(p.V))
	}
	y := &p.Y[0]
	if err := p.Ensure(64, 32); err != nil || &p.Y[0] != y {
		t.Fatalf("same size reallocated (err %v)", err)
	}
	if err := p.Ensure(32, 32); err != nil || &p.Y[0] == y || p.Width != 32 {
		t.Fatalf("new size not applied (err %v)", err)
	}
	if n := testing.AllocsPerRun(10, func() { _ = p.Ensure(32, 32) }); n != 0 {
		t.Errorf("Ensure at same size allocates %v times", n)
	}
}

func TestI420EnsureRejects(t *testing.T) {
	for _, sz := range [][2]int{{0, 2}, {2, 0}, {-2, 2}, {3, 2}, {2, 5}, {maxDimension + 2, 2}} {
		var p I420
		if err := p.Ensure(sz[0], sz[1]); !errors.Is(err, ErrInvalidPicture) {
			t.Errorf("Ensure(%d, %d) = %v, want ErrInvalidPicture", sz[0], sz[1], err)
		}
		if _, err := NewI420(sz[0], sz[1]); !errors.Is(err, ErrInvalidPicture) {
			t.Errorf("NewI420(%d, %d) = %v, want ErrInvalidPicture", sz[0], sz[1], err)
		}
	}
}

// Ensure repairs a picture whose fields do not match its planes, instead of
// trusting them.
func TestI420EnsureRepairsInconsistent(t *testing.T) {
	p := &I420{Width: 16, Height: 16, StrideY: 16, StrideUV: 8, Y: make([]byte, 10)}
	if err := p.Ensure(16, 16); err != nil {
		t.Fatal(err)
	}
	if err := p.check(); err != nil {
		t.Fatal(err)
	}
}
