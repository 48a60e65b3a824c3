package media

import (
	"sync"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/input"
)

// tunedEncoder stands in for libvpx: it records the rate, the tuning and
// keyframe requests it is given.
type tunedEncoder struct {
	mu        sync.Mutex
	kbps      int
	tuning    codec.Tuning
	keyframes int
}

func (e *tunedEncoder) Encode(*codec.I420, time.Duration) (codec.Packet, bool, error) {
	return codec.Packet{}, false, nil
}
func (e *tunedEncoder) SetBitrate(kbps int) error {
	e.mu.Lock()
	e.kbps = kbps
	e.mu.Unlock()
	return nil
}
func (e *tunedEncoder) RequestKeyframe() { e.mu.Lock(); e.keyframes++; e.mu.Unlock() }
func (e *tunedEncoder) Close() error     { return nil }
func (e *tunedEncoder) SetTuning(t codec.Tuning) error {
	e.mu.Lock()
	e.tuning = t
	e.mu.Unlock()
	return nil
}

// TestEncoderQuality: what each quality gives libvpx, under the congestion
// controller's rate and the typing cap; a change needs no keyframe.
func TestEncoderQuality(t *testing.T) {
	tests := []struct {
		name        string
		quality     input.Quality
		gcc, capped int // the congestion controller's rate; the content cap (0: none)
		wantKbps    int
		wantTuning  codec.Tuning
	}{
		{"auto follows the link", input.QualityAuto, 6000, 0, 6000, codec.Tuning{}},
		{"auto under the typing cap", input.QualityAuto, 6000, 600, 600, codec.Tuning{}},
		{"speed keeps its ceiling", input.QualitySpeed, 6000, 0, 2500, codec.Tuning{MinQuantizer: 8}},
		{"speed on a slow link", input.QualitySpeed, 1000, 0, 1000, codec.Tuning{MinQuantizer: 8}},
		{"speed under the typing cap", input.QualitySpeed, 6000, 600, 600, codec.Tuning{MinQuantizer: 8}},
		{"sharp follows the link", input.QualitySharp, 6000, 0, 6000, codec.Tuning{MaxQuantizer: 40}},
		{"invalid is auto", 9, 6000, 0, 6000, codec.Tuning{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// HostConfig.Encoder's own settings are what a profile leaves alone.
			base := codec.EncoderConfig{CPUUsed: 10, MinQuantizer: 2, MaxQuantizer: 63}
			fake := &tunedEncoder{}
			e := &encoder{cfg: base, inner: fake}
			if err := e.SetBitrate(tt.gcc); err != nil {
				t.Fatal(err)
			}
			e.setCap(tt.capped)
			if err := e.setProfile(profileOf(tt.quality)); err != nil {
				t.Fatal(err)
			}
			own := codec.Tuning{CPUUsed: 10, MinQuantizer: 2, MaxQuantizer: 63}
			want := profile{tuning: tt.wantTuning}.over(own)
			if fake.kbps != tt.wantKbps || fake.tuning != want || e.rate.Load() != int64(tt.wantKbps) {
				t.Errorf("libvpx got %d kbit/s (reported %d) and %+v, want %d kbit/s and %+v",
					fake.kbps, e.rate.Load(), fake.tuning, tt.wantKbps, want)
			}
			if fake.keyframes != 0 {
				t.Errorf("%d keyframes requested for a change of quality", fake.keyframes)
			}
			// Back to Auto: the link's rate and HostConfig's tuning again.
			if err := e.setProfile(profileOf(input.QualityAuto)); err != nil {
				t.Fatal(err)
			}
			back := tt.gcc
			if tt.capped > 0 {
				back = min(back, tt.capped)
			}
			if fake.kbps != back || fake.tuning != own {
				t.Errorf("back to auto: %d kbit/s and %+v", fake.kbps, fake.tuning)
			}
		})
	}
}
