package codec

/*
#cgo pkg-config: vpx
#include <stdlib.h>
#include <string.h>
#include <vpx/vpx_encoder.h>
#include <vpx/vp8cx.h>

// tether_enc lives in C memory so libvpx's context never sits in Go memory,
// and so results are passed back through its fields: handing C pointers to
// Go locals would make those locals escape and allocate on every frame.
typedef struct {
	vpx_codec_ctx_t ctx;
	vpx_codec_enc_cfg_t cfg;
	vpx_codec_iter_t iter;
	int initialised;
	const void *pkt_buf;
	size_t pkt_size;
	int pkt_key;
} tether_enc;

static vpx_codec_err_t tether_enc_open(tether_enc *e, unsigned w, unsigned h,
		unsigned kbps, int cpu_used, unsigned threads, unsigned min_q, unsigned max_q) {
	vpx_codec_err_t err = vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &e->cfg, 0);
	if (err != VPX_CODEC_OK) return err;
	e->cfg.g_w = w;
	e->cfg.g_h = h;
	e->cfg.g_threads = threads;
	// Microseconds: time.Duration converts exactly and rate control sees
	// real frame spacing even when capture only sends on change.
	e->cfg.g_timebase.num = 1;
	e->cfg.g_timebase.den = 1000000;
	e->cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
	e->cfg.g_pass = VPX_RC_ONE_PASS;
	e->cfg.g_lag_in_frames = 0; // any lookahead is latency
	e->cfg.rc_end_usage = VPX_CBR;
	e->cfg.rc_target_bitrate = kbps;
	// Buffer model as WebRTC uses for VP8: small buffers keep frames close
	// to the target so packets do not burst.
	e->cfg.rc_undershoot_pct = 100;
	e->cfg.rc_overshoot_pct = 15;
	e->cfg.rc_buf_initial_sz = 500;
	e->cfg.rc_buf_optimal_sz = 600;
	e->cfg.rc_buf_sz = 1000;
	// No frame dropping by libvpx, and the full quantiser range instead.
	// Measured on full-screen scrolling at 1080p/60 fps/2500 kbps: with any
	// drop threshold the encoder spirals, because the frame after a run of
	// drops has moved beyond motion search range and costs as much as a
	// keyframe (~100 KB), which causes the next run of drops: 2-4 fps in
	// UDP-hostile bursts. Without drops and with quantiser 63 allowed it
	// keeps all 60 fps in frames of at most ~13 KB, overshooting the target
	// by up to ~1.8x on such content. Lowering the frame rate when the
	// bitrate is low is the sender's job (capture pacing), where it costs
	// no encode time. (The range is EncoderConfig's, 2..63 by default.)
	e->cfg.rc_min_quantizer = min_q;
	e->cfg.rc_max_quantizer = max_q;
	e->cfg.rc_dropframe_thresh = 0;
	// Keyframes only when asked (first frame, PLI): periodic ones are full
	// screen bursts nobody needs on a lossless-retransmit-free link.
	e->cfg.kf_mode = VPX_KF_DISABLED;
	err = vpx_codec_enc_init(&e->ctx, vpx_codec_vp8_cx(), &e->cfg, 0);
	if (err != VPX_CODEC_OK) return err;
	e->initialised = 1;
	if ((err = vpx_codec_control(&e->ctx, VP8E_SET_CPUUSED, cpu_used)) != VPX_CODEC_OK) return err;
	if ((err = vpx_codec_control(&e->ctx, VP8E_SET_SCREEN_CONTENT_MODE, 1u)) != VPX_CODEC_OK) return err;
	// Lets the encoder skip macroblocks that did not change: most of a desktop.
	if ((err = vpx_codec_control(&e->ctx, VP8E_SET_STATIC_THRESHOLD, 1u)) != VPX_CODEC_OK) return err;
	if ((err = vpx_codec_control(&e->ctx, VP8E_SET_NOISE_SENSITIVITY, 0u)) != VPX_CODEC_OK) return err;
	return VPX_CODEC_OK;
}

static vpx_codec_err_t tether_enc_encode(tether_enc *e,
		unsigned char *y, unsigned char *u, unsigned char *v, int stride_y, int stride_uv,
		vpx_codec_pts_t pts, unsigned long duration, int force_kf) {
	// The image header lives on this stack frame and points at the caller's
	// planes only for the call: libvpx copies the picture into its own
	// lookahead buffer, so nothing keeps Go memory past the return.
	vpx_image_t img;
	memset(&img, 0, sizeof img);
	img.fmt = VPX_IMG_FMT_I420;
	img.w = img.d_w = e->cfg.g_w;
	img.h = img.d_h = e->cfg.g_h;
	img.x_chroma_shift = 1;
	img.y_chroma_shift = 1;
	img.bps = 12;
	img.planes[VPX_PLANE_Y] = y;
	img.planes[VPX_PLANE_U] = u;
	img.planes[VPX_PLANE_V] = v;
	img.stride[VPX_PLANE_Y] = stride_y;
	img.stride[VPX_PLANE_U] = stride_uv;
	img.stride[VPX_PLANE_V] = stride_uv;
	e->iter = NULL;
	return vpx_codec_encode(&e->ctx, &img, pts, duration,
		force_kf ? VPX_EFLAG_FORCE_KF : 0, VPX_DL_REALTIME);
}

// tether_enc_next fills pkt_* with the next compressed frame of the last
// encode and returns 1, or returns 0 when there is none (frame dropped).
static int tether_enc_next(tether_enc *e) {
	const vpx_codec_cx_pkt_t *pkt;
	while ((pkt = vpx_codec_get_cx_data(&e->ctx, &e->iter)) != NULL) {
		if (pkt->kind != VPX_CODEC_CX_FRAME_PKT) continue;
		e->pkt_buf = pkt->data.frame.buf;
		e->pkt_size = pkt->data.frame.sz;
		e->pkt_key = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
		return 1;
	}
	return 0;
}

// tether_enc_tune changes the speed and the quantiser range between
// frames. A new range goes through vpx_codec_enc_config_set, as a new
// bitrate does: the stream goes on, without a keyframe.
static vpx_codec_err_t tether_enc_tune(tether_enc *e, int cpu_used, unsigned min_q, unsigned max_q) {
	vpx_codec_err_t err;
	if (e->cfg.rc_min_quantizer != min_q || e->cfg.rc_max_quantizer != max_q) {
		e->cfg.rc_min_quantizer = min_q;
		e->cfg.rc_max_quantizer = max_q;
		if ((err = vpx_codec_enc_config_set(&e->ctx, &e->cfg)) != VPX_CODEC_OK) return err;
	}
	return vpx_codec_control(&e->ctx, VP8E_SET_CPUUSED, cpu_used);
}

static vpx_codec_err_t tether_enc_set_bitrate(tether_enc *e, unsigned kbps) {
	e->cfg.rc_target_bitrate = kbps;
	return vpx_codec_enc_config_set(&e->ctx, &e->cfg);
}

static const char *tether_enc_detail(tether_enc *e) {
	if (!e->initialised) return NULL;
	return vpx_codec_error_detail(&e->ctx);
}

static void tether_enc_free(tether_enc *e) {
	if (e->initialised) vpx_codec_destroy(&e->ctx);
	free(e);
}
*/
import "C"

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Defaults for zero EncoderConfig fields, as documented there.
const (
	DefaultBitrateKbps         = 2500
	DefaultFPS                 = 60
	DefaultCPUUsed             = 10
	DefaultThreads             = 1
	DefaultKeyframeMinInterval = 500 * time.Millisecond
	DefaultMinQuantizer        = 2
	DefaultMaxQuantizer        = 63
)

