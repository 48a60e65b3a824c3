package media

import (
	"errors"
	"math"
	"testing"
)

func TestCursorMessage(t *testing.T) {
	tests := []struct {
		name string
		c    Cursor
	}{
		{"hidden origin", Cursor{}},
		{"visible middle", Cursor{X: 0.5, Y: 0.25, Visible: true}},
		{"bottom right", Cursor{X: 1, Y: 1, Visible: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := marshalCursor(tt.c, nil)
			if len(b) != cursorMsgLen {
				t.Fatalf("len = %d, want %d", len(b), cursorMsgLen)
			}
			got, err := unmarshalCursor(b)
			if err != nil || got != tt.c {
				t.Fatalf("round trip = %+v, %v; want %+v", got, err, tt.c)
			}
		})
	}
}

func TestCursorMessageRefused(t *testing.T) {
	good := marshalCursor(Cursor{X: 0.5, Y: 0.5, Visible: true}, nil)
	nan := marshalCursor(Cursor{X: float32(math.NaN())}, nil)
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"short", good[:9]},
		{"long", append(append([]byte{}, good...), 0)},
		{"wrong tag", append([]byte{1}, good[1:]...)},
		{"bad flags", append([]byte{cursorTag, 2}, good[2:]...)},
		{"outside", marshalCursor(Cursor{X: 1.5}, nil)},
		{"nan", nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := unmarshalCursor(tt.b); !errors.Is(err, ErrBadMessage) {
				t.Fatalf("err = %v, want ErrBadMessage", err)
			}
		})
	}
}

func FuzzUnmarshalCursor(f *testing.F) {
	f.Add(marshalCursor(Cursor{X: 0.5, Y: 0.5, Visible: true}, nil))
	f.Add([]byte{cursorTag})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := unmarshalCursor(b)
		if err != nil {
			return
		}
		again, err := unmarshalCursor(marshalCursor(c, nil))
		if err != nil || again != c {
			t.Fatalf("accepted %x as %+v but re-encoding gives %+v, %v", b, c, again, err)
		}
	})
}

func TestNormalise(t *testing.T) {
	tests := []struct {
		px, side int
		want     float32
	}{
		{0, 640, 0}, {639, 640, 1}, {-5, 640, 0}, {700, 640, 1}, {0, 1, 0},
	}
	for _, tt := range tests {
		if got := normalise(tt.px, tt.side); got != tt.want {
			t.Errorf("normalise(%d, %d) = %v, want %v", tt.px, tt.side, got, tt.want)
		}
	}
}
