package viewer

import "testing"

func TestRoleText(t *testing.T) {
	tests := []struct {
		name                        string
		canControl, viewOnly, ended bool
		want                        string
	}{
		{"controlling", true, false, false, "Controlling"},
		{"control allowed, own toggle on view only", true, true, false, "View only (control allowed)"},
		{"a collaborator controls", false, true, false, "Watching"},
		{"ended", true, false, true, "Watching"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &Window{canControl: tt.canControl, viewOnly: tt.viewOnly, ended: tt.ended}
			if got := w.roleText(); got != tt.want {
				t.Fatalf("roleText = %q, want %q", got, tt.want)
			}
		})
	}
}
