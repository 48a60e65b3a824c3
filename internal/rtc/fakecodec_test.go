package rtc

import (
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/tetherdesk/tether/internal/codec"
)

// fakeEncoder stands in for VP8: every packet starts with a VP8-like frame
// tag (bit 0 clear on keyframes), then the frame number and the picture's
// id (its first four Y bytes), padded so that frames span several RTP
// packets.
type fakeEncoder struct {
	mu          sync.Mutex // guards the following fields
	n           uint32
	forceKey    bool
	keyRequests int
	bitrates    []int
	buf         []byte
}

const (
	fakeKeySize   = 3000
	fakeDeltaSize = 1500
)

func (e *fakeEncoder) Encode(pic *codec.I420, _ time.Duration) (codec.Packet, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := e.n == 0 || e.forceKey
	e.forceKey = false
	size := fakeDeltaSize
	if key {
		size = fakeKeySize
	}
	e.buf = append(e.buf[:0], make([]byte, size)...)
	if !key {
		e.buf[0] = 1
	}
	binary.BigEndian.PutUint32(e.buf[1:], e.n)
	copy(e.buf[5:9], pic.Y[:4])
	e.n++
	return codec.Packet{Data: e.buf, Keyframe: key}, true, nil
}

func (e *fakeEncoder) SetBitrate(kbps int) error {
	e.mu.Lock()
	e.bitrates = append(e.bitrates, kbps)
	e.mu.Unlock()
	return nil
}

func (e *fakeEncoder) RequestKeyframe() {
	e.mu.Lock()
	e.forceKey = true
	e.keyRequests++
	e.mu.Unlock()
}

func (e *fakeEncoder) Close() error { return nil }

func (e *fakeEncoder) stats() (keyRequests int, bitrates []int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.keyRequests, append([]int(nil), e.bitrates...)
}

// fakeDecoder checks the reference chain like a real decoder would: a
// delta frame must follow the frame before it.
type fakeDecoder struct {
	mu       sync.Mutex // guards the following fields
	last     uint32
	haveLast bool
	failNext bool
	pic      codec.I420
}

var errFakeCorrupt = errors.New("fake decoder: broken reference chain")

func (d *fakeDecoder) Decode(data []byte) (*codec.I420, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(data) < 9 {
		return nil, errors.New("fake decoder: short frame")
	}
	key := data[0]&1 == 0
	n := binary.BigEndian.Uint32(data[1:])
	if d.failNext || (!key && (!d.haveLast || n != d.last+1)) {
		d.failNext = false
		d.haveLast = false
		return nil, errFakeCorrupt
	}
	d.last, d.haveLast = n, true
	if d.pic.Y == nil {
		d.pic = codec.I420{Width: 16, Height: 16, StrideY: 16, StrideUV: 8,
			Y: make([]byte, 256), U: make([]byte, 64), V: make([]byte, 64)}
	}
	copy(d.pic.Y, data[5:9])
	return &d.pic, nil
}

func (d *fakeDecoder) Close() error { return nil }

func (d *fakeDecoder) corruptNext() {
	d.mu.Lock()
	d.failNext = true
	d.mu.Unlock()
}

// testPicture returns a 16x16 picture whose id is in its first Y bytes.
func testPicture(id uint32) *codec.I420 {
	p := &codec.I420{Width: 16, Height: 16, StrideY: 16, StrideUV: 8,
		Y: make([]byte, 256), U: make([]byte, 64), V: make([]byte, 64)}
	binary.BigEndian.PutUint32(p.Y, id)
	return p
}

func pictureID(p *codec.I420) uint32 { return binary.BigEndian.Uint32(p.Y) }
