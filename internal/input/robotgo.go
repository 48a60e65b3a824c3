package input

import "log/slog"

// Rect is a monitor's rectangle in desktop pixels.
type Rect struct {
	X, Y          int
	Width, Height int
}

// RobotgoConfig configures NewRobotgoInjector.
type RobotgoConfig struct {
	// Display is the X11 display name (":0"); empty means the X libraries'
	// default.
	Display string
	// Monitors maps Event.Monitor to desktop pixels (capture.Monitors gives
	// them). Empty means one monitor covering the whole root window.
	Monitors []Rect
	// SetClipboard sets the clipboard text. Nil uses an X11 Clipboard of
	// the injector's own (NewClipboard), which offers the text for as long
	// as the injector is open; if that cannot be opened, robotgo's, which
	// runs xclip or xsel.
	SetClipboard func(text string) error
	// Logger receives diagnostics (never keystrokes or text); nil discards.
	Logger *slog.Logger
}

// maxWheel bounds the notches of one wheel event: robotgo sends one X
// button click per notch.
const maxWheel = 50
