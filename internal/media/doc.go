// Package media wires the two ends of a remote-control session together.
//
// On the end user's side, a Host captures one monitor (internal/capture),
// converts it to I420 and encodes it with VP8 (internal/codec), sends it
// over WebRTC (internal/rtc), and injects the technician's input
// (internal/input) through a consent gate. Nothing is captured, sent or
// injected until the owner allows it (Host.Allow), and Host.Stop ends
// sharing at once.
//
// On the technician's side, a Viewer receives the video, converts decoded
// pictures to *image.RGBA in reused buffers and hands the UI only the
// newest one, sends input events, and reports where the remote cursor is so
// the UI can draw it without waiting for video.
//
// The capture loop is driven by screen damage and never queues: while a
// frame is being encoded, further damage accumulates on the X server and
// the next capture takes the newest picture, so a slow encoder lowers the
// frame rate instead of adding latency.
//
// media knows nothing of the broker, the store or the UI toolkit, and
// reads no environment or flags: callers pass config structs.
package media
