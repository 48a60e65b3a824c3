package input

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"
)

// Wire format, little-endian, version 1:
//
//	byte 0      version (1)
//	byte 1      kind
//	pointer_move  seq u32, x f32, y f32, monitor u8
//	button        button u8, down u8
//	wheel         dx i16, dy i16
//	key           down u8, scancode u32, len u8, key name (UTF-8, ≤ MaxKeyLen)
//	text,
//	clipboard     len u32, text (UTF-8, ≤ MaxTextLen)
//	ctrl_alt_del,
//	release_all   nothing
//	select_monitor  monitor u8
//	clipboard_request  nothing
//	quality       quality u8 (1 auto, 2 speed, 3 sharp)
//
// An encoding is canonical: flags are exactly 0 or 1 and nothing may follow
// the event, so decode(encode(e)) == e for every accepted e. Fields that do
// not belong to the event's Kind are not encoded (they decode as zero).
const (
	// WireVersion is the first byte of every encoded event.
	WireVersion = 1
	// MaxKeyLen bounds Event.Key on the wire.
	MaxKeyLen = 32
	// MaxTextLen bounds Event.Text (typed text and clipboard) on the wire.
	MaxTextLen = 64 << 10
	// MaxEncodedLen is the largest encoding Marshal can produce.
	MaxEncodedLen = 2 + 4 + MaxTextLen
)

// Marshal appends the encoding of ev to buf and returns the extended slice;
// pass buf[:0] of a reused buffer to avoid allocation.
func Marshal(ev Event, buf []byte) ([]byte, error) {
	if err := validate(&ev); err != nil {
		return buf, err
	}
	buf = append(buf, WireVersion, byte(ev.Kind))
	le := binary.LittleEndian
	switch ev.Kind {
	case KindPointerMove:
		buf = le.AppendUint32(buf, ev.Seq)
		buf = le.AppendUint32(buf, math.Float32bits(ev.X))
		buf = le.AppendUint32(buf, math.Float32bits(ev.Y))
		buf = append(buf, ev.Monitor)
	case KindButton:
		buf = append(buf, byte(ev.Button), flag(ev.Down))
	case KindWheel:
		buf = le.AppendUint16(buf, uint16(ev.DX))
		buf = le.AppendUint16(buf, uint16(ev.DY))
	case KindKey:
		buf = append(buf, flag(ev.Down))
		buf = le.AppendUint32(buf, ev.Scancode)
		buf = append(buf, byte(len(ev.Key)))
		buf = append(buf, ev.Key...)
	case KindText, KindClipboard:
		buf = le.AppendUint32(buf, uint32(len(ev.Text)))
		buf = append(buf, ev.Text...)
	case KindSelectMonitor:
		buf = append(buf, ev.Monitor)
	case KindQuality:
		buf = append(buf, byte(ev.Quality))
	}
	return buf, nil
}

// validate checks the fields that matter for ev.Kind.
func validate(ev *Event) error {
	switch ev.Kind {
	case KindPointerMove:
		if !unit(ev.X) || !unit(ev.Y) {
			return fmt.Errorf("%w: (%v, %v)", ErrCoordinate, ev.X, ev.Y)
		}
	case KindButton:
		if ev.Button == ButtonUnknown || ev.Button >= buttonEnd {
			return fmt.Errorf("%w: %d", ErrButton, ev.Button)
		}
	case KindKey:
		if ev.Key == "" {
			return ErrEmptyKey
		}
		if len(ev.Key) > MaxKeyLen {
			return fmt.Errorf("%w: key name of %d bytes, max %d", ErrTooLong, len(ev.Key), MaxKeyLen)
		}
		if !utf8.ValidString(ev.Key) {
			return fmt.Errorf("%w: key name", ErrUTF8)
		}
	case KindText, KindClipboard:
		if len(ev.Text) > MaxTextLen {
			return fmt.Errorf("%w: %s of %d bytes, max %d", ErrTooLong, ev.Kind, len(ev.Text), MaxTextLen)
		}
		if !utf8.ValidString(ev.Text) {
			return fmt.Errorf("%w: %s", ErrUTF8, ev.Kind)
		}
	case KindQuality:
		if !ev.Quality.Valid() {
			return fmt.Errorf("%w: %d", ErrQuality, ev.Quality)
		}
	case KindWheel, KindCtrlAltDel, KindReleaseAll, KindSelectMonitor, KindClipboardRequest:
	default:
		return fmt.Errorf("%w: %d", ErrKind, ev.Kind)
	}
	return nil
}

