// Package e2e is Tether's end-to-end test through the apps' windows: the
// real broker binary and the real tether and tether-sos programs, each on
// a private Xvfb display, driven only with xdotool (pointer, clicks,
// typing) the way a technician and an end user would. The broker's API is
// used only to seed accounts (its admin commands) and to observe what the
// windows cannot be asked. The package has no production code; everything
// is in its _test.go files.
package e2e
