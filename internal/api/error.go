package api

// Error is the body of every error response and of WebSocket "error"
// messages. Code is one of the desk error codes (invalid, unauthorized,
// forbidden, not_found, conflict, gone, too_large, rate_limited, internal);
// Message is meant for people.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }
