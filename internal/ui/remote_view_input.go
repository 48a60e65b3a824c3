package ui

import (
	"math"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/tetherdesk/tether/internal/input"
)

// notchUnits is how far Fyne's desktop driver scrolls per wheel notch
// (its scrollSpeed on Linux and Windows); finer touchpad deltas accumulate.
const notchUnits = 25

// inputState is what the view has pressed on the remote side, so that
// releases match presses and nothing stays stuck when focus goes away.
type inputState struct {
	seq     uint32
	buttons map[input.Button]bool
	keys    map[fyne.KeyName]bool // forwarded as KindKey and not yet released
	// runeEcho is set when a character key went out as KindKey: the rune the
	// driver reports for it next must not be typed a second time as text.
	runeEcho bool
	// lastX, lastY is where the last pointer move put the remote pointer.
	lastX, lastY float32
	moved        bool
}

func (s *inputState) reset() {
	*s = inputState{seq: s.seq, buttons: map[input.Button]bool{}, keys: map[fyne.KeyName]bool{}}
}

func (s *inputState) holding() bool { return len(s.buttons) > 0 || len(s.keys) > 0 }

// emit hands ev to OnInput unless the view is view-only.
func (v *RemoteView) emit(ev input.Event) bool {
	if v.viewOnly.Load() {
		return false
	}
	v.send(ev)
	return true
}

func (v *RemoteView) send(ev input.Event) {
	if f := v.OnInput; f != nil {
		f(ev)
	}
}

// releaseHeld lets go of everything held on the remote side. It runs when
// the view loses focus or becomes view-only, so it bypasses the view-only
// check: a key left down on the remote would repeat forever.
func (v *RemoteView) releaseHeld() {
	if v.input.holding() {
		v.send(input.Event{Kind: input.KindReleaseAll})
	}
	v.input.reset()
}

// pointerMove sends a move to nx, ny.
func (v *RemoteView) pointerMove(nx, ny float32) {
	if v.viewOnly.Load() {
		return
	}
	v.input.seq++
	v.input.lastX, v.input.lastY, v.input.moved = nx, ny, true
	v.send(input.Event{Kind: input.KindPointerMove, Seq: v.input.seq, X: nx, Y: ny, Monitor: uint8(v.monitor.Load())})
}

// pointerAt handles the pointer being at local pos: pan in ViewModeActual,
// then move the remote pointer if pos is on the picture, or anywhere while
// a button is held so that drags reach the picture's edges.
func (v *RemoteView) pointerAt(pos fyne.Position) {
	g := v.geometry()
	if g.Mode == ViewModeActual {
		ox, oy := g.FollowOffset(pos.X, pos.Y)
		if ox != v.offX || oy != v.offY {
			v.offX, v.offY = ox, oy
			if r := v.renderer; r != nil {
				r.Layout(v.Size())
			}
			g = v.geometry()
		}
	}
	nx, ny, inside := g.ToRemote(pos.X, pos.Y)
	if !inside && len(v.input.buttons) == 0 {
		return
	}
	v.pointerMove(nx, ny)
}

// MouseIn is part of desktop.Hoverable.
func (v *RemoteView) MouseIn(ev *desktop.MouseEvent) { v.pointerAt(ev.Position) }

// MouseMoved is part of desktop.Hoverable.
func (v *RemoteView) MouseMoved(ev *desktop.MouseEvent) { v.pointerAt(ev.Position) }

// MouseOut is part of desktop.Hoverable.
func (v *RemoteView) MouseOut() {}

// Dragged is part of fyne.Draggable. Being draggable makes the driver send
// the matching MouseUp here even when the button is released outside the
// view, so a remote drag never ends with the button stuck down.
func (v *RemoteView) Dragged(ev *fyne.DragEvent) { v.pointerAt(ev.Position) }

// DragEnd is part of fyne.Draggable; the MouseUp that follows does the work.
func (v *RemoteView) DragEnd() {}

