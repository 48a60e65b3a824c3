package rtc

import "testing"

func TestTailWatch(t *testing.T) {
	type step struct {
		recv   []uint16 // packets received before the report
		report uint32   // the report's packet count
		want   bool     // keyframe requested
	}
	seq := func(from, n int) []uint16 {
		var s []uint16
		for i := 0; i < n; i++ {
			s = append(s, uint16(from+i))
		}
		return s
	}
	tests := []struct {
		name  string
		first uint16
		steps []step
	}{
		{"all received, then idle", 100, []step{{seq(100, 10), 10, false}, {nil, 10, false}, {nil, 10, false}}},
		{"tail lost while going idle", 100, []step{{seq(100, 10), 10, false}, {seq(110, 5), 20, false}, {nil, 20, true}, {nil, 20, true}}},
		{"tail lost, then a keyframe heals it", 100, []step{{seq(100, 10), 10, false}, {seq(110, 5), 20, false}, {nil, 20, true}, {seq(120, 8), 28, false}, {nil, 28, false}}},
		{"loss in the middle is not a tail", 100, []step{{append(seq(100, 3), seq(105, 5)...), 10, false}, {nil, 10, false}}},
		{"first packets lost before anything was seen: one extra keyframe, then learnt", 100, []step{{seq(104, 6), 10, false}, {nil, 10, true}, {seq(110, 10), 20, false}, {nil, 20, false}, {nil, 20, false}}},
		{"first packets lost, then a real tail loss", 100, []step{{seq(104, 6), 10, false}, {nil, 10, true}, {seq(110, 10), 20, false}, {nil, 20, false}, {seq(120, 3), 25, false}, {nil, 25, true}, {seq(125, 5), 30, false}, {nil, 30, false}}},
		{"tail lost before the first report", 100, []step{{seq(100, 6), 7, false}, {nil, 7, true}, {seq(107, 4), 11, false}, {nil, 11, false}}},
		{"in flight at an active report is no loss", 100, []step{{seq(100, 8), 10, false}, {seq(108, 12), 20, false}, {nil, 20, false}}},
		{"sequence numbers wrap", 65530, []step{{seq(65530, 10), 10, false}, {nil, 10, false}, {seq(65540, 4), 20, false}, {nil, 20, true}}},
		{"nothing ever arrived", 0, []step{{nil, 10, false}, {nil, 10, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTailWatch()
			for i, st := range tt.steps {
				for _, s := range st.recv {
					w.received(s)
				}
				if got := w.senderReport(st.report); got != st.want {
					t.Fatalf("step %d: keyframe requested = %v, want %v", i, got, st.want)
				}
			}
		})
	}
}
