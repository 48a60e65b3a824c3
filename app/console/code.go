package console

import (
	"errors"
	"strings"
)

// CodeLength is the number of digits of a session code.
const CodeLength = 9

// Errors of ParseCode.
var (
	ErrCodeIncomplete = errors.New("code incomplete")
	ErrCodeInvalid    = errors.New("code invalid")
)

// ParseCode checks a 9-digit session code as typed: digits, optionally in
// groups of three separated by one space ("123 456 789"). It returns the
// bare digits; ErrCodeIncomplete for a valid beginning of a code (the
// field is still being typed) and ErrCodeInvalid for anything else.
func ParseCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	var digits strings.Builder
	group := 0 // digits in the current group
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if digits.Len() == CodeLength {
				return "", ErrCodeInvalid
			}
			digits.WriteRune(r)
			group++
			if group > 3 && strings.ContainsRune(s, ' ') {
				return "", ErrCodeInvalid
			}
		case r == ' ':
			// A space may only end a complete group of three.
			if group != 3 || i+1 < len(s) && s[i+1] == ' ' {
				return "", ErrCodeInvalid
			}
			group = 0
		default:
			return "", ErrCodeInvalid
		}
	}
	if digits.Len() < CodeLength {
		return digits.String(), ErrCodeIncomplete
	}
	return digits.String(), nil
}
