package input

import (
	"errors"
	"slices"
	"sync"
	"testing"
)

var everyKind = []Event{
	{Kind: KindPointerMove, X: 0.5, Y: 0.5},
	{Kind: KindButton, Button: ButtonLeft, Down: true},
	{Kind: KindWheel, DY: 1},
	{Kind: KindKey, Key: "A", Down: true},
	{Kind: KindText, Text: "x"},
	{Kind: KindClipboard, Text: "x"},
	{Kind: KindCtrlAltDel},
	{Kind: KindReleaseAll},
}

func TestGateByMode(t *testing.T) {
	tests := []struct {
		mode  Mode
		allow bool
	}{
		{ModeNone, false},
		{ModeViewOnly, false},
		{ModeControl, true},
	}
	for _, tt := range tests {
		for _, ev := range everyKind {
			t.Run(tt.mode.String()+"/"+ev.Kind.String(), func(t *testing.T) {
				rec := &Recorder{}
				g := NewGatedInjector(rec)
				if err := g.SetMode(tt.mode); err != nil {
					t.Fatal(err)
				}
				if g.Allow(ev) != tt.allow {
					t.Errorf("Allow = %v, want %v", !tt.allow, tt.allow)
				}
				err := g.Inject(ev)
				if tt.allow {
					if err != nil {
						t.Fatalf("Inject: %v", err)
					}
					if ev.Kind != KindReleaseAll && !slices.Equal(rec.Events(), []Event{ev}) {
						t.Errorf("recorded %+v, want %+v", rec.Events(), ev)
					}
					return
				}
				if !errors.Is(err, ErrNotAllowed) {
					t.Errorf("Inject = %v, want ErrNotAllowed", err)
				}
				if len(rec.Events()) != 0 {
					t.Errorf("refused event reached the injector: %+v", rec.Events())
				}
			})
		}
	}
}

// pressSome holds Ctrl, Shift and the left button through g.
func pressSome(t *testing.T, g *GatedInjector) {
	t.Helper()
	for _, ev := range []Event{
		{Kind: KindKey, Key: "LeftControl", Down: true},
		{Kind: KindKey, Key: "LeftShift", Down: true},
		{Kind: KindKey, Key: "A", Down: true},
		{Kind: KindKey, Key: "A"}, // released: must not be released again
		{Kind: KindButton, Button: ButtonLeft, Down: true},
	} {
		if err := g.Inject(ev); err != nil {
			t.Fatal(err)
		}
	}
}

var wantReleases = []Event{
	{Kind: KindButton, Button: ButtonLeft},
	{Kind: KindKey, Key: "LeftShift"},
	{Kind: KindKey, Key: "LeftControl"},
}

func TestGateReleasesWhenControlEnds(t *testing.T) {
	ends := []struct {
		name string
		end  func(*GatedInjector) error
	}{
		{"view-only", func(g *GatedInjector) error { return g.SetMode(ModeViewOnly) }},
		{"none", func(g *GatedInjector) error { return g.SetMode(ModeNone) }},
		{"close", func(g *GatedInjector) error { return g.Close() }},
		{"release-all event", func(g *GatedInjector) error { return g.Inject(Event{Kind: KindReleaseAll}) }},
	}
	for _, tt := range ends {
		t.Run(tt.name, func(t *testing.T) {
			rec := &Recorder{}
			g := NewGatedInjector(rec)
			g.SetMode(ModeControl)
			pressSome(t, g)
			rec.Reset()
			if err := tt.end(g); err != nil {
				t.Fatal(err)
			}
			if got := rec.Events(); !slices.Equal(got, wantReleases) {
				t.Errorf("released %+v, want %+v", got, wantReleases)
			}
			// Nothing is held any more: a second end releases nothing.
			rec.Reset()
			g.ReleaseAll()
			if got := rec.Events(); len(got) != 0 {
				t.Errorf("second release sent %+v", got)
			}
		})
	}
}

func TestGateCloseIdempotent(t *testing.T) {
	rec := &Recorder{}
	g := NewGatedInjector(rec)
	for i := 0; i < 3; i++ {
		if err := g.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if !rec.Closed() {
		t.Error("inner injector not closed")
	}
	if err := g.Inject(Event{Kind: KindWheel}); !errors.Is(err, ErrClosed) {
		t.Errorf("Inject after Close = %v", err)
	}
	if err := g.SetMode(ModeControl); !errors.Is(err, ErrClosed) {
		t.Errorf("SetMode after Close = %v", err)
	}
	if g.Mode() != ModeNone {
		t.Errorf("mode after Close = %v", g.Mode())
	}
}

func TestGateConcurrent(t *testing.T) {
	rec := &Recorder{}
	g := NewGatedInjector(rec)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				g.Inject(Event{Kind: KindKey, Key: "B", Down: j%2 == 0})
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				g.SetMode(Mode(j % 3))
			}
		}()
	}
	wg.Wait()
	g.Close()
	// Whatever interleaving happened, nothing is left pressed.
	down := map[string]bool{}
	for _, ev := range rec.Events() {
		if ev.Kind == KindKey {
			down[ev.Key] = ev.Down
		}
	}
	if down["B"] {
		t.Error("B left pressed after Close")
	}
}
