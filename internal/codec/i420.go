package codec

import "fmt"

const (
	// maxDimension bounds picture sides. VP8 codes sizes in 14 bits, so no
	// stream is larger, and the bound keeps every size product far from
	// overflowing Go's int or C's int.
	maxDimension = 16382
	// maxStride bounds row strides for the same overflow reason; it still
	// allows a BGRA row of maxDimension pixels with generous padding.
	maxStride = 1 << 18
)

// NewI420 allocates a picture of w×h with tight strides. Sides must be even
// and positive.
func NewI420(w, h int) (*I420, error) {
	p := new(I420)
	if err := p.Ensure(w, h); err != nil {
		return nil, err
	}
	return p, nil
}

// Ensure makes p a valid w×h picture, allocating new planes only when the
// size changes (or p's planes do not fit its own fields), so a capture loop
// can call it every frame for free. The planes are one allocation, with
// tight strides. Old plane contents are not preserved on reallocation.
func (p *I420) Ensure(w, h int) error {
	if err := checkSize(w, h); err != nil {
		return err
	}
	if p.Width == w && p.Height == h && p.check() == nil {
		return nil
	}
	// Fresh memory rather than reusing a big-enough old backing array: the
	// old planes may alias memory we do not own (a decoder's picture).
	ySize, cw := w*h, w/2
	cSize := cw * (h / 2)
	buf := make([]byte, ySize+2*cSize)
	*p = I420{
		Width:    w,
		Height:   h,
		Y:        buf[:ySize:ySize],
		U:        buf[ySize : ySize+cSize : ySize+cSize],
		V:        buf[ySize+cSize:],
		StrideY:  w,
		StrideUV: cw,
	}
	return nil
}

// checkSize accepts the sides an I420 can have: even (4:2:0 chroma covers
// 2×2 blocks, and odd sides would make every consumer special-case the last
// row and column), positive and within VP8's limit.
func checkSize(w, h int) error {
	switch {
	case w <= 0 || h <= 0:
		return fmt.Errorf("%w: size %dx%d is not positive", ErrInvalidPicture, w, h)
	case w%2 != 0 || h%2 != 0:
		return fmt.Errorf("%w: size %dx%d is not even", ErrInvalidPicture, w, h)
	case w > maxDimension || h > maxDimension:
		return fmt.Errorf("%w: size %dx%d exceeds %d", ErrInvalidPicture, w, h, maxDimension)
	}
	return nil
}

// check verifies that the fields describe memory that really exists. It runs
// before every C call that reads or writes p: a wrong stride or a short slice
// must become an error, never an out-of-bounds access in C.
func (p *I420) check() error {
	if p == nil {
		return fmt.Errorf("%w: nil picture", ErrInvalidPicture)
	}
	if err := checkSize(p.Width, p.Height); err != nil {
		return err
	}
	cw, ch := p.Width/2, p.Height/2
	switch {
	case p.StrideY < p.Width || p.StrideY > maxStride:
		return fmt.Errorf("%w: Y stride %d for width %d", ErrInvalidPicture, p.StrideY, p.Width)
	case p.StrideUV < cw || p.StrideUV > maxStride:
		return fmt.Errorf("%w: UV stride %d for width %d", ErrInvalidPicture, p.StrideUV, p.Width)
	case len(p.Y) < planeLen(p.StrideY, p.Width, p.Height):
		return fmt.Errorf("%w: Y plane has %d bytes, %dx%d stride %d needs %d", ErrInvalidPicture,
			len(p.Y), p.Width, p.Height, p.StrideY, planeLen(p.StrideY, p.Width, p.Height))
	case len(p.U) < planeLen(p.StrideUV, cw, ch):
		return fmt.Errorf("%w: U plane has %d bytes, needs %d", ErrInvalidPicture, len(p.U), planeLen(p.StrideUV, cw, ch))
	case len(p.V) < planeLen(p.StrideUV, cw, ch):
		return fmt.Errorf("%w: V plane has %d bytes, needs %d", ErrInvalidPicture, len(p.V), planeLen(p.StrideUV, cw, ch))
	}
	return nil
}

// planeLen is the number of bytes a plane of rows×width bytes spans at the
// given stride; the last row need not be padded to the full stride.
func planeLen(stride, width, rows int) int {
	return stride*(rows-1) + width
}
