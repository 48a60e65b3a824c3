package media

import (
	"time"

	"github.com/tetherdesk/tether/internal/codec"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/rtc"
)

// profile is how the Host encodes for one input.Quality. Its zero value
// is Auto: HostConfig's encoder settings at the congestion controller's
// rate and the capture's pacing.
type profile struct {
	// tuning overrides HostConfig.Encoder's speed and quantiser range;
	// zero fields keep them.
	tuning codec.Tuning
	// maxKbps caps the encoder's rate below the congestion controller's
	// estimate; 0 adds no cap.
	maxKbps int
	// interval is the shortest time between two frames the Host encodes,
	// on top of Capture.MinInterval; 0 adds nothing. Damage arriving in
	// between is merged into the next frame, as with capture pacing.
	interval time.Duration
}

// The settings of the two non-Auto profiles were picked by measuring:
// codec's BenchmarkEncodeQuality (1080p, luma PSNR against the source)
// and this package's BenchmarkPipeline with TETHER_BENCH_QUALITY (real
// capture, loopback, two cores). Figures are Auto → the profile.
//
// Speed: the ceiling keeps frames small when the congestion controller's
// estimate runs far ahead (on a clean link it climbs to rtc's 8000
// kbit/s): on the desktop workload 2.9-3.6 → 2.2-2.3 Mbit/s at the same
// ~60 fps, largest frames while scrolling at 6 Mbit/s 50 → 12 KB, for a
// blurrier scroll (53 → 31 dB); CPU and latency moved within the noise
// of a shared two-core machine. Quantiser 8 at the fine end stops libvpx
// from polishing still text with spare rate (typing bursts at 2.5
// Mbit/s: largest frames 61 → 26 KB). cpu-used 16 was tried and left
// out: it halves encode time at 15 fps (17 → 8 ms a frame) but cost
// 40-50 % more bits on full-screen motion in the pipeline, the opposite
// of what a slow link needs.
// Below 2500 kbit/s Speed is Auto: at the coarsest quantiser the frame
// size is the content's, and only fewer pixels would make it smaller.
//
// Sharp: a coarsest quantiser of 40 instead of 63 keeps text legible
// while it moves (scrolling at 1000 kbit/s: 24 → 37 dB, in fewer bits,
// 1770 → 630 kbit/s, as frames come at 20 a second) and typing sharper
// (37 → 44 dB at the 600 kbit/s typing cap, +6 % bits). Rate control can
// no longer meet a short target by coarsening, so the frame rate goes
// down instead, which adds ~25 ms of pacing on average (desktop
// workload: 19 fps, 1.7 Mbit/s, glass-to-glass p50 ~25 → ~50 ms).
// Full-screen motion at 1000 kbit/s overshoots by 2.6x at 20 fps (Auto's
// 60 fps at quantiser 63 by 4.4x); at 30 fps it was 3x and at 60 fps 8x.
var profiles = [...]profile{
	input.QualityAuto:  {},
	input.QualitySpeed: {tuning: codec.Tuning{MinQuantizer: 8}, maxKbps: rtc.DefaultStartBitrateKbps},
	input.QualitySharp: {tuning: codec.Tuning{MaxQuantizer: 40}, interval: 50 * time.Millisecond},
}

// profileOf returns q's profile; an invalid q gets Auto's.
func profileOf(q input.Quality) profile {
	if !q.Valid() {
		return profile{}
	}
	return profiles[q]
}

// over returns base with the profile's non-zero tuning fields in place.
func (p profile) over(base codec.Tuning) codec.Tuning {
	if p.tuning.CPUUsed != 0 {
		base.CPUUsed = p.tuning.CPUUsed
	}
	if p.tuning.MinQuantizer != 0 {
		base.MinQuantizer = p.tuning.MinQuantizer
	}
	if p.tuning.MaxQuantizer != 0 {
		base.MaxQuantizer = p.tuning.MaxQuantizer
	}
	return base
}