// Accepted ranges. Bitrates beyond maxBitrateKbps are a units mistake (bps
// passed as kbps) rather than a wish.
const (
	minBitrateKbps = 10
	maxBitrateKbps = 200_000
	maxFPS         = 240
	maxCPUUsed     = 16
	maxThreads     = 16
	maxQuantizer   = 63
)

// withDefaults returns cfg with zero fields replaced by their defaults, or
// an error wrapping ErrInvalidConfig naming the first bad field.
func (cfg EncoderConfig) withDefaults() (EncoderConfig, error) {
	if cfg.BitrateKbps == 0 {
		cfg.BitrateKbps = DefaultBitrateKbps
	}
	if cfg.FPS == 0 {
		cfg.FPS = DefaultFPS
	}
	if cfg.Threads == 0 {
		cfg.Threads = DefaultThreads
	}
	if cfg.KeyframeMinInterval == 0 {
		cfg.KeyframeMinInterval = DefaultKeyframeMinInterval
	}
	t, err := cfg.tuning().withDefaults()
	if err != nil {
		return cfg, err
	}
	cfg.CPUUsed, cfg.MinQuantizer, cfg.MaxQuantizer = t.CPUUsed, t.MinQuantizer, t.MaxQuantizer
	if err := checkSize(cfg.Width, cfg.Height); err != nil {
		return cfg, fmt.Errorf("%w: Width/Height: %w", ErrInvalidConfig, err)
	}
	if cfg.Width > maxDecodeSide || cfg.Height > maxDecodeSide || cfg.Width*cfg.Height > maxDecodePixels {
		// Our own decoder would refuse the stream.
		return cfg, fmt.Errorf("%w: %dx%d exceeds the decodable %d pixels or %d per side",
			ErrInvalidConfig, cfg.Width, cfg.Height, maxDecodePixels, maxDecodeSide)
	}
	if err := checkBitrate(cfg.BitrateKbps); err != nil {
		return cfg, err
	}
	switch {
	case cfg.FPS < 1 || cfg.FPS > maxFPS:
		return cfg, fmt.Errorf("%w: FPS %d outside 1..%d", ErrInvalidConfig, cfg.FPS, maxFPS)
	case cfg.Threads < 1 || cfg.Threads > maxThreads:
		return cfg, fmt.Errorf("%w: Threads %d outside 1..%d", ErrInvalidConfig, cfg.Threads, maxThreads)
	case cfg.KeyframeMinInterval < 0:
		return cfg, fmt.Errorf("%w: KeyframeMinInterval %v is negative", ErrInvalidConfig, cfg.KeyframeMinInterval)
	}
	return cfg, nil
}

