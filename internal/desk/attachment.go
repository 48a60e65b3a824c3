package desk

import (
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Attachment is a file sent in a session's chat. The content lives in Blobs
// under Key, a random name: no name from the network ever becomes a path.
type Attachment struct {
	ID          int64
	SessionID   int64
	Name        string // sanitised display name
	Size        int64
	ContentType string
	Key         string
	SHA256      string
	At          time.Time
}

// SafeFileName turns a client-supplied file name into a display name that is
// safe to save under on any OS: no directories, no control or reserved
// characters, no Windows device names, at most 120 characters.
func SafeFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, r < 0x20, r == 0x7f, strings.ContainsRune(`<>:"/\|?*`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.Trim(b.String(), " .")
	base := strings.ToUpper(strings.TrimSuffix(out, path.Ext(out)))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		out = "_" + out
	}
	if r := []rune(out); len(r) > 120 {
		ext := path.Ext(out)
		if len(ext) > 20 {
			ext = ""
		}
		out = string(r[:120-utf8.RuneCountInString(ext)]) + ext
	}
	if out == "" || out == "." || out == ".." || out == "_" {
		out = "file"
	}
	return out
}
