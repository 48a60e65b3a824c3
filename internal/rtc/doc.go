// Package rtc connects the end user's agent (the Host) and the technician's
// app (the Viewer) with a WebRTC peer connection: one VP8 video track from
// host to viewer, and two data channels for input.
//
// The package is built for latency, not completeness: the viewer assembles
// frames on the RTP marker bit (no samplebuilder and no jitter buffer),
// repairs loss with a throttled PLI and a fresh keyframe instead of NACK
// retransmissions, and hands the UI only the newest decoded picture. Pointer
// moves travel on an unordered channel without retransmissions and stale
// ones are dropped; everything else travels on an ordered, reliable one.
// The host follows pion's send-side congestion controller (GCC over
// transport-wide feedback), clamped to [MinBitrateKbps, MaxBitrateKbps], by
// calling codec.Encoder.SetBitrate.
//
// Wiring, host side (agent):
//
//	h, err := rtc.NewHost(ctx, rtc.HostConfig{Config: cfg, Encoder: enc, OnMessage: inject}, sig)
//	defer h.Close()                          // before enc.Close()
//	for pic := range captured { h.SendPicture(pic, pic.ts) }
//
// Viewer side (technician app):
//
//	v, err := rtc.NewViewer(ctx, rtc.ViewerConfig{Config: cfg, Decoder: dec}, sig)
//	defer v.Close()                          // before dec.Close()
//	for { f := <-v.Frames(); codec.I420ToRGBA(&f.Picture, rgba); f.Release(); fyne.Do(refresh) }
//	v.SendInput(ctx, input.Marshal(ev)); v.SendPointer(input.Marshal(move))
//
// Ownership and threads: the caller owns the Encoder, the Decoder and the
// Signaler and closes them after the Host or Viewer. The Host calls the
// encoder only from the goroutine calling SendPicture/WriteFrame; the Viewer
// calls the decoder only from its own receive goroutine. A Frame is owned
// by the receiver of Frames until Release. Callbacks (OnMessage, OnState,
// OnKeyframeRequest) run on pion goroutines and must not call Close. Close
// is idempotent and returns after every goroutine of the Host or Viewer
// has ended.
//
// Signaling is pluggable (Signaler): the broker relays Signal values as
// JSON without looking inside them. Local ICE candidates are held back until
// the description they belong to has been sent, so a Signaler that keeps
// order (a WebSocket does) never needs to buffer. After StateFailed the app
// may call Host.RestartICE.
//
// Sockets: each Host or Viewer opens its own ICE UDP socket(s) with a 4 MiB
// SO_RCVBUF (the kernel default drops 1080p keyframe bursts) unless
// Config.UDPMux shares one. Server-reflexive and relay candidates use pion's
// own sockets.
//
// rtc knows nothing of the broker's wire types, the store or the UI
// toolkit, and reads no environment or flags.
package rtc
