package rtc

import "encoding/binary"

// Channel names the data channel a Message arrived on.
type Channel int

const (
	ChannelUnknown Channel = iota
	// ChannelInput is ordered and reliable: buttons, keys, text,
	// clipboard and control messages.
	ChannelInput
	// ChannelPointer is unordered with no retransmissions: pointer moves.
	// Each message carries a sequence number; stale ones are dropped.
	ChannelPointer
)

const (
	labelInput   = "input"
	labelPointer = "pointer"
)

func (c Channel) String() string {
	switch c {
	case ChannelInput:
		return labelInput
	case ChannelPointer:
		return labelPointer
	}
	return "unknown"
}

// Message is one data-channel message as delivered to OnMessage. The
// contents are opaque to rtc (the input package encodes them); Data is a
// fresh slice the callee may keep.
type Message struct {
	Channel Channel
	// Seq is the pointer sequence number (ChannelPointer only).
	Seq  uint32
	Data []byte
}

// pointerHeaderLen is the big-endian sequence number in front of every
// pointer message.
const pointerHeaderLen = 4

func appendPointer(dst []byte, seq uint32, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, seq)
	return append(dst, payload...)
}

func parsePointer(b []byte) (seq uint32, payload []byte, err error) {
	if len(b) < pointerHeaderLen {
		return 0, nil, ErrShortMessage
	}
	return binary.BigEndian.Uint32(b), b[pointerHeaderLen:], nil
}

// seqFilter passes only sequence numbers newer than every one seen before,
// in serial-number arithmetic (RFC 1982), so it survives wraparound. A
// sender that restarts from a far-away number resyncs once the distance
// passes half the space.
type seqFilter struct {
	seen bool
	last uint32
}

func (f *seqFilter) accept(seq uint32) bool {
	if f.seen && int32(seq-f.last) <= 0 {
		return false
	}
	f.seen, f.last = true, seq
	return true
}