// tuning is the part of cfg that can change while the encoder runs.
func (cfg EncoderConfig) tuning() Tuning {
	return Tuning{CPUUsed: cfg.CPUUsed, MinQuantizer: cfg.MinQuantizer, MaxQuantizer: cfg.MaxQuantizer}
}

// withDefaults returns t with zero fields replaced by their defaults, or
// an error wrapping ErrInvalidConfig naming the first bad field.
func (t Tuning) withDefaults() (Tuning, error) {
	if t.CPUUsed == 0 {
		t.CPUUsed = DefaultCPUUsed
	}
	if t.MinQuantizer == 0 {
		t.MinQuantizer = DefaultMinQuantizer
	}
	if t.MaxQuantizer == 0 {
		t.MaxQuantizer = DefaultMaxQuantizer
	}
	switch {
	case t.CPUUsed < 0 || t.CPUUsed > maxCPUUsed:
		return t, fmt.Errorf("%w: CPUUsed %d outside 0..%d", ErrInvalidConfig, t.CPUUsed, maxCPUUsed)
	case t.MinQuantizer < 0 || t.MaxQuantizer < 0 || t.MinQuantizer > maxQuantizer || t.MaxQuantizer > maxQuantizer:
		return t, fmt.Errorf("%w: quantiser range %d..%d outside 0..%d", ErrInvalidConfig, t.MinQuantizer, t.MaxQuantizer, maxQuantizer)
	case t.MinQuantizer > t.MaxQuantizer:
		return t, fmt.Errorf("%w: MinQuantizer %d above MaxQuantizer %d", ErrInvalidConfig, t.MinQuantizer, t.MaxQuantizer)
	}
	return t, nil
}

// pack fits a valid Tuning (every field 0..63) into one word, so that it
// travels to Encode through an atomic without allocating.
func (t Tuning) pack() uint64 {
	return uint64(t.CPUUsed) | uint64(t.MinQuantizer)<<8 | uint64(t.MaxQuantizer)<<16
}

