package ui

import (
	"math"
	"testing"
)

func near(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-3 }

func TestGeometryPicture(t *testing.T) {
	tests := []struct {
		name string
		g    Geometry
		want Rect
	}{
		{"wide remote in 4:3 view: bars top and bottom", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeFit}, Rect{0, 75, 800, 450}},
		{"tall remote: bars left and right", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1080, RemoteH: 1920, Mode: ViewModeFit}, Rect{231.25, 0, 337.5, 600}},
		{"same aspect: no bars", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1600, RemoteH: 1200, Mode: ViewModeFit}, Rect{0, 0, 800, 600}},
		{"small remote is scaled up", Geometry{ViewW: 800, ViewH: 600, RemoteW: 320, RemoteH: 240, Mode: ViewModeFit}, Rect{0, 0, 800, 600}},
		{"unknown mode fits", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080}, Rect{0, 75, 800, 450}},
		{"actual, panned", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeActual, Scale: 1, OffsetX: 100, OffsetY: 200}, Rect{-100, -200, 1920, 1080}},
		{"actual, offset clamped", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeActual, Scale: 1, OffsetX: 5000, OffsetY: -50}, Rect{-1120, 0, 1920, 1080}},
		{"actual, smaller than view: centred, offset ignored", Geometry{ViewW: 800, ViewH: 600, RemoteW: 640, RemoteH: 480, Mode: ViewModeActual, OffsetX: 30, OffsetY: 30}, Rect{80, 60, 640, 480}},
		{"actual on a 2x canvas: half the units", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeActual, Scale: 2, OffsetX: 40}, Rect{-40, 30, 960, 540}},
		{"no frame yet", Geometry{ViewW: 800, ViewH: 600}, Rect{}},
		{"zero-size view", Geometry{RemoteW: 1920, RemoteH: 1080}, Rect{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.g.Picture()
			if !near(got.X, tt.want.X) || !near(got.Y, tt.want.Y) || !near(got.W, tt.want.W) || !near(got.H, tt.want.H) {
				t.Errorf("Picture() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestGeometryToRemote(t *testing.T) {
	wide := Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeFit}
	tall := Geometry{ViewW: 800, ViewH: 600, RemoteW: 1080, RemoteH: 1920, Mode: ViewModeFit}
	actual := Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeActual, Scale: 1, OffsetX: 100, OffsetY: 200}
	small := Geometry{ViewW: 800, ViewH: 600, RemoteW: 640, RemoteH: 480, Mode: ViewModeActual, Scale: 1}
	tests := []struct {
		name       string
		g          Geometry
		x, y       float32
		nx, ny     float32
		wantInside bool
	}{
		{"wide: centre", wide, 400, 300, 0.5, 0.5, true},
		{"wide: top left of picture", wide, 0, 75, 0, 0, true},
		{"wide: bottom right of picture", wide, 800, 525, 1, 1, true},
		{"wide: top bar", wide, 400, 10, 0.5, 0, false},
		{"wide: bottom bar", wide, 200, 590, 0.25, 1, false},
		{"wide: just inside the top edge", wide, 400, 75.5, 0.5, 0.5 / 450, true},
		{"tall: centre", tall, 400, 300, 0.5, 0.5, true},
		{"tall: left bar", tall, 100, 300, 0, 0.5, false},
		{"tall: right bar", tall, 700, 150, 1, 0.25, false},
		{"tall: left edge", tall, 231.25, 0, 0, 0, true},
		{"actual: view top left is the offset", actual, 0, 0, 100.0 / 1920, 200.0 / 1080, true},
		{"actual: view bottom right", actual, 800, 600, 900.0 / 1920, 800.0 / 1080, true},
		{"actual: left of the view is outside though on the picture", actual, -5, 10, 95.0 / 1920, 210.0 / 1080, false},
		{"actual small: centred picture origin", small, 80, 60, 0, 0, true},
		{"actual small: bar", small, 10, 10, 0, 0, false},
		{"no frame", Geometry{ViewW: 800, ViewH: 600}, 400, 300, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nx, ny, inside := tt.g.ToRemote(tt.x, tt.y)
			if !near(nx, tt.nx) || !near(ny, tt.ny) || inside != tt.wantInside {
				t.Errorf("ToRemote(%v, %v) = %v, %v, %v; want %v, %v, %v", tt.x, tt.y, nx, ny, inside, tt.nx, tt.ny, tt.wantInside)
			}
			if !inside {
				return
			}
			// The inverse brings an inside point back where it was.
			x, y := tt.g.ToLocal(nx, ny)
			if !near(x, tt.x) || !near(y, tt.y) {
				t.Errorf("ToLocal(ToRemote(%v, %v)) = %v, %v", tt.x, tt.y, x, y)
			}
		})
	}
}

func TestGeometryToLocal(t *testing.T) {
	tests := []struct {
		name   string
		g      Geometry
		nx, ny float32
		x, y   float32
	}{
		{"fit wide: centre", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeFit}, 0.5, 0.5, 400, 300},
		{"fit wide: origin below the bar", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeFit}, 0, 0, 0, 75},
		{"fit tall: bottom right", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1080, RemoteH: 1920, Mode: ViewModeFit}, 1, 1, 568.75, 600},
		{"actual: scrolled out of view", Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeActual, Scale: 1, OffsetX: 100, OffsetY: 200}, 0, 0, -100, -200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := tt.g.ToLocal(tt.nx, tt.ny)
			if !near(x, tt.x) || !near(y, tt.y) {
				t.Errorf("ToLocal(%v, %v) = %v, %v; want %v, %v", tt.nx, tt.ny, x, y, tt.x, tt.y)
			}
		})
	}
}

func TestGeometryFollowOffset(t *testing.T) {
	g := Geometry{ViewW: 800, ViewH: 600, RemoteW: 1920, RemoteH: 1080, Mode: ViewModeActual, Scale: 1}
	tests := []struct {
		x, y   float32
		ox, oy float32
	}{
		{0, 0, 0, 0},
		{800, 600, 1120, 480},
		{400, 300, 560, 240},
		{-50, 900, 0, 480},
	}
	for _, tt := range tests {
		ox, oy := g.FollowOffset(tt.x, tt.y)
		if !near(ox, tt.ox) || !near(oy, tt.oy) {
			t.Errorf("FollowOffset(%v, %v) = %v, %v; want %v, %v", tt.x, tt.y, ox, oy, tt.ox, tt.oy)
		}
		// Panned this way, the pointer's fraction of the view is its
		// fraction of the remote screen.
		g2 := g
		g2.OffsetX, g2.OffsetY = ox, oy
		if tt.x >= 0 && tt.x <= 800 && tt.y >= 0 && tt.y <= 600 {
			nx, ny, _ := g2.ToRemote(tt.x, tt.y)
			if !near(nx, tt.x/800) || !near(ny, tt.y/600) {
				t.Errorf("after following (%v, %v): remote %v, %v", tt.x, tt.y, nx, ny)
			}
		}
	}
	if ox, oy := (Geometry{ViewW: 800, ViewH: 600, RemoteW: 640, RemoteH: 480, Mode: ViewModeActual}).FollowOffset(800, 600); ox != 0 || oy != 0 {
		t.Errorf("a picture that fits does not pan, got %v, %v", ox, oy)
	}
}

func TestViewModeString(t *testing.T) {
	for m, want := range map[ViewMode]string{ViewModeUnknown: "unknown", ViewModeFit: "fit", ViewModeActual: "actual", 99: "unknown"} {
		if got := m.String(); got != want {
			t.Errorf("ViewMode(%d).String() = %q, want %q", m, got, want)
		}
	}
}
