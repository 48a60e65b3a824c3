package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// Event list limits.
const (
	DefaultEventLimit = 1000
	MaxEventLimit     = 10000
)

// eventPayload is the stored JSON of an event's object. The desk types are
// encoded as they are: events are short-lived catch-up data, replayed by the
// same program version that wrote them in all but an upgrade's first
// minutes.
type eventPayload struct {
	Session *desk.Session `json:"session,omitempty"`
	Message *desk.Message `json:"message,omitempty"`
	Consent *desk.Consent `json:"consent,omitempty"`
	Rating  *desk.Rating  `json:"rating,omitempty"`
	Channel *desk.Channel `json:"channel,omitempty"`
	Account *desk.Account `json:"account,omitempty"`
}

// AppendEvent numbers e one after the last event and stores it. Seq has no
// gaps: a rolled-back transaction's numbers are reused by the next.
func (t *tx) AppendEvent(e *desk.Event) error {
	last, err := t.LastEventSeq()
	if err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = now()
	}
	e.At = utc(e.At)
	payload, err := json.Marshal(eventPayload{e.Session, e.Message, e.Consent, e.Rating, e.Channel, e.Account})
	if err != nil {
		return fmt.Errorf("store: append event: %w", err)
	}
	_, err = t.exec(`INSERT INTO events (seq, type, at, session_id, channel_id, account_id, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, last+1, string(e.Type), unixNano(e.At), e.SessionID, e.ChannelID, e.AccountID,
		string(payload))
	if err != nil {
		return fmt.Errorf("store: append event: %w", err)
	}
	e.Seq = last + 1
	return nil
}

// EventsSince returns the events after seq in order, at most limit
// (default DefaultEventLimit, at most MaxEventLimit).
func (t *tx) EventsSince(seq int64, limit int) ([]*desk.Event, error) {
	rows, err := t.query(`SELECT seq, type, at, session_id, channel_id, account_id, payload FROM events
		WHERE seq > ? ORDER BY seq LIMIT ?`, seq, clampLimit(limit, DefaultEventLimit, MaxEventLimit))
	return collect(rows, err, "events", scanEvent)
}

// SessionEventsSince returns one session's events after seq, oldest first.
func (t *tx) SessionEventsSince(sessionID, seq int64, limit int) ([]*desk.Event, error) {
	rows, err := t.query(`SELECT seq, type, at, session_id, channel_id, account_id, payload FROM events
		WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`, sessionID, seq, clampLimit(limit, DefaultEventLimit, MaxEventLimit))
	return collect(rows, err, "events", scanEvent)
}

func scanEvent(sc scanner) (*desk.Event, error) {
	var (
		e       desk.Event
		typ     string
		at      int64
		payload string
		p       eventPayload
	)
	if err := sc.Scan(&e.Seq, &typ, &at, &e.SessionID, &e.ChannelID, &e.AccountID, &payload); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return nil, fmt.Errorf("event %d payload: %w", e.Seq, err)
	}
	e.Type, e.At = desk.EventType(typ), fromUnixNano(at)
	e.Session, e.Message, e.Consent, e.Rating, e.Channel, e.Account = p.Session, p.Message, p.Consent, p.Rating, p.Channel, p.Account
	return &e, nil
}

// DeleteEventsBefore deletes at most limit of the oldest events stored
// before t, never the newest one (AppendEvent numbers from it), and
// returns how many. Events are stored in time order, so the oldest come
// first in seq order and the scan stops early.
func (t *tx) DeleteEventsBefore(before time.Time, limit int) (int64, error) {
	if limit <= 0 {
		return 0, nil
	}
	res, err := t.exec(`DELETE FROM events WHERE seq IN (
		SELECT seq FROM events WHERE at < ? AND seq < (SELECT MAX(seq) FROM events) ORDER BY seq LIMIT ?)`,
		unixNano(utc(before)), limit)
	if err != nil {
		return 0, fmt.Errorf("store: delete events: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete events: %w", err)
	}
	return n, nil
}

// LastEventSeq returns the newest event's Seq, 0 when there is none.
func (t *tx) LastEventSeq() (int64, error) {
	var seq int64
	err := t.queryRow("SELECT seq FROM events ORDER BY seq DESC LIMIT 1").Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: last event seq: %w", err)
	}
	return seq, nil
}
