package capture

import "errors"

var (
	// ErrInvalidConfig reports a Config that validate refused.
	ErrInvalidConfig = errors.New("capture: invalid config")
	// ErrNoDisplay reports that the display could not be opened.
	ErrNoDisplay = errors.New("capture: cannot open display")
	// ErrNoMonitor reports a monitor index the display does not have.
	ErrNoMonitor = errors.New("capture: no such monitor")
	// ErrUnsupported reports a display the backend cannot capture (missing
	// extension, unusual pixel format, no shared memory).
	ErrUnsupported = errors.New("capture: backend unsupported on this display")
	// ErrCursorUnsupported is returned by Cursor on sources that cannot see
	// the pointer.
	ErrCursorUnsupported = errors.New("capture: cursor not available from this source")
	// ErrClosed is returned by calls on a closed Source.
	ErrClosed = errors.New("capture: source closed")
	// ErrConnectionLost reports that the display server went away.
	ErrConnectionLost = errors.New("capture: display connection lost")
)
