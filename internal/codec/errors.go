package codec

import "errors"

// Sentinel errors let callers react by kind (errors.Is) while the wrapped
// message keeps the detail, including libvpx's own explanation.
var (
	// ErrClosed is returned by any call on an encoder or decoder after Close.
	ErrClosed = errors.New("codec: closed")
	// ErrInvalidConfig wraps every EncoderConfig validation failure.
	ErrInvalidConfig = errors.New("codec: invalid config")
	// ErrInvalidPicture wraps size, stride and slice-length problems of
	// pictures and pixel buffers, caught before any pointer reaches C.
	ErrInvalidPicture = errors.New("codec: invalid picture")
	// ErrCorrupt wraps decoder failures on damaged, truncated or foreign data.
	// The usual remedy is to ask the sender for a keyframe.
	ErrCorrupt = errors.New("codec: corrupt data")
	// ErrNoPicture is returned by Decode when the packet decoded fine but
	// holds nothing to show (an invisible reference frame). Skip it.
	ErrNoPicture = errors.New("codec: packet holds no picture")
)
