package rtc

import (
	"bytes"
	"errors"
	"testing"
)

func TestSeqFilter(t *testing.T) {
	tests := []struct {
		name string
		seqs []uint32
		want []bool
	}{
		{"increasing", []uint32{1, 2, 5}, []bool{true, true, true}},
		{"stale and duplicate", []uint32{5, 4, 5, 6}, []bool{true, false, false, true}},
		{"first may be anything", []uint32{0xffff_fff0}, []bool{true}},
		{"wraparound", []uint32{0xffff_fffe, 0xffff_ffff, 0, 1, 0xffff_ffff}, []bool{true, true, true, true, false}},
		{"far jump back is stale", []uint32{100, 100 + 3<<30}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f seqFilter
			for i, s := range tt.seqs {
				if got := f.accept(s); got != tt.want[i] {
					t.Errorf("accept(%#x) #%d = %v, want %v", s, i, got, tt.want[i])
				}
			}
		})
	}
}

func TestPointerEnvelope(t *testing.T) {
	b := appendPointer(nil, 0xdeadbeef, []byte("xy"))
	seq, payload, err := parsePointer(b)
	if err != nil || seq != 0xdeadbeef || !bytes.Equal(payload, []byte("xy")) {
		t.Fatalf("parsePointer = %#x %q %v", seq, payload, err)
	}
	if _, _, err := parsePointer(b[:3]); !errors.Is(err, ErrShortMessage) {
		t.Fatalf("short: %v", err)
	}
}

func FuzzPointer(f *testing.F) {
	f.Add(appendPointer(nil, 1, []byte("move")), appendPointer(nil, 0, nil))
	f.Add([]byte{}, []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var filter seqFilter
		for _, m := range [][]byte{a, b, a} {
			seq, payload, err := parsePointer(m)
			if err != nil {
				continue
			}
			if len(payload) != len(m)-pointerHeaderLen {
				t.Fatalf("payload %d of %d", len(payload), len(m))
			}
			filter.accept(seq)
		}
		// The same message twice is never accepted twice.
		if seq, _, err := parsePointer(a); err == nil && filter.accept(seq) {
			t.Fatalf("seq %d accepted again", seq)
		}
	})
}
