// Package rtc connects the end user's agent (the Host) and the technician's
// app (the Viewer) with a WebRTC peer connection: one VP8 video track from
// host to viewer, and two data channels for the technician's input.
//
// The package is built for latency, not completeness: the viewer assembles
// frames on the RTP marker bit (no samplebuilder and no jitter buffer),
// repairs loss with a throttled PLI and a fresh keyframe instead of NACK
// retransmissions, and hands the UI only the newest decoded picture. Pointer
// moves travel on an unordered, unreliable channel and stale ones are
// dropped; everything else travels on an ordered, reliable one.
//
// Signaling is pluggable (Signaler): the broker relays Signal values without
// looking inside them. rtc knows nothing of the broker's wire types, the
// store or the UI toolkit.
package rtc
