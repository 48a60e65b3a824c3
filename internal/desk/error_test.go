package desk

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestErrorf(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     *Error
		format  string
		args    []any
		message string
	}{
		{"no arguments", Errorf(EGONE, "this support link has expired; ask your technician for a new one"),
			"this support link has expired; ask your technician for a new one", nil,
			"this support link has expired; ask your technician for a new one"},
		{"numbers and words", Errorf(ECONFLICT, "session %d is %s; a new session is needed", 42, Closed),
			"session %d is %s; a new session is needed", []any{42, Closed},
			"session 42 is closed; a new session is needed"},
		{"quoted", Errorf(EINVALID, "unknown right %q", "fly"), "unknown right %q", []any{"fly"}, `unknown right "fly"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.err
			if e.Format != tc.format || !slices.Equal(e.Args, tc.args) {
				t.Errorf("Format, Args = %q, %v; want %q, %v", e.Format, e.Args, tc.format, tc.args)
			}
			if e.Message != tc.message {
				t.Errorf("Message = %q, want %q", e.Message, tc.message)
			}
			if got, want := e.Error(), e.Code+": "+tc.message; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
			wrapped := fmt.Errorf("somewhere: %w", e)
			if ErrorCode(wrapped) != e.Code || ErrorMessage(wrapped) != tc.message {
				t.Errorf("through a wrap: %q %q", ErrorCode(wrapped), ErrorMessage(wrapped))
			}
		})
	}
}

// TestErrorArgsFormatATranslation shows what adapters do with Format and
// Args: format a translation, reordered with explicit indexes, with the
// same arguments.
func TestErrorArgsFormatATranslation(t *testing.T) {
	e := Errorf(ECONFLICT, "cannot %s session %d: it is %s", ActionTake, 7, Closed)
	for _, tc := range []struct{ translation, want string }{
		{"Sitzung %[2]d: „%[1]s“ ist nicht möglich, sie ist %[3]s", "Sitzung 7: „take“ ist nicht möglich, sie ist closed"},
		{"sessão %[2]d: não é possível %[1]s, ela está %[3]s", "sessão 7: não é possível take, ela está closed"},
		{e.Format, e.Message},
	} {
		if got := fmt.Sprintf(tc.translation, e.Args...); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.translation, got, tc.want)
		}
	}
}

func TestErrorCodeAndMessageOfOtherErrors(t *testing.T) {
	for _, tc := range []struct {
		err           error
		code, message string
	}{
		{nil, "", ""},
		{errors.New("disk on fire"), EINTERNAL, "internal error"},
		{&Error{Code: ENOTFOUND, Message: "session not found"}, ENOTFOUND, "session not found"},
	} {
		if c, m := ErrorCode(tc.err), ErrorMessage(tc.err); c != tc.code || m != tc.message {
			t.Errorf("%v: %q %q, want %q %q", tc.err, c, m, tc.code, tc.message)
		}
	}
}
