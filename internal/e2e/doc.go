// Package e2e holds Tether's end-to-end resilience and secrecy tests: the
// real broker binary, the Go API client both apps use, and the media
// pipeline (capture on a private Xvfb display, VP8, WebRTC over loopback)
// run together, then faults are injected — a SIGKILLed broker, a cut
// network between the peers — and every log line is searched for
// secrets. The package has no production code; everything is in its
// _test.go files.
package e2e
