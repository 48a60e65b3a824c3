package rtc

import (
	"bytes"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

// packetize splits one VP8 frame into RTP packets the way the host does.
func packetize(seq uint16, ts uint32, frame []byte, mtu uint16) []*rtp.Packet {
	var pl codecs.VP8Payloader
	payloads := pl.Payload(mtu, frame)
	pkts := make([]*rtp.Packet, len(payloads))
	for i, p := range payloads {
		pkts[i] = &rtp.Packet{
			Header:  rtp.Header{Version: 2, SequenceNumber: seq + uint16(i), Timestamp: ts, Marker: i == len(payloads)-1},
			Payload: p,
		}
	}
	return pkts
}

func vp8Frame(key bool, tag byte, size int) []byte {
	f := bytes.Repeat([]byte{tag}, size)
	f[0] = 0
	if !key {
		f[0] = 1
	}
	return f
}

func TestAssembler(t *testing.T) {
	type step struct {
		frame []byte
		drop  []int // packet indexes lost
		// late re-sends the previous frame's first packet after this one
		late bool
	}
	key, delta1, delta2, key2 := vp8Frame(true, 'k', 2500), vp8Frame(false, 'a', 2500), vp8Frame(false, 'b', 300), vp8Frame(true, 'K', 2500)
	tests := []struct {
		name    string
		steps   []step
		want    [][]byte // frames out, in order
		wantPLI bool
	}{
		{name: "in order", steps: []step{{frame: key}, {frame: delta1}, {frame: delta2}}, want: [][]byte{key, delta1, delta2}},
		{name: "starts with delta", steps: []step{{frame: delta1}, {frame: key}, {frame: delta2}}, want: [][]byte{key, delta2}, wantPLI: true},
		{name: "loss mid frame waits for key", steps: []step{{frame: key}, {frame: delta1, drop: []int{1}}, {frame: delta2}, {frame: key2}, {frame: delta2}},
			want: [][]byte{key, key2, delta2}, wantPLI: true},
		{name: "lost marker packet", steps: []step{{frame: key}, {frame: delta1, drop: []int{2}}, {frame: delta2}}, want: [][]byte{key}, wantPLI: true},
		{name: "lost first packet", steps: []step{{frame: key}, {frame: delta1, drop: []int{0}}, {frame: key2}}, want: [][]byte{key, key2}, wantPLI: true},
		{name: "late duplicate ignored", steps: []step{{frame: key}, {frame: delta1, late: true}, {frame: delta2}}, want: [][]byte{key, delta1, delta2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAssembler()
			var seq uint16 = 65530 // crosses the wraparound
			var ts uint32
			var got [][]byte
			var pli bool
			var prev []*rtp.Packet
			for _, s := range tt.steps {
				pkts := packetize(seq, ts, s.frame, 1200)
				seq += uint16(len(pkts))
				ts += 3000
			packets:
				for i, p := range pkts {
					for _, d := range s.drop {
						if d == i {
							continue packets
						}
					}
					r := a.push(&p.Header, p.Payload)
					pli = pli || r.needPLI
					if r.frame != nil {
						got = append(got, bytes.Clone(r.frame))
					}
				}
				if s.late && prev != nil {
					r := a.push(&prev[0].Header, prev[0].Payload)
					if r.frame != nil || r.needPLI {
						t.Fatalf("late packet produced %+v", r)
					}
				}
				prev = pkts
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d frames, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.want[i]) {
					t.Errorf("frame %d differs (len %d, want %d)", i, len(got[i]), len(tt.want[i]))
				}
			}
			if pli != tt.wantPLI {
				t.Errorf("needPLI %v, want %v", pli, tt.wantPLI)
			}
		})
	}
}

func FuzzAssembler(f *testing.F) {
	for _, p := range packetize(1, 0, vp8Frame(true, 'k', 3000), 1200) {
		b, _ := p.Marshal()
		f.Add(b, b)
	}
	f.Add([]byte{0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x90}, []byte{0x80, 0xe0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0})
	f.Fuzz(func(t *testing.T, p1, p2 []byte) {
		a := newAssembler()
		for _, raw := range [][]byte{p1, p2, p1} {
			var pkt rtp.Packet
			if err := pkt.Unmarshal(raw); err != nil {
				// Also feed the raw bytes as a payload behind a valid header.
				pkt = rtp.Packet{Header: rtp.Header{Version: 2, Marker: len(raw)%2 == 0}, Payload: raw}
			}
			r := a.push(&pkt.Header, pkt.Payload)
			if len(r.frame) > maxFrameSize {
				t.Fatalf("frame of %d bytes", len(r.frame))
			}
		}
	})
}
