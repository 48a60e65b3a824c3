package apiclient

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error codes of the broker (the desk error codes), in Error.Code.
const (
	CodeInvalid      = "invalid"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeNotFound     = "not_found"
	CodeConflict     = "conflict"
	CodeGone         = "gone"
	CodeTooLarge     = "too_large"
	CodeRateLimited  = "rate_limited"
	CodeInternal     = "internal"
	// CodeUnavailable is sent by a broker that is shutting down.
	CodeUnavailable = "unavailable"
)

// Sentinel errors.
var (
	// ErrUnreachable wraps every failure to reach the broker (DNS, refused
	// or reset connections, TLS, timeouts not caused by the caller's ctx).
	ErrUnreachable = errors.New("broker unreachable")
	// ErrClosed is returned by Events and SignalChannel methods after Close.
	ErrClosed = errors.New("apiclient: closed")
	// ErrResponseTooLarge is returned when a response body exceeds the
	// client's limit.
	ErrResponseTooLarge = errors.New("apiclient: response body too large")
)

// Error is an error answered by the broker: the HTTP status and the
// broker's {"code","message"} body. RetryAfter is the Retry-After header
// (rate_limited answers), 0 when absent.
type Error struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("broker: %s (%d): %s", e.Code, e.Status, msg)
}

// IsCode reports whether err is (or wraps) an *Error with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// IsUnreachable reports whether err means the broker could not be
// reached: a network failure, or a gateway answering 502, 503 or 504 in
// front of a broker that is down.
func IsUnreachable(err error) bool {
	if errors.Is(err, ErrUnreachable) {
		return true
	}
	var e *Error
	if errors.As(err, &e) {
		switch e.Status {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
	}
	return false
}

// unreachable wraps a transport error.
func unreachable(err error) error {
	return fmt.Errorf("%w: %w", ErrUnreachable, err)
}

// codeOfStatus is the desk code of an error status, for bodies that carry
// none (a proxy's HTML page, an empty body).
func codeOfStatus(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType:
		return CodeInvalid
	case http.StatusUnauthorized:
		return CodeUnauthorized
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusConflict:
		return CodeConflict
	case http.StatusGone:
		return CodeGone
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case http.StatusTooManyRequests:
		return CodeRateLimited
	case http.StatusServiceUnavailable:
		return CodeUnavailable
	}
	return CodeInternal
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(min(n, 24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
