package input

import (
	"errors"
	"math"
	"strings"
	"testing"
)

var sampleEvents = []Event{
	{Kind: KindPointerMove, Seq: 7, X: 0.25, Y: 1, Monitor: 2},
	{Kind: KindPointerMove, Seq: math.MaxUint32, X: 0, Y: 0},
	{Kind: KindButton, Button: ButtonLeft, Down: true},
	{Kind: KindButton, Button: ButtonRight},
	{Kind: KindWheel, DX: -3, DY: 120},
	{Kind: KindKey, Key: "LeftShift", Down: true, Scancode: 42},
	{Kind: KindKey, Key: "A"},
	{Kind: KindText, Text: "grüß dich, 世界"},
	{Kind: KindText, Text: ""},
	{Kind: KindClipboard, Text: strings.Repeat("x", MaxTextLen)},
	{Kind: KindCtrlAltDel},
	{Kind: KindReleaseAll},
	{Kind: KindSelectMonitor, Monitor: 1},
	{Kind: KindSelectMonitor},
	{Kind: KindClipboardRequest},
	{Kind: KindQuality, Quality: QualityAuto},
	{Kind: KindQuality, Quality: QualitySpeed},
	{Kind: KindQuality, Quality: QualitySharp},
}

func TestMarshalRoundTrip(t *testing.T) {
	var buf []byte
	for _, ev := range sampleEvents {
		t.Run(ev.Kind.String(), func(t *testing.T) {
			var err error
			buf, err = Marshal(ev, buf[:0])
			if err != nil {
				t.Fatalf("Marshal(%+v): %v", ev, err)
			}
			if buf[0] != WireVersion || Kind(buf[1]) != ev.Kind {
				t.Fatalf("header % x", buf[:2])
			}
			var got Event
			if err := Unmarshal(buf, &got); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if got != ev {
				t.Fatalf("round trip: got %+v, want %+v", got, ev)
			}
		})
	}
}

// TestWireBytes pins the encodings other implementations must produce.
func TestWireBytes(t *testing.T) {
	tests := []struct {
		ev   Event
		want []byte
	}{
		{Event{Kind: KindSelectMonitor, Monitor: 2}, []byte{1, 9, 2}},
		{Event{Kind: KindClipboardRequest}, []byte{1, 10}},
		{Event{Kind: KindClipboard, Text: "hi"}, []byte{1, 6, 2, 0, 0, 0, 'h', 'i'}},
		{Event{Kind: KindQuality, Quality: QualitySpeed}, []byte{1, 11, 2}},
		{Event{Kind: KindQuality, Quality: QualitySharp}, []byte{1, 11, 3}},
	}
	for _, tt := range tests {
		got, err := Marshal(tt.ev, nil)
		if err != nil || string(got) != string(tt.want) {
			t.Errorf("Marshal(%+v) = % x, %v; want % x", tt.ev, got, err, tt.want)
		}
	}
	if KindSelectMonitor.String() != "select_monitor" || KindClipboardRequest.String() != "clipboard_request" || KindQuality.String() != "quality" {
		t.Errorf("names %q %q %q", KindSelectMonitor, KindClipboardRequest, KindQuality)
	}
	for q, want := range map[Quality]string{QualityUnknown: "unknown", QualityAuto: "auto", QualitySpeed: "speed", QualitySharp: "sharp", 9: "unknown"} {
		if q.String() != want {
			t.Errorf("Quality(%d) = %q, want %q", q, q, want)
		}
	}
}

