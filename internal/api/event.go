package api

import (
	"encoding/json"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// Message types on the events WebSocket (GET /api/v1/events).
//
// Server to client: every desk event type ("session.created",
// "session.updated", "session.deleted", "chat.message", "consent.requested",
// "consent.answered", "invitation", "rating.submitted", "channel.changed",
// "account.changed") with its Seq, and TypeReady, TypeSignal, TypePong,
// TypeError. Client to server: TypeSignal, TypeResume, TypePing.
const (
	// TypeReady follows the catch-up: Data is a Ready; every event up to
	// its LastSeq the client may see was sent before it.
	TypeReady = "ready"
	// TypeSignal carries opaque WebRTC signaling between a session's agent
	// and its technicians, relayed verbatim and never stored.
	TypeSignal = "signal"
	// TypeResume asks for every event after Seq again (catch-up on a live
	// connection); it is answered by the events and a TypeReady.
	TypeResume = "resume"
	TypePing   = "ping"
	TypePong   = "pong"
	// TypeError reports a refused client message; Data is an Error.
	TypeError = "error"
)

// Signal senders, in Envelope.From.
const (
	FromAgent      = "agent"
	FromTechnician = "technician"
)

// MaxSignalBytes is the largest signaling payload (the "data" of a signal
// message) the broker relays.
const MaxSignalBytes = 64 << 10

// Envelope is every WebSocket message, in both directions. Events carry
// Seq (resume with ?since=Seq or a resume message); signals carry From
// ("agent" or "technician") and, for technicians, FromID. An agent serving
// several technicians (collaborators) addresses each signal with To, a
// technician's account id: the broker delivers it to that technician only
// and keeps To in what it relays. Without To an agent's signal goes to
// every connected technician of the session.
type Envelope struct {
	Type      string          `json:"type"`
	Seq       int64           `json:"seq,omitempty"`
	SessionID int64           `json:"session_id,omitempty"`
	ChannelID int64           `json:"channel_id,omitempty"`
	At        *time.Time      `json:"at,omitempty"`
	From      string          `json:"from,omitempty"`
	FromID    int64           `json:"from_id,omitempty"`
	To        int64           `json:"to,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// Ready is the data of a TypeReady message.
type Ready struct {
	ProtocolVersion int   `json:"protocol_version"`
	LastSeq         int64 `json:"last_seq"`
}

// EventData returns the data of an event as a technician receives it:
// a Session for session.* and invitation, a Message, Consent, Rating,
// Channel or Account for the other types.
func EventData(e *desk.Event, n Namer) any {
	switch {
	case e.Message != nil:
		return FromMessage(e.Message)
	case e.Consent != nil:
		return FromConsent(e.Consent)
	case e.Rating != nil:
		return FromRating(e.Rating)
	case e.Channel != nil:
		c := FromChannel(e.Channel)
		// A deleted channel's event carries only its id and name.
		c.Deleted = e.Channel.Expiration == 0
		return c
	case e.Account != nil:
		return FromAccount(e.Account)
	case e.Session != nil:
		return FromSession(e.Session, n)
	}
	return struct{}{}
}

// AgentEventData returns the data of an event as the session's agent
// receives it: an AgentSession for session.*, a Message or a Consent.
func AgentEventData(e *desk.Event, n Namer, org string) any {
	switch {
	case e.Message != nil:
		return FromMessage(e.Message)
	case e.Consent != nil:
		return FromConsent(e.Consent)
	case e.Session != nil:
		v := &desk.AgentView{Session: e.Session, ChannelName: channelName(n, e.Session.ChannelID), TechnicianName: accountName(n, e.Session.AssigneeID)}
		return FromAgentView(v, org)
	}
	return struct{}{}
}

// NewEventEnvelope wraps event data in an envelope.
func NewEventEnvelope(e *desk.Event, data any) (Envelope, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Envelope{}, err
	}
	at := e.At.UTC()
	return Envelope{Type: string(e.Type), Seq: e.Seq, SessionID: e.SessionID, ChannelID: e.ChannelID, At: &at, Data: raw}, nil
}
