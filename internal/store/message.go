package store

import (
	"database/sql"
	"fmt"

	"github.com/tetherdesk/tether/internal/desk"
)

// Message list limits.
const (
	DefaultMessageLimit = 1000
	MaxMessageLimit     = 10000
)

// CreateMessage inserts m, setting its ID, and its At unless set. Only the
// attachment's ID is stored with the message; the attachment must already
// exist and belong to the same session (a composite foreign key), so a
// message cannot expose another session's file.
func (t *tx) CreateMessage(m *desk.Message) error {
	if m.At.IsZero() {
		m.At = now()
	}
	m.At = utc(m.At)
	var attachmentID int64
	if m.Attachment != nil {
		attachmentID = m.Attachment.ID
	}
	res, err := t.exec(`INSERT INTO messages (session_id, at, from_kind, from_id, from_name, text, attachment_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.SessionID, unixNano(m.At), m.FromKind, nullID(m.FromID), m.FromName, m.Text,
		nullID(attachmentID))
	if isForeignKey(err) {
		err = t.badRef(err, ref{"sessions", "session", m.SessionID}, ref{"accounts", "account", m.FromID},
			ref{"attachments", "attachment", attachmentID})
		if desk.ErrorCode(err) == desk.EINVALID && desk.ErrorMessage(err) == "a referenced record does not exist" {
			// Everything exists, so the attachment is another session's.
			err = desk.Errorf(desk.EINVALID, "attachment %d does not belong to session %d", attachmentID, m.SessionID)
		}
		return err
	}
	if err != nil {
		return fmt.Errorf("store: create message: %w", err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create message: %w", err)
	}
	return nil
}

// ListMessages returns a session's messages with ID above afterID, oldest
// first, at most limit (default DefaultMessageLimit, at most
// MaxMessageLimit), each with its attachment.
func (t *tx) ListMessages(sessionID, afterID int64, limit int) ([]*desk.Message, error) {
	rows, err := t.query(`SELECT m.id, m.session_id, m.at, m.from_kind, COALESCE(m.from_id, 0), m.from_name, m.text,
			a.id, a.session_id, a.name, a.size, a.content_type, a.key, a.sha256, a.at
		FROM messages m LEFT JOIN attachments a ON a.id = m.attachment_id
		WHERE m.session_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`,
		sessionID, afterID, clampLimit(limit, DefaultMessageLimit, MaxMessageLimit))
	return collect(rows, err, "list messages", func(sc scanner) (*desk.Message, error) {
		var (
			m                        desk.Message
			at                       int64
			aID, aSession, aSize     sql.NullInt64
			aAt                      sql.NullInt64
			aName, aType, aKey, aSum sql.NullString
		)
		if err := sc.Scan(&m.ID, &m.SessionID, &at, &m.FromKind, &m.FromID, &m.FromName, &m.Text,
			&aID, &aSession, &aName, &aSize, &aType, &aKey, &aSum, &aAt); err != nil {
			return nil, err
		}
		m.At = fromUnixNano(at)
		if aID.Valid {
			m.Attachment = &desk.Attachment{ID: aID.Int64, SessionID: aSession.Int64, Name: aName.String,
				Size: aSize.Int64, ContentType: aType.String, Key: aKey.String, SHA256: aSum.String,
				At: fromUnixNano(aAt.Int64)}
		}
		return &m, nil
	})
}
