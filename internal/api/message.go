package api

import (
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// Message is a chat message. From is "technician" or "agent".
type Message struct {
	ID         int64       `json:"id"`
	SessionID  int64       `json:"session_id"`
	At         time.Time   `json:"at"`
	From       string      `json:"from"`
	FromID     int64       `json:"from_id,omitempty"`
	FromName   string      `json:"from_name"`
	Text       string      `json:"text"`
	Attachment *Attachment `json:"attachment,omitempty"`
}

// Attachment is a file sent in a chat. Download it from /files/{id}
// (technicians) or /agent/files/{id} (the agent).
type Attachment struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type,omitempty"`
	SHA256      string    `json:"sha256"`
	At          time.Time `json:"at"`
}

// FromMessage converts a desk message.
func FromMessage(m *desk.Message) Message {
	out := Message{ID: m.ID, SessionID: m.SessionID, At: m.At.UTC(), From: m.FromKind.String(),
		FromID: m.FromID, FromName: m.FromName, Text: m.Text}
	if a := m.Attachment; a != nil {
		out.Attachment = &Attachment{ID: a.ID, Name: a.Name, Size: a.Size, ContentType: a.ContentType, SHA256: a.SHA256, At: a.At.UTC()}
	}
	return out
}

// FromMessages converts a list of messages.
func FromMessages(list []*desk.Message) []Message {
	out := make([]Message, 0, len(list))
	for _, m := range list {
		out = append(out, FromMessage(m))
	}
	return out
}

// PostMessageRequest is the body of POST .../messages.
type PostMessageRequest struct {
	Text string `json:"text"`
}
