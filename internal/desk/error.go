package desk

import (
	"errors"
	"fmt"
)

// Error codes. Adapters map them to transport status codes in one table.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	ETOOLARGE     = "too_large"
	ERATELIMITED  = "rate_limited"
	EGONE         = "gone"
	EINTERNAL     = "internal"
)

// Error is a domain error whose message is safe to show to the client.
//
// Message is the English text, what logs and Error show. Format and Args
// are what Errorf made it from: adapters that speak the client's language
// look Format up in a catalogue (keyed by the English format string) and
// format the translation with the same Args. An Error built without
// Errorf has no Format and is shown in English.
type Error struct {
	Code    string
	Message string
	Format  string
	Args    []any
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and formatted message. The
// format should be a string literal: translation catalogues are checked
// against the literals in the code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the client-safe message of err; internal details are
// never exposed.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "internal error"
	}
}
