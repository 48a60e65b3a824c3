package media

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Cursor is the end user's pointer as the viewer should draw it.
type Cursor struct {
	// X, Y are normalised coordinates on the shared monitor: 0,0 top left,
	// 1,1 bottom right (the same space as input.Event).
	X, Y float32
	// Visible is false when the pointer is on another monitor or hidden.
	Visible bool
}

// Cursor messages travel host → viewer on the reliable input channel next
// to input-encoded events (clipboard). Their first byte, cursorTag, is not
// a valid input.WireVersion, so the two never mix up.
//
//	byte 0   cursorTag
//	byte 1   flags (bit 0: visible; other bits zero)
//	x f32, y f32 (little-endian)
const (
	cursorTag    = 0xC1
	cursorMsgLen = 10
)

func marshalCursor(c Cursor, buf []byte) []byte {
	var flags byte
	if c.Visible {
		flags = 1
	}
	buf = append(buf, cursorTag, flags)
	buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(c.X))
	return binary.LittleEndian.AppendUint32(buf, math.Float32bits(c.Y))
}

func unmarshalCursor(b []byte) (Cursor, error) {
	if len(b) != cursorMsgLen || b[0] != cursorTag {
		return Cursor{}, fmt.Errorf("%w: cursor message of %d bytes", ErrBadMessage, len(b))
	}
	if b[1]&^1 != 0 {
		return Cursor{}, fmt.Errorf("%w: cursor flags %#x", ErrBadMessage, b[1])
	}
	c := Cursor{
		Visible: b[1] == 1,
		X:       math.Float32frombits(binary.LittleEndian.Uint32(b[2:])),
		Y:       math.Float32frombits(binary.LittleEndian.Uint32(b[6:])),
	}
	if !(c.X >= 0 && c.X <= 1 && c.Y >= 0 && c.Y <= 1) { // also refuses NaN
		return Cursor{}, fmt.Errorf("%w: cursor position outside 0..1", ErrBadMessage)
	}
	return c, nil
}

// normalise maps a pixel position on a w×h monitor to 0..1, clamped, the
// inverse of the injector's mapping (pixel = v × (side−1)).
func normalise(px, side int) float32 {
	if side <= 1 {
		return 0
	}
	v := float32(px) / float32(side-1)
	return min(max(v, 0), 1)
}
