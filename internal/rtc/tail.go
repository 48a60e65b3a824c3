package rtc

import "sync"

// tailWatch notices lost packets at the end of a burst. The viewer
// detects loss from gaps in sequence numbers, which needs a later packet;
// when the sender goes quiet (a still screen sends nothing), the last
// packets of the last frame can be lost with no later packet to reveal
// it, and the picture would stay wrong until the screen changes again.
//
// RTCP sender reports keep coming while the sender is quiet and carry the
// number of packets sent. At a report with the sender idle since the last
// one nothing is in flight, so "sent minus highest received" counts the
// packets never seen: a lost tail, or packets lost before the first one
// seen. A shortfall asks for a keyframe. The keyframe's packets come after
// a lost tail in sequence order, so a tail's shortfall vanishes; one that
// stays after a keyframe arrived is the constant from before the first
// packet seen, and becomes the baseline (one extra keyframe at most).
type tailWatch struct {
	mu      sync.Mutex // guards the following fields
	started bool
	last    uint16
	cycles  int64
	first   int64 // extended sequence number of the first packet seen
	high    int64 // packets from the first seen up to the highest seen
	prev    int64 // packet count of the previous report, -1 before one

	baseline               int64 // shortfall that is not a lost tail
	alarmed                bool  // a keyframe was asked for a shortfall
	alarmUnseen, alarmHigh int64
}

func newTailWatch() *tailWatch { return &tailWatch{prev: -1} }

// received records a packet's sequence number.
func (w *tailWatch) received(seq uint16) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started {
		w.started, w.last, w.first, w.high = true, seq, int64(seq), 1
		return
	}
	if d := int16(seq - w.last); d > 0 {
		if seq < w.last {
			w.cycles++
		}
		w.last = seq
	}
	w.high = w.cycles<<16 + int64(w.last) - w.first + 1
}

// senderReport takes a report's packet count and reports whether a
// keyframe should be requested because the tail of the stream was lost.
func (w *tailWatch) senderReport(packetCount uint32) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	count := int64(packetCount)
	idle := count == w.prev
	w.prev = count
	switch {
	case !idle:
		return false
	case !w.started:
		return count > 0 // the sender sent and nothing arrived
	}
	unseen := count - w.high
	switch {
	case unseen <= w.baseline:
		w.alarmed = false
		return false
	case w.alarmed && unseen == w.alarmUnseen && w.high > w.alarmHigh:
		w.baseline, w.alarmed = unseen, false
		return false
	}
	w.alarmed, w.alarmUnseen, w.alarmHigh = true, unseen, w.high
	return true
}
