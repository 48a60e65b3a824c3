package input

import "strings"

// robotgoKey maps a Fyne key name to robotgo's name for the same physical
// key. char is set for keys robotgo can only type as a character ("+",
// "*": robotgo would press and release Shift around them, undoing a Shift
// the technician holds); those are typed on key down and never held.
func robotgoKey(name string) (key string, char bool, ok bool) {
	if k, ok := fyneToRobotgo[name]; ok {
		return k, false, true
	}
	if len(name) == 1 {
		c := name[0]
		switch {
		case c >= 'A' && c <= 'Z':
			// Lower case: robotgo adds Shift to upper-case names, and the
			// technician's Shift arrives as its own key event.
			return strings.ToLower(name), false, true
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			return name, false, true
		case strings.IndexByte("',-./\\[];=`", c) >= 0:
			return name, false, true
		case c == '+' || c == '*':
			return name, true, true
		}
	}
	if len(name) >= 2 && len(name) <= 3 && name[0] == 'F' {
		n := name[1:]
		for _, f := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"} {
			if n == f {
				return "f" + n, false, true
			}
		}
	}
	return "", false, false
}

// fyneToRobotgo covers Fyne's named keys (fyne.Key*, desktop.Key*) plus
// the PageUp/PageDown spellings. Menu is missing on purpose: robotgo has no
// X11 code for it.
var fyneToRobotgo = map[string]string{
	"Escape":    "esc",
	"Return":    "enter",
	"KP_Enter":  "enter", // robotgo's X11 keypad-enter code is wrong
	"Enter":     "enter",
	"Tab":       "tab",
	"BackSpace": "backspace",
	"Insert":    "insert",
	"Delete":    "delete",
	"Right":     "right",
	"Left":      "left",
	"Down":      "down",
	"Up":        "up",
	"Prior":     "pageup",
	"PageUp":    "pageup",
	"Next":      "pagedown",
	"PageDown":  "pagedown",
	"Home":      "home",
	"End":       "end",
	"Space":     "space",

	"LeftShift":    "shiftl",
	"RightShift":   "shiftr",
	"LeftControl":  "ctrll",
	"RightControl": "ctrlr",
	"LeftAlt":      "altl",
	"RightAlt":     "altr",
	"LeftSuper":    "cmdl",
	"RightSuper":   "cmdr",
	"CapsLock":     "capslock",
	"PrintScreen":  "printscreen",
}