func TestMarshalDropsForeignFields(t *testing.T) {
	b, err := Marshal(Event{Kind: KindButton, Button: ButtonMiddle, Down: true, X: 0.5, Key: "A", Text: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 4 {
		t.Errorf("button encoded in %d bytes, want 4", len(b))
	}
	var ev Event
	if err := Unmarshal(b, &ev); err != nil || ev != (Event{Kind: KindButton, Button: ButtonMiddle, Down: true}) {
		t.Errorf("got %+v, %v", ev, err)
	}
}

func TestMarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want error
	}{
		{"unknown kind", Event{}, ErrKind},
		{"kind past end", Event{Kind: 200}, ErrKind},
		{"NaN", Event{Kind: KindPointerMove, X: float32(math.NaN())}, ErrCoordinate},
		{"Inf", Event{Kind: KindPointerMove, Y: float32(math.Inf(1))}, ErrCoordinate},
		{"negative", Event{Kind: KindPointerMove, X: -0.01}, ErrCoordinate},
		{"above one", Event{Kind: KindPointerMove, Y: 1.0001}, ErrCoordinate},
		{"no button", Event{Kind: KindButton}, ErrButton},
		{"bad button", Event{Kind: KindButton, Button: 9}, ErrButton},
		{"empty key", Event{Kind: KindKey}, ErrEmptyKey},
		{"long key", Event{Kind: KindKey, Key: strings.Repeat("k", MaxKeyLen+1)}, ErrTooLong},
		{"key not UTF-8", Event{Kind: KindKey, Key: "\xff"}, ErrUTF8},
		{"long text", Event{Kind: KindText, Text: strings.Repeat("t", MaxTextLen+1)}, ErrTooLong},
		{"text not UTF-8", Event{Kind: KindClipboard, Text: "a\xc3"}, ErrUTF8},
		{"no quality", Event{Kind: KindQuality}, ErrQuality},
		{"quality past the last", Event{Kind: KindQuality, Quality: qualityEnd}, ErrQuality},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Marshal(tt.ev, nil); !errors.Is(err, tt.want) {
				t.Fatalf("Marshal = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestUnmarshalRejects(t *testing.T) {
	le32 := func(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	nan := le32(math.Float32bits(float32(math.NaN())))
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"version only", []byte{1}, ErrTruncated},
		{"version 0", []byte{0, 1}, ErrVersion},
		{"version 2", []byte{2, 1}, ErrVersion},
		{"kind 0", []byte{1, 0}, ErrKind},
		{"kind 99", []byte{1, 99}, ErrKind},
		{"move truncated", []byte{1, byte(KindPointerMove), 0, 0, 0}, ErrTruncated},
		{"move NaN", cat([]byte{1, byte(KindPointerMove)}, le32(1), nan, le32(0), []byte{0}), ErrCoordinate},
		{"move out of range", cat([]byte{1, byte(KindPointerMove)}, le32(1), le32(math.Float32bits(2)), le32(0), []byte{0}), ErrCoordinate},
		{"button bad flag", []byte{1, byte(KindButton), 1, 2}, ErrFlag},
		{"button unknown", []byte{1, byte(KindButton), 7, 1}, ErrButton},
		{"button trailing", []byte{1, byte(KindButton), 1, 1, 0}, ErrTrailing},
		{"wheel truncated", []byte{1, byte(KindWheel), 1, 0, 1}, ErrTruncated},
		{"key truncated name", cat([]byte{1, byte(KindKey), 1}, le32(0), []byte{3, 'a'}), ErrTruncated},
		{"key too long", cat([]byte{1, byte(KindKey), 1}, le32(0), []byte{33}), ErrTooLong},
		{"key empty", cat([]byte{1, byte(KindKey), 1}, le32(0), []byte{0}), ErrEmptyKey},
		{"key bad UTF-8", cat([]byte{1, byte(KindKey), 0}, le32(0), []byte{1, 0xff}), ErrUTF8},
		{"text too long", cat([]byte{1, byte(KindText)}, le32(MaxTextLen+1)), ErrTooLong},
		{"text huge length", cat([]byte{1, byte(KindText)}, le32(math.MaxUint32)), ErrTooLong},
		{"text truncated", cat([]byte{1, byte(KindText)}, le32(5), []byte("abc")), ErrTruncated},
		{"clipboard bad UTF-8", cat([]byte{1, byte(KindClipboard)}, le32(1), []byte{0x80}), ErrUTF8},
		{"ctrl-alt-del trailing", []byte{1, byte(KindCtrlAltDel), 0}, ErrTrailing},
		{"select monitor truncated", []byte{1, byte(KindSelectMonitor)}, ErrTruncated},
		{"select monitor trailing", []byte{1, byte(KindSelectMonitor), 1, 0}, ErrTrailing},
		{"clipboard request trailing", []byte{1, byte(KindClipboardRequest), 0}, ErrTrailing},
		{"quality truncated", []byte{1, byte(KindQuality)}, ErrTruncated},
		{"quality unknown", []byte{1, byte(KindQuality), 0}, ErrQuality},
		{"quality past the last", []byte{1, byte(KindQuality), byte(qualityEnd)}, ErrQuality},
		{"quality 255", []byte{1, byte(KindQuality), 255}, ErrQuality},
		{"quality trailing", []byte{1, byte(KindQuality), 1, 0}, ErrTrailing},
		{"kind past the last", []byte{1, byte(kindEnd)}, ErrKind},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev Event
			err := Unmarshal(tt.data, &ev)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Unmarshal(% x) = %v, want %v", tt.data, err, tt.want)
			}
		})
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, ev := range sampleEvents {
		if ev.Kind == KindClipboard {
			ev.Text = "short"
		}
		b, err := Marshal(ev, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{1, 6, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev Event
		if err := Unmarshal(data, &ev); err != nil {
			return
		}
		b, err := Marshal(ev, nil)
		if err != nil {
			t.Fatalf("accepted %+v but Marshal fails: %v", ev, err)
		}
		var again Event
		if err := Unmarshal(b, &again); err != nil {
			t.Fatalf("re-encoding of %+v rejected: %v", ev, err)
		}
		if again != ev {
			t.Fatalf("round trip changed %+v into %+v", ev, again)
		}
		if string(b) != string(data) {
			t.Fatalf("encoding not canonical: % x decoded and re-encoded as % x", data, b)
		}
	})
}

func BenchmarkMarshalPointerMove(b *testing.B) {
	ev := Event{Kind: KindPointerMove, Seq: 1, X: 0.5, Y: 0.5}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ev.Seq = uint32(i)
		buf, _ = Marshal(ev, buf[:0])
	}
}

func BenchmarkUnmarshalPointerMove(b *testing.B) {
	data, _ := Marshal(Event{Kind: KindPointerMove, Seq: 1, X: 0.5, Y: 0.5}, nil)
	var ev Event
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := Unmarshal(data, &ev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalKey(b *testing.B) {
	ev := Event{Kind: KindKey, Key: "LeftControl", Down: true}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, _ = Marshal(ev, buf[:0])
	}
}