// MouseDown is part of desktop.Mouseable. A click focuses the view so that
// the keyboard follows; the press is sent only when it lands on the picture.
func (v *RemoteView) MouseDown(ev *desktop.MouseEvent) {
	v.requestFocus()
	b := buttonOf(ev.Button)
	// A press of a button already down (seen with GLFW under X when the
	// click also focuses the window) must not reach the remote twice.
	if b == input.ButtonUnknown || v.viewOnly.Load() || v.input.buttons[b] {
		return
	}
	nx, ny, inside := v.geometry().ToRemote(ev.Position.X, ev.Position.Y)
	if !inside {
		return
	}
	v.syncPointer(nx, ny)
	v.input.buttons[b] = true
	v.emit(input.Event{Kind: input.KindButton, Button: b, Down: true, Monitor: uint8(v.monitor.Load())})
}

// MouseUp is part of desktop.Mouseable. Only buttons this view pressed are
// released.
func (v *RemoteView) MouseUp(ev *desktop.MouseEvent) {
	b := buttonOf(ev.Button)
	if !v.input.buttons[b] {
		return
	}
	delete(v.input.buttons, b)
	nx, ny, _ := v.geometry().ToRemote(ev.Position.X, ev.Position.Y)
	v.syncPointer(nx, ny)
	v.emit(input.Event{Kind: input.KindButton, Button: b, Monitor: uint8(v.monitor.Load())})
}

// syncPointer sends a move first when the remote pointer is not where a
// button event is meant to act: buttons act at the current position.
func (v *RemoteView) syncPointer(nx, ny float32) {
	if !v.input.moved || v.input.lastX != nx || v.input.lastY != ny {
		v.pointerMove(nx, ny)
	}
}

func buttonOf(b desktop.MouseButton) input.Button {
	switch b {
	case desktop.MouseButtonPrimary:
		return input.ButtonLeft
	case desktop.MouseButtonSecondary:
		return input.ButtonRight
	case desktop.MouseButtonTertiary:
		return input.ButtonMiddle
	}
	return input.ButtonUnknown
}

// Scrolled is part of fyne.Scrollable. Fyne's positive DY scrolls up, the
// wire's positive DY scrolls down.
func (v *RemoteView) Scrolled(ev *fyne.ScrollEvent) {
	if v.viewOnly.Load() {
		return
	}
	v.scrollAcc[0] -= ev.Scrolled.DX / notchUnits
	v.scrollAcc[1] -= ev.Scrolled.DY / notchUnits
	dx, dy := notches(&v.scrollAcc[0]), notches(&v.scrollAcc[1])
	if dx == 0 && dy == 0 {
		return
	}
	v.emit(input.Event{Kind: input.KindWheel, DX: dx, DY: dy, Monitor: uint8(v.monitor.Load())})
}

// notches takes the whole notches out of an accumulated scroll distance.
func notches(acc *float32) int16 {
	n := math.Trunc(float64(*acc))
	n = min(max(n, math.MinInt16), math.MaxInt16)
	*acc -= float32(n)
	return int16(n)
}

func (v *RemoteView) requestFocus() {
	if v.focused {
		return
	}
	if app := fyne.CurrentApp(); app != nil {
		if c := app.Driver().CanvasForObject(v); c != nil {
			c.Focus(v)
		}
	}
}

// FocusGained is part of fyne.Focusable.
func (v *RemoteView) FocusGained() { v.focused = true }

// FocusLost is part of fyne.Focusable. Keys released while another widget
// has focus would never reach the remote side, so release them now.
func (v *RemoteView) FocusLost() {
	v.focused = false
	v.releaseHeld()
}

// AcceptsTab is part of fyne.Tabbable: Tab belongs to the remote desktop,
// not to Fyne's focus traversal.
func (v *RemoteView) AcceptsTab() bool { return true }

