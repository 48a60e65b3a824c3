// Package codec turns screen pictures into a compressed video stream and
// back: colour conversion (BGRA <-> I420) and VP8 encoding and decoding.
// Implementations reuse their buffers; nothing frame-sized is allocated per
// frame on the hot path.
package codec

import "time"

// I420 is a planar YUV 4:2:0 picture. Width and Height are even.
type I420 struct {
	Width, Height int
	Y, U, V       []byte
	StrideY       int
	StrideUV      int
}

// Packet is one compressed frame. Data aliases the encoder's buffer and is
// valid only until the next call to Encode.
type Packet struct {
	Data     []byte
	Keyframe bool
}

// EncoderConfig chooses the encoder's trade-offs. The zero value of a field
// picks its documented default.
type EncoderConfig struct {
	Width, Height int
	// BitrateKbps is the CBR target (default 2500).
	BitrateKbps int
	// FPS is the nominal frame rate used for rate control (default 60).
	FPS int
	// CPUUsed is libvpx's speed/quality knob, 0..16 for realtime (default
	// 10). In realtime mode VP8 reads it as the share of the frame
	// interval encoding may take, (16-CPUUsed)/16, and picks its speed
	// to fit: 16 is always the fastest.
	CPUUsed int
	// MinQuantizer and MaxQuantizer bound libvpx's quantiser, 0..63
	// (defaults 2 and 63; 0 picks the default). A lower maximum keeps
	// text sharp when the rate is short, and overshoots the rate instead.
	MinQuantizer, MaxQuantizer int
	// Threads is the encoder thread count (default 1: on two busy cores more
	// threads make encode times erratic).
	Threads int
	// KeyframeMinInterval throttles forced keyframes (default 500 ms).
	KeyframeMinInterval time.Duration
}

// Encoder compresses I420 pictures into VP8 packets.
type Encoder interface {
	// Encode compresses one picture taken at ts. It returns no packet (and
	// no error) when the encoder dropped the frame to keep the bitrate.
	Encode(pic *I420, ts time.Duration) (Packet, bool, error)
	// SetBitrate changes the CBR target while running.
	SetBitrate(kbps int) error
	// RequestKeyframe asks for the next frame to be a keyframe; requests
	// closer together than KeyframeMinInterval are coalesced.
	RequestKeyframe()
	Close() error
}

// Tuning is the part of EncoderConfig an encoder can change while it runs
// (see Tuner). Zero fields pick EncoderConfig's defaults.
type Tuning struct {
	CPUUsed                    int
	MinQuantizer, MaxQuantizer int
}

// Tuner is implemented by encoders whose Tuning can change between
// frames; the VP8 encoder is one.
type Tuner interface {
	// SetTuning applies t from the next Encode on, without a keyframe.
	SetTuning(t Tuning) error
}

// Decoder turns VP8 packets back into pictures.
type Decoder interface {
	// Decode decompresses one frame. The picture aliases the decoder's
	// buffer and is valid only until the next call to Decode.
	Decode(data []byte) (*I420, error)
	Close() error
}
