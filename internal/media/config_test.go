package media

import (
	"errors"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/input"
)

func TestHostConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     HostConfig
		wantErr bool
	}{
		{"zero takes defaults", HostConfig{}, false},
		{"negative cursor interval", HostConfig{CursorInterval: -time.Millisecond}, true},
		{"negative bitrate", HostConfig{MaxBitrateKbps: -1}, true},
		{"negative start bitrate", HostConfig{Encoder: codec.EncoderConfig{BitrateKbps: -5}}, true},
		{"sharp", HostConfig{Quality: input.QualitySharp}, false},
		{"unknown quality", HostConfig{Quality: 9}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.validate()
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidConfig) {
					t.Fatalf("err = %v, want ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.cfg.CursorInterval != DefaultCursorInterval || tt.cfg.Logger == nil ||
				tt.cfg.RTC.Logger != tt.cfg.Logger || tt.cfg.Capture.Logger != tt.cfg.Logger || !tt.cfg.Quality.Valid() {
				t.Fatalf("defaults not applied: %+v", tt.cfg)
			}
		})
	}
}

func TestViewerConfigValidate(t *testing.T) {
	bad := ViewerConfig{PLIInterval: -time.Second}
	if err := bad.validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
	var good ViewerConfig
	if err := good.validate(); err != nil || good.Logger == nil || good.RTC.Logger != good.Logger {
		t.Fatalf("validate = %v, cfg %+v", err, good)
	}
}
