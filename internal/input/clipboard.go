package input

import (
	"context"
	"errors"
	"log/slog"
)

// Clipboard reads and sets the desktop's clipboard text. Implementations
// are safe for concurrent use. Clipboard contents are never logged.
type Clipboard interface {
	// Get returns the clipboard's text ("" when it holds none). A text
	// longer than MaxTextLen comes back cut to its first MaxTextLen bytes
	// (whole characters) together with ErrClipboardTruncated.
	Get(ctx context.Context) (string, error)
	// Set makes text the clipboard's content for as long as this
	// Clipboard is open or until another application takes the clipboard.
	Set(text string) error
	// Close gives the clipboard up and frees the connection; idempotent.
	Close() error
}

// ClipboardConfig configures NewClipboard.
type ClipboardConfig struct {
	// Display is the X11 display name (":0"); empty means $DISPLAY.
	Display string
	// Logger receives diagnostics (never clipboard text); nil discards.
	Logger *slog.Logger
}

// Clipboard errors.
var (
	// ErrClipboardTruncated is returned by Get with the text cut to
	// MaxTextLen.
	ErrClipboardTruncated = errors.New("input: clipboard text cut to the wire limit")
	// ErrClipboardTimeout reports a clipboard owner that did not answer.
	ErrClipboardTimeout = errors.New("input: clipboard owner did not answer")
)
