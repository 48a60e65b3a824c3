package rtc

import "errors"

var (
	// ErrClosed is returned by calls on a Host or Viewer after Close, and by a
	// pipe Signaler whose peer has gone.
	ErrClosed = errors.New("rtc: closed")
	// ErrNotConnected is returned when a data channel is not open yet.
	ErrNotConnected = errors.New("rtc: not connected")
	// ErrMessageTooLarge is returned for a data-channel message larger than
	// MaxMessageSize; received ones are dropped.
	ErrMessageTooLarge = errors.New("rtc: message too large")
	// ErrInvalidConfig wraps every configuration error from validate.
	ErrInvalidConfig = errors.New("rtc: invalid config")
	// ErrUnexpectedSignal is returned for a signal that makes no sense in the
	// current state (an offer sent to the host, an unknown type).
	ErrUnexpectedSignal = errors.New("rtc: unexpected signal")
	// ErrShortMessage is returned when a pointer message is too short to
	// carry its sequence number.
	ErrShortMessage = errors.New("rtc: short message")
)
