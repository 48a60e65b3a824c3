package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tetherdesk/tether/internal/desk"
)

// Audit list limits.
const (
	DefaultAuditLimit = 500
	MaxAuditLimit     = 10000
)

const auditColumns = `seq, at, actor_kind, actor_id, actor_name, action, session_id, channel_id, target, detail,
	prev_hash, hash`

func scanAudit(sc scanner) (*desk.AuditRecord, error) {
	var (
		r  desk.AuditRecord
		at int64
	)
	if err := sc.Scan(&r.Seq, &at, &r.ActorKind, &r.ActorID, &r.ActorName, &r.Action, &r.SessionID, &r.ChannelID,
		&r.Target, &r.Detail, &r.PrevHash, &r.Hash); err != nil {
		return nil, err
	}
	r.At = fromUnixNano(at)
	return &r, nil
}

// AppendAudit numbers r after the last record, chains it to that record's
// hash and stores it. The write transaction is the only writer, so reading
// the last record and inserting the next cannot interleave with another
// append.
func (t *tx) AppendAudit(r *desk.AuditRecord) error {
	var (
		last     int64
		lastHash string
	)
	err := t.queryRow("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").Scan(&last, &lastHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: append audit: %w", err)
	}
	if r.At.IsZero() {
		r.At = now()
	}
	// The hash covers At in nanoseconds; UTC makes r equal to what reads back.
	r.At = utc(r.At)
	r.Seq = last + 1
	r.Chain(lastHash)
	_, err = t.exec("INSERT INTO audit ("+auditColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.Seq, unixNano(r.At), r.ActorKind, r.ActorID, r.ActorName, r.Action, r.SessionID, r.ChannelID,
		r.Target, r.Detail, r.PrevHash, r.Hash)
	if err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	return nil
}

// ListAudit returns the records f selects in Seq order, at most f.Limit
// (default DefaultAuditLimit, at most MaxAuditLimit). From is inclusive,
// To exclusive.
func (t *tx) ListAudit(f desk.AuditFilter) ([]*desk.AuditRecord, error) {
	var (
		where = []string{"1"}
		args  []any
	)
	if f.SessionID != 0 {
		where = append(where, "session_id = ?")
		args = append(args, f.SessionID)
	}
	if len(f.ChannelIDs) > 0 {
		where = append(where, "channel_id IN ("+placeholders(len(f.ChannelIDs))+")")
		for _, id := range f.ChannelIDs {
			args = append(args, id)
		}
	}
	if f.ActorID != 0 {
		where = append(where, "actor_id = ?")
		args = append(args, f.ActorID)
	}
	if f.Action != "" {
		where = append(where, "action = ?")
		args = append(args, f.Action)
	}
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, unixNano(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, unixNano(f.To))
	}
	if f.AfterSeq != 0 {
		where = append(where, "seq > ?")
		args = append(args, f.AfterSeq)
	}
	args = append(args, clampLimit(f.Limit, DefaultAuditLimit, MaxAuditLimit))
	rows, err := t.query("SELECT "+auditColumns+" FROM audit WHERE "+strings.Join(where, " AND ")+
		" ORDER BY seq LIMIT ?", args...)
	return collect(rows, err, "list audit", scanAudit)
}

// WalkAudit streams every record to fn in Seq order without holding the
// log in memory; an error from fn stops the walk and is returned.
func (t *tx) WalkAudit(fn func(*desk.AuditRecord) error) error {
	rows, err := t.query("SELECT " + auditColumns + " FROM audit ORDER BY seq")
	if err != nil {
		return fmt.Errorf("store: walk audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return fmt.Errorf("store: walk audit: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: walk audit: %w", err)
	}
	return nil
}
