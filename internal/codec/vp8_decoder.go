package codec

/*
#cgo pkg-config: vpx
#include <stdlib.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8dx.h>

// tether_dec lives in C memory and carries results back in its fields, for
// the same reasons as tether_enc.
typedef struct {
	vpx_codec_ctx_t ctx;
	int initialised;
	int got;
	int fmt;
	unsigned d_w, d_h;
	unsigned char *planes[3];
	int stride[3];
} tether_dec;

static vpx_codec_err_t tether_dec_open(tether_dec *d) {
	// One thread: decode is a few ms and threads are erratic on busy cores.
	vpx_codec_dec_cfg_t cfg = {1, 0, 0};
	vpx_codec_err_t err = vpx_codec_dec_init(&d->ctx, vpx_codec_vp8_dx(), &cfg, 0);
	if (err == VPX_CODEC_OK) d->initialised = 1;
	return err;
}

static vpx_codec_err_t tether_dec_decode(tether_dec *d, const unsigned char *data, unsigned size) {
	d->got = 0;
	// libvpx's VP8 decoder consumes data within this call (no frame
	// threading), so Go memory is not kept past the return.
	vpx_codec_err_t err = vpx_codec_decode(&d->ctx, data, size, NULL, 0);
	if (err != VPX_CODEC_OK) return err;
	vpx_codec_iter_t iter = NULL;
	vpx_image_t *img = vpx_codec_get_frame(&d->ctx, &iter);
	if (img == NULL) return VPX_CODEC_OK;
	d->got = 1;
	d->fmt = img->fmt;
	d->d_w = img->d_w;
	d->d_h = img->d_h;
	for (int i = 0; i < 3; i++) {
		d->planes[i] = img->planes[i];
		d->stride[i] = img->stride[i];
	}
	return VPX_CODEC_OK;
}

static const char *tether_dec_detail(tether_dec *d) {
	if (!d->initialised) return NULL;
	return vpx_codec_error_detail(&d->ctx);
}

static void tether_dec_free(tether_dec *d) {
	if (d->initialised) vpx_codec_destroy(&d->ctx);
	free(d);
}
*/
import "C"

import (
	"fmt"
	"math"
	"sync"
	"unsafe"
)

// vp8Decoder is libvpx's VP8 decoder. Its methods may be called from
// different goroutines, but the picture returned by Decode is shared state:
// use it before the next Decode.
type vp8Decoder struct {
	mu  sync.Mutex // guards the following fields and all libvpx calls
	dec *C.tether_dec
	pic I420 // returned by Decode; its planes point into libvpx's frame buffers
}

// NewVP8Decoder returns a VP8 decoder. Call Close to free libvpx's memory.
func NewVP8Decoder() (Decoder, error) {
	dec := (*C.tether_dec)(C.calloc(1, C.size_t(unsafe.Sizeof(C.tether_dec{}))))
	if dec == nil {
		return nil, fmt.Errorf("codec: allocating VP8 decoder failed")
	}
	if rc := C.tether_dec_open(dec); rc != C.VPX_CODEC_OK {
		err := decError(dec, rc)
		C.tether_dec_free(dec)
		return nil, fmt.Errorf("codec: opening VP8 decoder: %w", err)
	}
	return &vp8Decoder{dec: dec}, nil
}

