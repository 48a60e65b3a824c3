//go:build !linux

package input

import "fmt"

// NewClipboard is only built for X11 so far; Windows and macOS need their
// own clipboard APIs.
func NewClipboard(cfg ClipboardConfig) (Clipboard, error) {
	return nil, fmt.Errorf("%w: the clipboard is built only for Linux/X11", ErrUnsupported)
}
