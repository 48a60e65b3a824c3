package desk

import "time"

// MaxMessageLength is the longest chat message in characters.
const MaxMessageLength = 4000

// Message is one chat message between the end user and the session's
// technicians. Chat logs never expire.
type Message struct {
	ID        int64
	SessionID int64
	At        time.Time
	// FromKind is ActorTechnician or ActorAgent; FromID the technician's account.
	FromKind ActorKind
	FromID   int64
	FromName string
	Text     string
	// Attachment is set when the message carries a file.
	Attachment *Attachment
}

// Validate checks the text a client sent.
func (m *Message) Validate() error {
	if m.Attachment != nil {
		return validText("text", m.Text, 0, MaxMessageLength)
	}
	return validText("text", m.Text, 1, MaxMessageLength)
}