// Decode decompresses one VP8 frame. The returned picture's planes point
// into libvpx's own frame buffers (C memory, no copy): they stay valid and
// unchanged until the next Decode or Close, and must not be written. Odd
// stream sizes are rounded down to even, dropping the last column or row.
//
// Damaged or truncated data yields an error wrapping ErrCorrupt; after one,
// pictures are only trustworthy again from the next keyframe. A packet that
// decodes but has nothing to show yields ErrNoPicture.
func (d *vp8Decoder) Decode(data []byte) (*I420, error) {
	if len(data) == 0 {
		// libvpx reads an empty buffer as "flush", not as a frame.
		return nil, fmt.Errorf("%w: empty packet", ErrCorrupt)
	}
	if len(data) > math.MaxUint32 {
		return nil, fmt.Errorf("%w: packet of %d bytes", ErrCorrupt, len(data))
	}
	if err := checkKeyframeSize(data); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dec == nil {
		return nil, ErrClosed
	}
	if rc := C.tether_dec_decode(d.dec, (*C.uchar)(unsafe.Pointer(&data[0])), C.uint(len(data))); rc != C.VPX_CODEC_OK {
		return nil, decError(d.dec, rc)
	}
	if d.dec.got == 0 {
		return nil, ErrNoPicture
	}
	if d.dec.fmt != C.VPX_IMG_FMT_I420 {
		return nil, fmt.Errorf("%w: decoded image format %d is not I420", ErrCorrupt, int(d.dec.fmt))
	}
	w, h := int(d.dec.d_w)&^1, int(d.dec.d_h)&^1
	if err := checkSize(w, h); err != nil {
		return nil, fmt.Errorf("%w: decoded %w", ErrCorrupt, err)
	}
	sy, su, sv := int(d.dec.stride[0]), int(d.dec.stride[1]), int(d.dec.stride[2])
	if sy < w || su < w/2 || sv != su {
		return nil, fmt.Errorf("%w: decoded strides %d/%d/%d for width %d", ErrCorrupt, sy, su, sv, w)
	}
	// Slices span exactly the picture's bytes, so no Go code can reach past
	// what libvpx allocated.
	d.pic = I420{
		Width:    w,
		Height:   h,
		Y:        unsafe.Slice((*byte)(unsafe.Pointer(d.dec.planes[0])), planeLen(sy, w, h)),
		U:        unsafe.Slice((*byte)(unsafe.Pointer(d.dec.planes[1])), planeLen(su, w/2, h/2)),
		V:        unsafe.Slice((*byte)(unsafe.Pointer(d.dec.planes[2])), planeLen(su, w/2, h/2)),
		StrideY:  sy,
		StrideUV: su,
	}
	return &d.pic, nil
}

// Close frees the decoder and with it the memory of the last picture. It is
// idempotent; later calls to Decode return ErrClosed.
func (d *vp8Decoder) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dec != nil {
		C.tether_dec_free(d.dec)
		d.dec = nil
		d.pic = I420{}
	}
	return nil
}

// Limits on the picture size a keyframe may declare. libvpx allocates its
// frame buffers from the keyframe header alone: a forged 15000×15000 header
// costs ~760 MB and two seconds per packet, a cheap denial of service by a
// peer. 8K UHD covers any real screen or multi-monitor capture.
const (
	maxDecodeSide   = 8192
	maxDecodePixels = 7680 * 4320
)

// checkKeyframeSize reads the size from a VP8 keyframe header (RFC 6386
// section 9.1: 3-byte frame tag with bit 0 clear for keyframes, start code
// 9d 01 2a, then 14-bit width and height) and rejects oversized ones before
// libvpx sees them. Other packets pass; libvpx judges them.
func checkKeyframeSize(data []byte) error {
	if len(data) < 10 || data[0]&1 != 0 {
		return nil
	}
	w := int(data[6]) | int(data[7]&0x3f)<<8
	h := int(data[8]) | int(data[9]&0x3f)<<8
	if w > maxDecodeSide || h > maxDecodeSide || w*h > maxDecodePixels {
		return fmt.Errorf("%w: keyframe declares %dx%d, more than this decoder accepts", ErrCorrupt, w, h)
	}
	return nil
}

func decError(dec *C.tether_dec, rc C.vpx_codec_err_t) error {
	msg := C.GoString(C.vpx_codec_err_to_string(rc))
	if dt := C.tether_dec_detail(dec); dt != nil {
		msg += ": " + C.GoString(dt)
	}
	return fmt.Errorf("%w: VP8: %s", ErrCorrupt, msg)
}
