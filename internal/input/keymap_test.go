package input

import "testing"

func TestRobotgoKeyMapping(t *testing.T) {
	tests := []struct {
		fyne, want string
		char       bool
	}{
		{"A", "a", false}, {"Z", "z", false}, {"0", "0", false}, {"9", "9", false},
		{"Return", "enter", false}, {"KP_Enter", "enter", false}, {"BackSpace", "backspace", false},
		{"Tab", "tab", false}, {"Escape", "esc", false}, {"Delete", "delete", false}, {"Insert", "insert", false},
		{"Home", "home", false}, {"End", "end", false},
		{"PageUp", "pageup", false}, {"Prior", "pageup", false}, {"PageDown", "pagedown", false}, {"Next", "pagedown", false},
		{"Up", "up", false}, {"Down", "down", false}, {"Left", "left", false}, {"Right", "right", false},
		{"Space", "space", false},
		{"F1", "f1", false}, {"F10", "f10", false}, {"F12", "f12", false},
		{"LeftShift", "shiftl", false}, {"RightShift", "shiftr", false},
		{"LeftControl", "ctrll", false}, {"RightControl", "ctrlr", false},
		{"LeftAlt", "altl", false}, {"RightAlt", "altr", false},
		{"LeftSuper", "cmdl", false}, {"RightSuper", "cmdr", false},
		{"CapsLock", "capslock", false}, {"PrintScreen", "printscreen", false},
		{"'", "'", false}, {",", ",", false}, {"-", "-", false}, {".", ".", false}, {"/", "/", false},
		{"\\", "\\", false}, {"[", "[", false}, {"]", "]", false}, {";", ";", false}, {"=", "=", false}, {"`", "`", false},
		{"+", "+", true}, {"*", "*", true},
	}
	for _, tt := range tests {
		got, char, ok := robotgoKey(tt.fyne)
		if !ok || got != tt.want || char != tt.char {
			t.Errorf("robotgoKey(%q) = %q, %v, %v; want %q, %v", tt.fyne, got, char, ok, tt.want, tt.char)
		}
	}
	for _, bad := range []string{"", "F13", "F0", "Menu", "Hyper", "é", "AA", "!"} {
		if got, _, ok := robotgoKey(bad); ok {
			t.Errorf("robotgoKey(%q) = %q, want no mapping", bad, got)
		}
	}
}
