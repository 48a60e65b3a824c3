// Package apiclient is the Go client of the Tether broker, shared by the
// technician app and the end user's SOS agent: one method per HTTP API
// operation (typed with the internal/api wire types), errors rebuilt from
// the broker's error bodies, and a reconnecting events WebSocket that also
// carries the WebRTC signaling of a session.
//
// A Client is safe for concurrent use. Its bearer token is set by Login and
// by the agent's JoinLink, RequestCode and SubmitSOS, or with SetToken;
// Logout forgets it.
//
// Errors: a response with an error status is an *Error (IsCode tests its
// code, RetryAfter says how long a rate_limited caller should wait); a
// broker that cannot be reached gives an error for which IsUnreachable is
// true, so the UI can say "broker unreachable" instead of showing a failure
// of the operation itself. A cancelled ctx gives the ctx's error.
//
// Events: Connect keeps one WebSocket to the broker open, reconnecting with
// a jittered backoff, and delivers every event once and in order, also
// across broker restarts. Its callbacks run on one goroutine of the client:
// Fyne code hands the work to the UI thread with fyne.Do.
//
// Signaling: Events.Signals(sessionID) is a session's signal pipe. The
// apps adapt it to rtc.Signaler (this package does not import internal/rtc,
// which needs cgo):
//
//	type signaler struct{ sc *apiclient.SignalChannel }
//
//	func (s signaler) Send(ctx context.Context, sig rtc.Signal) error {
//		b, err := json.Marshal(sig)
//		if err != nil {
//			return err
//		}
//		return s.sc.Send(ctx, b)
//	}
//
//	func (s signaler) Recv(ctx context.Context) (rtc.Signal, error) {
//		var sig rtc.Signal
//		b, err := s.sc.Recv(ctx)
//		if err != nil {
//			return sig, err
//		}
//		return sig, json.Unmarshal(b, &sig)
//	}
//
// The broker relays signals only while the session is active, only between
// its agent and its technicians, and only to those connected at that
// moment: it never stores them.
//
// The client never logs tokens, passwords or chat text.
package apiclient
