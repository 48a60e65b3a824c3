package codec

// libyuv ships no pkg-config file on Debian, hence the plain -lyuv.

/*
#cgo LDFLAGS: -lyuv
#include <libyuv.h>
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// BGRAToI420 converts a BGRA/BGRX picture (bytes B,G,R,A in memory: what X11
// and most little-endian capture APIs deliver; libyuv calls this "ARGB"
// because it names formats by 32-bit word) into dst, resizing dst only when
// the size changes. Alpha is ignored. Colours are BT.601 limited range, the
// matrix VP8 assumes.
//
// Odd sides are rounded down to even: the last column or row is dropped, so
// a capture of an odd-sized window still streams. A side below 2 pixels is
// an error. stride is the distance between rows in bytes; src must hold at
// least stride*(h-1)+4*w bytes of the rounded size.
func BGRAToI420(src []byte, stride, w, h int, dst *I420) error {
	if dst == nil {
		return fmt.Errorf("%w: nil destination", ErrInvalidPicture)
	}
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: size %dx%d is not positive", ErrInvalidPicture, w, h)
	}
	w, h = w&^1, h&^1
	if w == 0 || h == 0 {
		return fmt.Errorf("%w: size below 2x2 after rounding down to even", ErrInvalidPicture)
	}
	if err := checkSize(w, h); err != nil {
		return err
	}
	if stride < 4*w || stride > maxStride {
		return fmt.Errorf("%w: BGRA stride %d for width %d", ErrInvalidPicture, stride, w)
	}
	if need := planeLen(stride, 4*w, h); len(src) < need {
		return fmt.Errorf("%w: BGRA buffer has %d bytes, %dx%d stride %d needs %d", ErrInvalidPicture, len(src), w, h, stride, need)
	}
	if err := dst.Ensure(w, h); err != nil {
		return err
	}
	if rc := C.ARGBToI420(
		(*C.uint8_t)(unsafe.Pointer(&src[0])), C.int(stride),
		(*C.uint8_t)(unsafe.Pointer(&dst.Y[0])), C.int(dst.StrideY),
		(*C.uint8_t)(unsafe.Pointer(&dst.U[0])), C.int(dst.StrideUV),
		(*C.uint8_t)(unsafe.Pointer(&dst.V[0])), C.int(dst.StrideUV),
		C.int(w), C.int(h)); rc != 0 {
		return fmt.Errorf("%w: libyuv ARGBToI420 failed (%d)", ErrInvalidPicture, int(rc))
	}
	return nil
}

// I420ToRGBA converts src into dst, whose bounds must be exactly src's size
// (the caller owns and reuses dst, e.g. double buffering for the UI, so this
// never reallocates it). Go's image.RGBA holds bytes R,G,B,A in memory,
// which libyuv calls "ABGR". Alpha is set to opaque.
func I420ToRGBA(src *I420, dst *image.RGBA) error {
	if err := src.check(); err != nil {
		return err
	}
	if dst == nil {
		return fmt.Errorf("%w: nil destination", ErrInvalidPicture)
	}
	w, h := src.Width, src.Height
	if dst.Rect.Dx() != w || dst.Rect.Dy() != h {
		return fmt.Errorf("%w: RGBA bounds %v do not match picture %dx%d", ErrInvalidPicture, dst.Rect, w, h)
	}
	if dst.Stride < 4*w || dst.Stride > maxStride {
		return fmt.Errorf("%w: RGBA stride %d for width %d", ErrInvalidPicture, dst.Stride, w)
	}
	if need := planeLen(dst.Stride, 4*w, h); len(dst.Pix) < need {
		return fmt.Errorf("%w: RGBA buffer has %d bytes, needs %d", ErrInvalidPicture, len(dst.Pix), need)
	}
	if rc := C.I420ToABGR(
		(*C.uint8_t)(unsafe.Pointer(&src.Y[0])), C.int(src.StrideY),
		(*C.uint8_t)(unsafe.Pointer(&src.U[0])), C.int(src.StrideUV),
		(*C.uint8_t)(unsafe.Pointer(&src.V[0])), C.int(src.StrideUV),
		(*C.uint8_t)(unsafe.Pointer(&dst.Pix[0])), C.int(dst.Stride),
		C.int(w), C.int(h)); rc != 0 {
		return fmt.Errorf("%w: libyuv I420ToABGR failed (%d)", ErrInvalidPicture, int(rc))
	}
	return nil
}
