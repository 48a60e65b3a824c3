// Package input carries the technician's mouse and keyboard to the end
// user's desktop: event types, their compact binary wire encoding, the gate
// that decides whether input is allowed at all, and injectors that replay
// events on the local display.
package input

// Kind says what an Event is. The zero value is invalid.
type Kind uint8

const (
	KindUnknown Kind = iota
	// KindPointerMove moves the pointer to X, Y (normalised 0..1) on Monitor.
	// Sent on the unordered channel with a Seq; older moves are dropped.
	KindPointerMove
	// KindButton presses (Down) or releases a mouse Button at the current
	// pointer position.
	KindButton
	// KindWheel scrolls by DX, DY notches (positive: right, down).
	KindWheel
	// KindKey presses (Down) or releases a key: Key is a Fyne key name
	// ("A", "Return", "LeftShift", "F5"), Scancode the physical key when known.
	KindKey
	// KindText types Text as-is (IME output, pasted text).
	KindText
	// KindClipboard sets the remote clipboard to Text.
	KindClipboard
	// KindCtrlAltDel asks for the secure attention sequence.
	KindCtrlAltDel
	// KindReleaseAll releases every held key and button.
	KindReleaseAll
	// KindSelectMonitor asks the host to share Monitor (an index into the
	// host's monitor list) instead of the current one. Only the
	// controlling technician may switch; injectors ignore it.
	KindSelectMonitor
	// KindClipboardRequest asks the host for the end user's clipboard
	// text, which comes back as a KindClipboard event. The clipboard can
	// hold secrets: only the controlling technician may fetch it.
	// Injectors ignore it.
	KindClipboardRequest
	// KindQuality asks the host to encode for a smooth or a sharp picture
	// (Quality). It is a viewing preference, not input: the controlling
	// technician may set it, and so may any viewer while nobody controls.
	// Injectors ignore it.
	KindQuality
	kindEnd
)

var kindNames = [...]string{"unknown", "pointer_move", "button", "wheel", "key", "text", "clipboard", "ctrl_alt_del", "release_all",
	"select_monitor", "clipboard_request", "quality"}

func (k Kind) String() string {
	if k >= kindEnd {
		return "unknown"
	}
	return kindNames[k]
}

// Button is a mouse button. The zero value is invalid.
type Button uint8

const (
	ButtonUnknown Button = iota
	ButtonLeft
	ButtonMiddle
	ButtonRight
	buttonEnd
)

var buttonNames = [...]string{"unknown", "left", "middle", "right"}

func (b Button) String() string {
	if b >= buttonEnd {
		return "unknown"
	}
	return buttonNames[b]
}

// Event is one input action from the technician. Which fields matter
// depends on Kind; the others are zero.
type Event struct {
	Kind Kind
	// Seq orders pointer moves on the unordered channel.
	Seq uint32
	// X, Y are normalised coordinates on Monitor: 0,0 top left, 1,1 bottom right.
	X, Y    float32
	Monitor uint8
	Button  Button
	Down    bool
	DX, DY  int16
	Key     string
	// Scancode is the physical key (platform scancode), 0 when unknown.
	Scancode uint32
	Text     string
	Quality  Quality
}
