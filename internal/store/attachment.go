package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/tetherdesk/tether/internal/desk"
)

// CreateAttachment inserts a, setting its ID, and its At unless set. The
// content is stored separately in Blobs under a.Key.
func (t *tx) CreateAttachment(a *desk.Attachment) error {
	if a.At.IsZero() {
		a.At = now()
	}
	a.At = utc(a.At)
	res, err := t.exec(`INSERT INTO attachments (session_id, name, size, content_type, key, sha256, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, a.SessionID, a.Name, a.Size, a.ContentType, a.Key, a.SHA256, unixNano(a.At))
	switch {
	case isUnique(err):
		return desk.Errorf(desk.ECONFLICT, "an attachment with that key already exists")
	case isForeignKey(err):
		return desk.Errorf(desk.EINVALID, "session %d does not exist", a.SessionID)
	case err != nil:
		return fmt.Errorf("store: create attachment: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create attachment: %w", err)
	}
	return nil
}

// Attachment returns the attachment with the given ID.
func (t *tx) Attachment(id int64) (*desk.Attachment, error) {
	var (
		a  desk.Attachment
		at int64
	)
	err := t.queryRow(`SELECT id, session_id, name, size, content_type, key, sha256, at FROM attachments
		WHERE id = ?`, id).Scan(&a.ID, &a.SessionID, &a.Name, &a.Size, &a.ContentType, &a.Key, &a.SHA256, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, desk.Errorf(desk.ENOTFOUND, "attachment %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: attachment %d: %w", id, err)
	}
	a.At = fromUnixNano(at)
	return &a, nil
}
