package rtc

import (
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

// maxFrameSize bounds a reassembled frame; a 1080p VP8 keyframe of screen
// content is a few hundred KB.
const maxFrameSize = 8 << 20

// assembler rebuilds VP8 frames from RTP packets as soon as the packet with
// the marker bit arrives: pion's samplebuilder would wait for the next
// frame's first packet, a whole frame interval of latency.
//
// It does not reorder or wait for retransmissions. A sequence gap drops the
// frame in progress and everything after it until a keyframe, because VP8
// inter frames depend on the frames before them; the caller answers
// needPLI with a (throttled) picture loss indication.
type assembler struct {
	buf      []byte
	vp8      codecs.VP8Packet
	haveSeq  bool
	nextSeq  uint16
	inFrame  bool
	ts       uint32
	key      bool
	needKey  bool
	lostPkts uint64
}

func newAssembler() *assembler {
	// Nothing decodes before the first keyframe.
	return &assembler{needKey: true}
}

// assembled is the outcome of one packet.
type assembled struct {
	// frame is a complete VP8 frame, aliasing the assembler's buffer until
	// the next push.
	frame    []byte
	keyframe bool
	// needPLI says that the stream cannot be decoded until a keyframe.
	needPLI bool
}

// resync forgets the current frame and waits for a keyframe, e.g. after the
// decoder rejected a frame.
func (a *assembler) resync() {
	a.inFrame = false
	a.needKey = true
}

func (a *assembler) push(hdr *rtp.Header, payload []byte) assembled {
	if a.haveSeq {
		switch d := int16(hdr.SequenceNumber - a.nextSeq); {
		case d < 0:
			// Duplicate or late packet: its frame is already complete or gone.
			return assembled{}
		case d > 0:
			a.lostPkts += uint64(d)
			a.resync()
		}
	}
	a.haveSeq, a.nextSeq = true, hdr.SequenceNumber+1

	vp8, err := a.vp8.Unmarshal(payload)
	if err != nil {
		a.resync()
		return assembled{needPLI: true}
	}
	start := a.vp8.S == 1 && a.vp8.PID == 0
	switch {
	case start:
		// A new frame while one is open means the old one lost its marker
		// packet without a sequence gap: treat it as loss.
		if a.inFrame {
			a.resync()
		}
		a.inFrame, a.ts, a.buf = true, hdr.Timestamp, a.buf[:0]
		// VP8 frame tag: bit 0 of the first byte is 0 for a keyframe.
		a.key = len(vp8) > 0 && vp8[0]&1 == 0
	case !a.inFrame:
		return assembled{needPLI: a.needKey}
	case hdr.Timestamp != a.ts:
		a.resync()
		return assembled{needPLI: true}
	}
	if len(a.buf)+len(vp8) > maxFrameSize {
		a.resync()
		return assembled{needPLI: true}
	}
	a.buf = append(a.buf, vp8...)
	if !hdr.Marker {
		return assembled{}
	}
	a.inFrame = false
	if a.key {
		a.needKey = false
	}
	if a.needKey || len(a.buf) == 0 {
		return assembled{needPLI: true}
	}
	return assembled{frame: a.buf, keyframe: a.key}
}