func unpackTuning(p uint64) Tuning {
	return Tuning{CPUUsed: int(p & 0xff), MinQuantizer: int(p >> 8 & 0xff), MaxQuantizer: int(p >> 16 & 0xff)}
}

func checkBitrate(kbps int) error {
	if kbps < minBitrateKbps || kbps > maxBitrateKbps {
		return fmt.Errorf("%w: bitrate %d kbps outside %d..%d", ErrInvalidConfig, kbps, minBitrateKbps, maxBitrateKbps)
	}
	return nil
}

// vp8Encoder is libvpx's VP8 encoder tuned for interactive screen sharing:
// realtime deadline, screen-content mode, CBR, no lookahead, keyframes only
// on request. Encode, SetBitrate, SetTuning and Close are safe to call from
// different goroutines; RequestKeyframe, SetBitrate and SetTuning never wait
// for an Encode in progress, so RTCP and congestion-control callbacks are
// not held up.
type vp8Encoder struct {
	cfg      EncoderConfig
	duration C.ulong // nominal frame duration in timebase units (µs)

	// now is the clock for keyframe throttling; tests replace it.
	now func() time.Time

	keyframeWanted atomic.Bool
	wantKbps       atomic.Int64  // applied by the next Encode
	wantTuning     atomic.Uint64 // a packed Tuning, defaults filled in; applied by the next Encode
	closed         atomic.Bool

	mu            sync.Mutex // guards the following fields and all libvpx calls
	enc           *C.tether_enc
	appliedKbps   int64
	appliedTuning uint64 // packed
	buf           []byte // Packet.Data; reused, grown only when a frame is larger
	frames        int64
	lastKey       time.Time
	lastPTS       int64
}

// NewVP8Encoder returns a VP8 encoder for pictures of exactly cfg's size.
// Zero fields of cfg take their defaults; invalid ones yield an error
// wrapping ErrInvalidConfig. Call Close to free libvpx's memory.
func NewVP8Encoder(cfg EncoderConfig) (Encoder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	enc := (*C.tether_enc)(C.calloc(1, C.size_t(unsafe.Sizeof(C.tether_enc{}))))
	if enc == nil {
		return nil, fmt.Errorf("codec: allocating VP8 encoder failed")
	}
	if rc := C.tether_enc_open(enc, C.uint(cfg.Width), C.uint(cfg.Height),
		C.uint(cfg.BitrateKbps), C.int(cfg.CPUUsed), C.uint(cfg.Threads),
		C.uint(cfg.MinQuantizer), C.uint(cfg.MaxQuantizer)); rc != C.VPX_CODEC_OK {
		err := encError(enc, "opening VP8 encoder", rc)
		C.tether_enc_free(enc)
		return nil, err
	}
	e := &vp8Encoder{
		cfg:           cfg,
		duration:      C.ulong(time.Second / time.Duration(cfg.FPS) / time.Microsecond),
		now:           time.Now,
		enc:           enc,
		appliedKbps:   int64(cfg.BitrateKbps),
		appliedTuning: cfg.tuning().pack(),
	}
	e.wantKbps.Store(int64(cfg.BitrateKbps))
	e.wantTuning.Store(e.appliedTuning)
	return e, nil
}

