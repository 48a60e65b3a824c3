// Package apiclient is the Go client of the Tether broker, shared by the
// technician app and the end user's SOS agent: one method per HTTP API
// operation (typed with the internal/api wire types), errors rebuilt from
// the broker's error bodies, and a reconnecting events WebSocket that also
// carries the WebRTC signaling of a session.
//
// A Client is safe for concurrent use. Its bearer token is set by Login and
// by the agent's JoinLink, RequestCode and SubmitSOS, or with SetToken.
//
// Errors: a response with an error status is an *Error (IsCode tests its
// code); a broker that cannot be reached gives an error for which
// IsUnreachable is true, so the UI can say "broker unreachable" instead of
// showing a failure of the operation itself.
//
// The client never logs tokens, passwords or chat text.
package apiclient
