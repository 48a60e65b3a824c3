package capture

import (
	"errors"
	"image"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"explicit", Config{Monitor: 1, MinInterval: time.Millisecond, Refresh: time.Second}, true},
		{"negative monitor", Config{Monitor: -1}, false},
		{"negative interval", Config{MinInterval: -1}, false},
		{"refresh below pacing", Config{MinInterval: time.Second, Refresh: time.Millisecond}, false},
		{"bad backend", Config{Backend: 9}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			err := cfg.validate()
			if (err == nil) != tt.ok {
				t.Fatalf("validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %v is not ErrInvalidConfig", err)
			}
			if err == nil && (cfg.MinInterval == 0 || cfg.Refresh == 0 || cfg.Logger == nil) {
				t.Errorf("defaults not filled: %+v", cfg)
			}
		})
	}
}

func TestDiffBounds(t *testing.T) {
	const w, h = 16, 8
	a := make([]byte, w*h*4)
	b := make([]byte, w*h*4)
	if r := diffBounds(a, b, w*4, w, h); !r.Empty() {
		t.Fatalf("equal frames: %v", r)
	}
	set := func(x, y int) { b[y*w*4+x*4+1] = 9 }
	set(3, 2)
	set(10, 5)
	if r, want := diffBounds(a, b, w*4, w, h), image.Rect(3, 2, 11, 6); r != want {
		t.Fatalf("diffBounds = %v, want %v", r, want)
	}
}
