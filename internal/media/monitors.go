package media

import (
	"encoding/binary"
	"fmt"
)

// Monitors is the host's monitor list as a viewer learns it: which
// monitors the end user's desktop has and which one is shared. A viewer
// asks for another with an input.KindSelectMonitor event carrying the
// index.
type Monitors struct {
	// Current is the index of the shared monitor in List.
	Current int
	List    []MonitorInfo
}

// MonitorInfo is one monitor of the host's desktop in desktop pixels.
type MonitorInfo struct {
	X, Y          int
	Width, Height int
	Primary       bool
}

// Monitor-list messages travel host → viewer on the reliable input channel,
// like cursor messages; the host sends one when a viewer's channel is up
// and again after every monitor switch. Their first byte, monitorsTag, is
// not a valid input.WireVersion nor cursorTag.
//
//	byte 0   monitorsTag
//	byte 1   current index (< count)
//	byte 2   count (1..maxMonitors)
//	count ×  x i16, y i16, width u16, height u16, flags u8 (bit 0: primary)
//
// Little-endian; X11's own field widths.
const (
	monitorsTag    = 0xC2
	maxMonitors    = 16
	monitorItemLen = 9
)

func marshalMonitors(m Monitors, buf []byte) ([]byte, error) {
	n := len(m.List)
	if n == 0 || n > maxMonitors || m.Current < 0 || m.Current >= n {
		return buf, fmt.Errorf("%w: %d monitors, current %d", ErrBadMessage, n, m.Current)
	}
	buf = append(buf, monitorsTag, byte(m.Current), byte(n))
	le := binary.LittleEndian
	for _, mi := range m.List {
		if mi.Width <= 0 || mi.Height <= 0 || mi.Width > 0xffff || mi.Height > 0xffff ||
			mi.X < -0x8000 || mi.X > 0x7fff || mi.Y < -0x8000 || mi.Y > 0x7fff {
			return buf, fmt.Errorf("%w: monitor %+v out of range", ErrBadMessage, mi)
		}
		buf = le.AppendUint16(buf, uint16(int16(mi.X)))
		buf = le.AppendUint16(buf, uint16(int16(mi.Y)))
		buf = le.AppendUint16(buf, uint16(mi.Width))
		buf = le.AppendUint16(buf, uint16(mi.Height))
		var flags byte
		if mi.Primary {
			flags = 1
		}
		buf = append(buf, flags)
	}
	return buf, nil
}

func unmarshalMonitors(b []byte) (Monitors, error) {
	if len(b) < 3 || b[0] != monitorsTag {
		return Monitors{}, fmt.Errorf("%w: monitor list of %d bytes", ErrBadMessage, len(b))
	}
	cur, n := int(b[1]), int(b[2])
	if n == 0 || n > maxMonitors || cur >= n {
		return Monitors{}, fmt.Errorf("%w: %d monitors, current %d", ErrBadMessage, n, cur)
	}
	if len(b) != 3+n*monitorItemLen {
		return Monitors{}, fmt.Errorf("%w: monitor list of %d bytes for %d monitors", ErrBadMessage, len(b), n)
	}
	le := binary.LittleEndian
	m := Monitors{Current: cur, List: make([]MonitorInfo, n)}
	for i := range n {
		p := b[3+i*monitorItemLen:]
		mi := MonitorInfo{
			X:      int(int16(le.Uint16(p))),
			Y:      int(int16(le.Uint16(p[2:]))),
			Width:  int(le.Uint16(p[4:])),
			Height: int(le.Uint16(p[6:])),
		}
		if mi.Width == 0 || mi.Height == 0 || p[8]&^1 != 0 {
			return Monitors{}, fmt.Errorf("%w: monitor %d malformed", ErrBadMessage, i)
		}
		mi.Primary = p[8] == 1
		m.List[i] = mi
	}
	return m, nil
}

// equal reports whether m and o describe the same list and choice.
func (m Monitors) equal(o Monitors) bool {
	if m.Current != o.Current || len(m.List) != len(o.List) {
		return false
	}
	for i := range m.List {
		if m.List[i] != o.List[i] {
			return false
		}
	}
	return true
}