// Encode compresses pic, which must have the configured size. The returned
// Packet.Data is valid until the next Encode or Close. ts should grow from
// frame to frame; a timestamp that does not is nudged forward by 1 µs,
// because libvpx's rate control needs increasing timestamps.
func (e *vp8Encoder) Encode(pic *I420, ts time.Duration) (Packet, bool, error) {
	if err := pic.check(); err != nil {
		return Packet{}, false, err
	}
	if pic.Width != e.cfg.Width || pic.Height != e.cfg.Height {
		return Packet{}, false, fmt.Errorf("%w: picture %dx%d, encoder configured for %dx%d",
			ErrInvalidPicture, pic.Width, pic.Height, e.cfg.Width, e.cfg.Height)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.enc == nil {
		return Packet{}, false, ErrClosed
	}
	if kbps := e.wantKbps.Load(); kbps != e.appliedKbps {
		if rc := C.tether_enc_set_bitrate(e.enc, C.uint(kbps)); rc != C.VPX_CODEC_OK {
			return Packet{}, false, encError(e.enc, "changing bitrate", rc)
		}
		e.appliedKbps = kbps
	}
	if p := e.wantTuning.Load(); p != e.appliedTuning {
		t := unpackTuning(p)
		if rc := C.tether_enc_tune(e.enc, C.int(t.CPUUsed), C.uint(t.MinQuantizer), C.uint(t.MaxQuantizer)); rc != C.VPX_CODEC_OK {
			return Packet{}, false, encError(e.enc, "changing tuning", rc)
		}
		e.appliedTuning = p
	}

	pts := ts.Microseconds()
	if e.frames > 0 && pts <= e.lastPTS {
		pts = e.lastPTS + 1
	}
	now := e.now()
	force := e.frames == 0 ||
		(e.keyframeWanted.Load() && now.Sub(e.lastKey) >= e.cfg.KeyframeMinInterval)

	rc := C.tether_enc_encode(e.enc,
		(*C.uchar)(unsafe.Pointer(&pic.Y[0])),
		(*C.uchar)(unsafe.Pointer(&pic.U[0])),
		(*C.uchar)(unsafe.Pointer(&pic.V[0])),
		C.int(pic.StrideY), C.int(pic.StrideUV),
		C.vpx_codec_pts_t(pts), e.duration, boolToInt(force))
	if rc != C.VPX_CODEC_OK {
		return Packet{}, false, encError(e.enc, "encoding", rc)
	}
	e.lastPTS = pts
	e.frames++

	// With lag_in_frames=0 libvpx emits at most one frame per input; should
	// it ever emit more, they are concatenated rather than lost.
	e.buf = e.buf[:0]
	key, got := false, false
	for C.tether_enc_next(e.enc) != 0 {
		got = true
		key = key || e.enc.pkt_key != 0
		e.buf = append(e.buf, unsafe.Slice((*byte)(e.enc.pkt_buf), int(e.enc.pkt_size))...)
	}
	if !got {
		// Dropped (libvpx may still skip a frame despite the zero drop
		// threshold): a wanted keyframe stays wanted.
		return Packet{}, false, nil
	}
	if key {
		e.lastKey = now
		// Requests that arrived while this keyframe was being made are
		// served by it: the requester has not received it yet.
		e.keyframeWanted.Store(false)
	}
	return Packet{Data: e.buf, Keyframe: key}, true, nil
}

// SetBitrate changes the CBR target; it takes effect with the next Encode.
func (e *vp8Encoder) SetBitrate(kbps int) error {
	if e.closed.Load() {
		return ErrClosed
	}
	if err := checkBitrate(kbps); err != nil {
		return err
	}
	e.wantKbps.Store(int64(kbps))
	return nil
}

// SetTuning changes the speed and the quantiser range; it takes effect
// with the next Encode, without a keyframe. Zero fields take their
// defaults.
func (e *vp8Encoder) SetTuning(t Tuning) error {
	if e.closed.Load() {
		return ErrClosed
	}
	t, err := t.withDefaults()
	if err != nil {
		return err
	}
	e.wantTuning.Store(t.pack())
	return nil
}

// RequestKeyframe marks the next frame as a keyframe, unless one was sent
// less than KeyframeMinInterval ago: then the request waits and is honoured
// by the first frame encoded after the interval has passed. Any number of
// requests in between yield one keyframe.
func (e *vp8Encoder) RequestKeyframe() {
	e.keyframeWanted.Store(true)
}

// Close frees the encoder. It is idempotent; later calls to Encode and
// SetBitrate return ErrClosed.
func (e *vp8Encoder) Close() error {
	e.closed.Store(true)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.enc != nil {
		C.tether_enc_free(e.enc)
		e.enc = nil
		e.buf = nil
	}
	return nil
}

// encError turns a libvpx status into an error carrying libvpx's detail.
func encError(enc *C.tether_enc, what string, rc C.vpx_codec_err_t) error {
	msg := C.GoString(C.vpx_codec_err_to_string(rc))
	if d := C.tether_enc_detail(enc); d != nil {
		msg += ": " + C.GoString(d)
	}
	return fmt.Errorf("codec: VP8 %s: %s", what, msg)
}

func boolToInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
