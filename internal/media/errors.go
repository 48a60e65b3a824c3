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
	// ErrNoViewer is returned for a viewer id the Host does not serve.
	ErrNoViewer = errors.New("media: no such viewer")
	// ErrViewerExists is returned by AddViewer for an id already served.
	ErrViewerExists = errors.New("media: viewer already connected")
	// ErrNotAllowed is returned by SetController for a viewer the end user
	// allowed only to watch.
	ErrNotAllowed = errors.New("media: control not allowed")
	// ErrBadMessage reports a host-to-viewer control message that could not
	// be decoded.
	ErrBadMessage = errors.New("media: malformed control message")
)
