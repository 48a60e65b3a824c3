package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/tetherdesk/tether/internal/desk"
)

// CreateConsent inserts c, setting its ID, and its RequestedAt unless set.
func (t *tx) CreateConsent(c *desk.Consent) error {
	if c.RequestedAt.IsZero() {
		c.RequestedAt = now()
	}
	c.RequestedAt, c.AnsweredAt = utc(c.RequestedAt), utc(c.AnsweredAt)
	res, err := t.exec(`INSERT INTO consents (session_id, technician_id, technician, mode, answer, requested_at,
		answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, c.SessionID, nullID(c.TechnicianID), c.Technician, c.Mode,
		c.Answer, unixNano(c.RequestedAt), unixNano(c.AnsweredAt))
	if isForeignKey(err) {
		return t.badRef(err, ref{"sessions", "session", c.SessionID}, ref{"accounts", "account", c.TechnicianID})
	}
	if err != nil {
		return fmt.Errorf("store: create consent: %w", err)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create consent: %w", err)
	}
	return nil
}

// Consent returns the consent request with the given ID.
func (t *tx) Consent(id int64) (*desk.Consent, error) {
	var (
		c                   desk.Consent
		requested, answered int64
	)
	err := t.queryRow(`SELECT id, session_id, COALESCE(technician_id, 0), technician, mode, answer, requested_at,
		answered_at FROM consents WHERE id = ?`, id).Scan(&c.ID, &c.SessionID, &c.TechnicianID, &c.Technician,
		&c.Mode, &c.Answer, &requested, &answered)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, desk.Errorf(desk.ENOTFOUND, "consent request %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: consent %d: %w", id, err)
	}
	c.RequestedAt, c.AnsweredAt = fromUnixNano(requested), fromUnixNano(answered)
	return &c, nil
}

// UpdateConsent stores the answer to a consent request. The request itself
// (session, technician, mode, time) never changes.
func (t *tx) UpdateConsent(c *desk.Consent) error {
	c.AnsweredAt = utc(c.AnsweredAt)
	res, err := t.exec("UPDATE consents SET answer = ?, answered_at = ? WHERE id = ?",
		c.Answer, unixNano(c.AnsweredAt), c.ID)
	if err != nil {
		return fmt.Errorf("store: update consent %d: %w", c.ID, err)
	}
	return affected(res, func() error { return desk.Errorf(desk.ENOTFOUND, "consent request %d not found", c.ID) })
}
