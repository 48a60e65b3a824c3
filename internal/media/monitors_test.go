package media

import (
	"bytes"
	"errors"
	"testing"
)

var twoMonitors = Monitors{Current: 1, List: []MonitorInfo{
	{Width: 1920, Height: 1080, Primary: true},
	{X: 1920, Y: -10, Width: 1280, Height: 1024},
}}

func TestMonitorsMessage(t *testing.T) {
	b, err := marshalMonitors(twoMonitors, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{monitorsTag, 1, 2,
		0, 0, 0, 0, 0x80, 0x07, 0x38, 0x04, 1,
		0x80, 0x07, 0xf6, 0xff, 0x00, 0x05, 0x00, 0x04, 0}
	if !bytes.Equal(b, want) {
		t.Fatalf("wire % x, want % x", b, want)
	}
	got, err := unmarshalMonitors(b)
	if err != nil || !got.equal(twoMonitors) {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
}

func TestMonitorsMessageRefused(t *testing.T) {
	good, _ := marshalMonitors(twoMonitors, nil)
	mod := func(i int, v byte) []byte { b := bytes.Clone(good); b[i] = v; return b }
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"header only", good[:3]},
		{"short", good[:len(good)-1]},
		{"long", append(bytes.Clone(good), 0)},
		{"wrong tag", mod(0, cursorTag)},
		{"current past end", mod(1, 2)},
		{"no monitors", []byte{monitorsTag, 0, 0}},
		{"too many", mod(2, maxMonitors+1)},
		{"zero width", func() []byte { b := mod(7, 0); b[8] = 0; return b }()},
		{"bad flags", mod(11, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := unmarshalMonitors(tt.b); !errors.Is(err, ErrBadMessage) {
				t.Fatalf("err = %v, want ErrBadMessage", err)
			}
		})
	}
	for _, m := range []Monitors{{}, {Current: 1, List: twoMonitors.List[:1]}, {List: []MonitorInfo{{Width: 70000, Height: 1}}}} {
		if _, err := marshalMonitors(m, nil); !errors.Is(err, ErrBadMessage) {
			t.Errorf("marshalMonitors(%+v) = %v, want ErrBadMessage", m, err)
		}
	}
}

func FuzzUnmarshalMonitors(f *testing.F) {
	good, _ := marshalMonitors(twoMonitors, nil)
	f.Add(good)
	f.Add([]byte{monitorsTag, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := unmarshalMonitors(b)
		if err != nil {
			return
		}
		enc, err := marshalMonitors(m, nil)
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("accepted % x as %+v but re-encoding gives % x, %v", b, m, enc, err)
		}
	})
}
