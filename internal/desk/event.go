package desk

import "time"

// EventType names a live update sent to connected clients.
type EventType string

const (
	EventSessionCreated   EventType = "session.created"
	EventSessionUpdated   EventType = "session.updated"
	EventSessionDeleted   EventType = "session.deleted"
	EventChatMessage      EventType = "chat.message"
	EventConsentRequested EventType = "consent.requested"
	EventConsentAnswered  EventType = "consent.answered"
	EventInvitation       EventType = "invitation"
	EventRatingSubmitted  EventType = "rating.submitted"
	EventChannelChanged   EventType = "channel.changed"
	EventAccountChanged   EventType = "account.changed"
)

// Event is a persisted live update. Seq increases by one per event so a
// reconnecting client catches up with every event after the last it saw.
// Exactly the field matching Type is set; Session carries the session as it
// is after the change, so visibility can be decided from the event alone.
type Event struct {
	Seq       int64
	Type      EventType
	At        time.Time
	SessionID int64
	ChannelID int64
	// AccountID addresses the event to one technician (an invitation) in
	// addition to those who can see the session.
	AccountID int64
	// Also lists technicians who receive the event although they may no
	// longer see the session (the previous assignee after a transfer), so
	// their lists drop it.
	Also []int64

	Session *Session
	Message *Message
	Consent *Consent
	Rating  *Rating
	Channel *Channel
	Account *Account
}

// ForAgent reports whether the end user's agent of the event's session
// receives it. Agents see their session's state, chat and consent requests,
// never technicians' internal events.
func (e *Event) ForAgent() bool {
	switch e.Type {
	case EventSessionUpdated, EventSessionDeleted, EventChatMessage, EventConsentRequested:
		return true
	}
	return false
}

// VisibleTo reports whether a technician receives the event.
func (e *Event) VisibleTo(a *Account, ch *Channel) bool {
	if a == nil || a.Disabled {
		return false
	}
	switch {
	case e.AccountID != 0 && e.AccountID == a.ID, contains(e.Also, a.ID):
		return true
	case e.Type == EventChannelChanged:
		return e.Channel != nil && CanSeeChannel(a, e.Channel) || CanManageChannels(a)
	case e.Type == EventAccountChanged:
		return e.Account != nil && e.Account.ID == a.ID || CanManageAccounts(a)
	case e.Session != nil:
		return CanSee(a, e.Session, ch)
	}
	return false
}