// KeyDown is part of desktop.Keyable. Keys that type a character go as text
// (TypedRune) so that the technician's keyboard layout, dead keys and input
// method decide the character, not the remote layout; they go as keys only
// with Ctrl, Alt or Super held, where they are shortcuts. Every other key
// (Return, arrows, F-keys, modifiers) goes as a key.
func (v *RemoteView) KeyDown(ev *fyne.KeyEvent) {
	v.input.runeEcho = false
	if v.viewOnly.Load() || ev.Name == fyne.KeyUnknown || v.input.keys[ev.Name] {
		return // key repeat is the remote side's business
	}
	char := typesCharacter(ev.Name)
	if char && !v.commandHeld() {
		return
	}
	v.input.keys[ev.Name] = true
	v.input.runeEcho = char
	v.emit(keyEvent(ev.Name, uint32(max(ev.Physical.ScanCode, 0)), true))
}

// KeyUp is part of desktop.Keyable.
func (v *RemoteView) KeyUp(ev *fyne.KeyEvent) {
	if !v.input.keys[ev.Name] {
		return
	}
	delete(v.input.keys, ev.Name)
	v.emit(keyEvent(ev.Name, uint32(max(ev.Physical.ScanCode, 0)), false))
}

// TypedRune is part of fyne.Focusable.
func (v *RemoteView) TypedRune(r rune) {
	if v.input.runeEcho {
		v.input.runeEcho = false
		return
	}
	v.emit(input.Event{Kind: input.KindText, Text: string(r)})
}

// TypedKey is part of fyne.Focusable. KeyDown and KeyUp already carried the
// key; TypedKey only adds the technician's auto-repeat, which the remote
// side produces itself.
func (v *RemoteView) TypedKey(*fyne.KeyEvent) {}

// TypedShortcut is part of fyne.Shortcutable. Handling shortcuts here keeps
// Fyne from acting on them (copy, paste, select all) locally: they belong
// to the remote desktop. The desktop driver has already sent their keys
// through KeyDown; a shortcut whose key is not held down (one raised by a
// driver without key events, or a test) is replayed as key presses.
func (v *RemoteView) TypedShortcut(s fyne.Shortcut) {
	ks, ok := s.(fyne.KeyboardShortcut)
	if !ok || v.viewOnly.Load() || v.input.keys[ks.Key()] {
		return
	}
	var pressed []fyne.KeyName
	for _, m := range modifierKeys {
		if ks.Mod()&m.mod != 0 && !v.input.keys[m.key] {
			pressed = append(pressed, m.key)
			v.emit(keyEvent(m.key, 0, true))
		}
	}
	v.emit(keyEvent(ks.Key(), 0, true))
	v.emit(keyEvent(ks.Key(), 0, false))
	for i := len(pressed) - 1; i >= 0; i-- {
		v.emit(keyEvent(pressed[i], 0, false))
	}
}

var modifierKeys = []struct {
	mod fyne.KeyModifier
	key fyne.KeyName
}{
	{fyne.KeyModifierControl, desktop.KeyControlLeft},
	{fyne.KeyModifierAlt, desktop.KeyAltLeft},
	{fyne.KeyModifierShift, desktop.KeyShiftLeft},
	{fyne.KeyModifierSuper, desktop.KeySuperLeft},
}

// commandHeld reports whether a modifier that turns a character key into a
// shortcut is held on the remote side.
func (v *RemoteView) commandHeld() bool {
	for k := range v.input.keys {
		switch k {
		case desktop.KeyControlLeft, desktop.KeyControlRight, desktop.KeyAltLeft, desktop.KeyAltRight, desktop.KeySuperLeft, desktop.KeySuperRight:
			return true
		}
	}
	return false
}

// typesCharacter reports whether the key normally types a character, which
// then arrives through TypedRune. Fyne names such keys by their character.
func typesCharacter(k fyne.KeyName) bool {
	return k == fyne.KeySpace || utf8.RuneCountInString(string(k)) == 1
}

func keyEvent(k fyne.KeyName, scancode uint32, down bool) input.Event {
	return input.Event{Kind: input.KindKey, Key: string(k), Scancode: scancode, Down: down}
}
