package input

import "errors"

// Codec errors. Unmarshal wraps them with the offending detail; test with
// errors.Is.
var (
	ErrVersion    = errors.New("input: unsupported wire version")
	ErrKind       = errors.New("input: unknown event kind")
	ErrTruncated  = errors.New("input: truncated event")
	ErrTrailing   = errors.New("input: trailing bytes after event")
	ErrCoordinate = errors.New("input: coordinate not a number in 0..1")
	ErrButton     = errors.New("input: unknown mouse button")
	ErrFlag       = errors.New("input: flag byte not 0 or 1")
	ErrTooLong    = errors.New("input: string too long")
	ErrUTF8       = errors.New("input: string not valid UTF-8")
	ErrEmptyKey   = errors.New("input: key event without a key name")
	ErrQuality    = errors.New("input: unknown quality preference")
)

// Injector errors.
var (
	// ErrNoDisplay reports that the display to inject into cannot be opened.
	ErrNoDisplay = errors.New("input: cannot open display")
	// ErrUnsupported reports an event or platform the injector cannot handle.
	ErrUnsupported = errors.New("input: not supported by this injector")
	// ErrUnknownKey reports a key name with no mapping.
	ErrUnknownKey = errors.New("input: unknown key name")
	// ErrNotAllowed is returned by a GatedInjector outside control mode.
	ErrNotAllowed = errors.New("input: input not allowed in this session state")
	// ErrClosed is returned by calls on a closed injector.
	ErrClosed = errors.New("input: injector closed")
	// ErrBusy reports a second robotgo injector while one is open: robotgo
	// drives one process-wide display connection.
	ErrBusy = errors.New("input: another robotgo injector is open")
)
