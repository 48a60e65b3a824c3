package media

import (
	"image"
	"testing"

	"github.com/tetherdesk/tether/internal/capture"
)

func TestChangedShare(t *testing.T) {
	tests := []struct {
		name    string
		changed []image.Rectangle
		want    float64
	}{
		{"nothing", nil, 0},
		{"whole", []image.Rectangle{image.Rect(0, 0, 100, 50)}, 1},
		{"a glyph", []image.Rectangle{image.Rect(10, 10, 20, 15)}, 0.01},
		{"two halves", []image.Rectangle{image.Rect(0, 0, 50, 50), image.Rect(50, 0, 100, 50)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &capture.Frame{Width: 100, Height: 50, Changed: tt.changed}
			if got := changedShare(f); got != tt.want {
				t.Fatalf("changedShare = %v, want %v", got, tt.want)
			}
		})
	}
}