// unit reports whether v is a number in [0, 1] (NaN fails both tests).
func unit(v float32) bool { return v >= 0 && v <= 1 }

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Unmarshal decodes one event from data into ev, which is overwritten.
// Everything is checked: version, kind, length, flags, ranges, UTF-8.
func Unmarshal(data []byte, ev *Event) error {
	*ev = Event{}
	r := reader{b: data}
	if v, ok := r.u8(); !ok {
		return fmt.Errorf("%w: empty message", ErrTruncated)
	} else if v != WireVersion {
		return fmt.Errorf("%w: %d", ErrVersion, v)
	}
	k, ok := r.u8()
	if !ok {
		return fmt.Errorf("%w: no kind", ErrTruncated)
	}
	ev.Kind = Kind(k)
	switch ev.Kind {
	case KindPointerMove:
		seq, ok1 := r.u32()
		x, ok2 := r.u32()
		y, ok3 := r.u32()
		mon, ok4 := r.u8()
		ok = ok1 && ok2 && ok3 && ok4
		ev.Seq, ev.X, ev.Y, ev.Monitor = seq, math.Float32frombits(x), math.Float32frombits(y), mon
	case KindButton:
		var b, d byte
		b, ok = r.u8()
		if ok {
			d, ok = r.u8()
		}
		ev.Button = Button(b)
		if ok {
			if ev.Down, ok = r.flag(d); !ok {
				return fmt.Errorf("%w: button down = %d", ErrFlag, d)
			}
		}
	case KindWheel:
		dx, ok1 := r.u16()
		dy, ok2 := r.u16()
		ok = ok1 && ok2
		ev.DX, ev.DY = int16(dx), int16(dy)
	case KindKey:
		d, ok1 := r.u8()
		sc, ok2 := r.u32()
		n, ok3 := r.u8()
		ok = ok1 && ok2 && ok3
		if ok {
			var good bool
			if ev.Down, good = r.flag(d); !good {
				return fmt.Errorf("%w: key down = %d", ErrFlag, d)
			}
			if int(n) > MaxKeyLen {
				return fmt.Errorf("%w: key name of %d bytes, max %d", ErrTooLong, n, MaxKeyLen)
			}
			var s []byte
			s, ok = r.bytes(int(n))
			ev.Key = string(s)
		}
		ev.Scancode = sc
	case KindText, KindClipboard:
		var n uint32
		n, ok = r.u32()
		if ok {
			if n > MaxTextLen {
				return fmt.Errorf("%w: %s of %d bytes, max %d", ErrTooLong, ev.Kind, n, MaxTextLen)
			}
			var s []byte
			s, ok = r.bytes(int(n))
			ev.Text = string(s)
		}
	case KindSelectMonitor:
		ev.Monitor, ok = r.u8()
	case KindQuality:
		var q byte
		q, ok = r.u8()
		ev.Quality = Quality(q)
	case KindCtrlAltDel, KindReleaseAll, KindClipboardRequest:
		ok = true
	default:
		return fmt.Errorf("%w: %d", ErrKind, k)
	}
	if !ok {
		return fmt.Errorf("%w: %s event of %d bytes", ErrTruncated, ev.Kind, len(data))
	}
	if len(r.b) > 0 {
		return fmt.Errorf("%w: %d extra bytes after %s", ErrTrailing, len(r.b), ev.Kind)
	}
	return validate(ev)
}

// reader consumes a byte slice front to back.
type reader struct{ b []byte }

func (r *reader) u8() (byte, bool) {
	if len(r.b) < 1 {
		return 0, false
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v, true
}

func (r *reader) u16() (uint16, bool) {
	if len(r.b) < 2 {
		return 0, false
	}
	v := binary.LittleEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v, true
}

func (r *reader) u32() (uint32, bool) {
	if len(r.b) < 4 {
		return 0, false
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v, true
}

func (r *reader) bytes(n int) ([]byte, bool) {
	if len(r.b) < n {
		return nil, false
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v, true
}

func (r *reader) flag(b byte) (bool, bool) { return b == 1, b <= 1 }
