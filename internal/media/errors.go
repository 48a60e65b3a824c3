package media

import "errors"

var (
	// ErrInvalidConfig wraps every configuration error from validate.
	ErrInvalidConfig = errors.New("media: invalid config")
	// ErrClosed is returned by calls on a closed Host or Viewer.
	ErrClosed = errors.New("media: closed")
	// ErrStopped is returned by Host.Allow after Host.Stop: a stopped
	// session cannot be resumed, a new Host is needed.
	ErrStopped = errors.New("media: sharing stopped")
	// ErrBadMessage reports a host-to-viewer control message that could not
	// be decoded.
	ErrBadMessage = errors.New("media: malformed control message")
)
