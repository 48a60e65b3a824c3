package store

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tetherdesk/tether/internal/desk"
)

var sessionColumns = `s.id, COALESCE(s.channel_id, 0), s.kind, s.state, s.end_user_name, s.problem, s.device,
	COALESCE(s.created_by, 0), COALESCE(s.assignee_id, 0), ` + sessionCollaborators.selectExpr("s") + `,
	s.created_at, s.agent_joined_at, s.taken_at, s.first_response_at, s.connected_at, s.closed_at, s.deleted_at,
	s.expires_at, COALESCE(s.link_hash, ''), COALESCE(s.code_hash, '')`

func scanSession(sc scanner) (*desk.Session, error) {
	var (
		s                                                             desk.Session
		device                                                        string
		collaborators                                                 sql.NullString
		created, joined, taken, response, connected, closed, del, exp int64
	)
	if err := sc.Scan(&s.ID, &s.ChannelID, &s.Kind, &s.State, &s.EndUserName, &s.Problem, &device,
		&s.CreatedBy, &s.AssigneeID, &collaborators,
		&created, &joined, &taken, &response, &connected, &closed, &del, &exp, &s.LinkHash, &s.CodeHash); err != nil {
		return nil, err
	}
	var err error
	if s.Device, err = decodeDevice(device); err != nil {
		return nil, fmt.Errorf("session %d device: %w", s.ID, err)
	}
	if s.Collaborators, err = parseIDs(collaborators); err != nil {
		return nil, err
	}
	s.CreatedAt = fromUnixNano(created)
	s.AgentJoinedAt = fromUnixNano(joined)
	s.TakenAt = fromUnixNano(taken)
	s.FirstResponseAt = fromUnixNano(response)
	s.ConnectedAt = fromUnixNano(connected)
	s.ClosedAt = fromUnixNano(closed)
	s.DeletedAt = fromUnixNano(del)
	s.ExpiresAt = fromUnixNano(exp)
	return &s, nil
}

// normalizeSessionTimes makes s's times read as they will read back: UTC,
// no monotonic clock reading.
func normalizeSessionTimes(s *desk.Session) {
	s.CreatedAt, s.AgentJoinedAt, s.TakenAt = utc(s.CreatedAt), utc(s.AgentJoinedAt), utc(s.TakenAt)
	s.FirstResponseAt, s.ConnectedAt, s.ClosedAt = utc(s.FirstResponseAt), utc(s.ConnectedAt), utc(s.ClosedAt)
	s.DeletedAt, s.ExpiresAt = utc(s.DeletedAt), utc(s.ExpiresAt)
}

// sessionWriteError turns constraint violations of an insert or update of
// s into domain errors.
func (t *tx) sessionWriteError(err error, s *desk.Session, op string) error {
	switch {
	case isUnique(err) && strings.Contains(err.Error(), "code_hash"):
		return desk.Errorf(desk.ECONFLICT, "that session code is already in use")
	case isUnique(err) && strings.Contains(err.Error(), "link_hash"):
		return desk.Errorf(desk.ECONFLICT, "that support link is already in use")
	case isForeignKey(err):
		return t.badRef(err, ref{"channels", "channel", s.ChannelID}, ref{"accounts", "account", s.CreatedBy},
			ref{"accounts", "account", s.AssigneeID})
	}
	return fmt.Errorf("store: %s session %d: %w", op, s.ID, err)
}

// CreateSession inserts s, setting its ID, and its CreatedAt unless set.
func (t *tx) CreateSession(s *desk.Session) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now()
	}
	normalizeSessionTimes(s)
	device, err := encodeDevice(s.Device)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	res, err := t.exec(`INSERT INTO sessions (channel_id, kind, state, end_user_name, problem, device, created_by,
		assignee_id, created_at, agent_joined_at, taken_at, first_response_at, connected_at, closed_at, deleted_at,
		expires_at, link_hash, code_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(s.ChannelID), s.Kind, s.State, s.EndUserName, s.Problem, device, nullID(s.CreatedBy),
		nullID(s.AssigneeID), unixNano(s.CreatedAt), unixNano(s.AgentJoinedAt), unixNano(s.TakenAt),
		unixNano(s.FirstResponseAt), unixNano(s.ConnectedAt), unixNano(s.ClosedAt), unixNano(s.DeletedAt),
		unixNano(s.ExpiresAt), nullString(s.LinkHash), nullString(s.CodeHash))
	if err != nil {
		return t.sessionWriteError(err, s, "create")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	if err := sessionCollaborators.set(t, id, s.Collaborators); err != nil {
		return err
	}
	s.ID = id
	return nil
}

func (t *tx) sessionWhere(where string, arg any, notFound func() error) (*desk.Session, error) {
	s, err := scanSession(t.queryRow("SELECT "+sessionColumns+" FROM sessions s WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	return s, nil
}

// Session returns the session with the given ID, deleted or not.
func (t *tx) Session(id int64) (*desk.Session, error) {
	return t.sessionWhere("s.id = ?", id, func() error { return desk.Errorf(desk.ENOTFOUND, "session %d not found", id) })
}

// SessionByLinkHash returns the session of a support link.
func (t *tx) SessionByLinkHash(hash string) (*desk.Session, error) {
	if hash == "" {
		return nil, desk.Errorf(desk.ENOTFOUND, "support link not found")
	}
	return t.sessionWhere("s.link_hash = ?", hash, func() error { return desk.Errorf(desk.ENOTFOUND, "support link not found") })
}

// SessionByCodeHash returns the session of a 9-digit code.
func (t *tx) SessionByCodeHash(hash string) (*desk.Session, error) {
	if hash == "" {
		return nil, desk.Errorf(desk.ENOTFOUND, "session code not found")
	}
	return t.sessionWhere("s.code_hash = ?", hash, func() error { return desk.Errorf(desk.ENOTFOUND, "session code not found") })
}

// UpdateSession stores every field of s but CreatedAt.
func (t *tx) UpdateSession(s *desk.Session) error {
	normalizeSessionTimes(s)
	device, err := encodeDevice(s.Device)
	if err != nil {
		return fmt.Errorf("store: update session %d: %w", s.ID, err)
	}
	res, err := t.exec(`UPDATE sessions SET channel_id = ?, kind = ?, state = ?, end_user_name = ?, problem = ?,
		device = ?, created_by = ?, assignee_id = ?, agent_joined_at = ?, taken_at = ?, first_response_at = ?,
		connected_at = ?, closed_at = ?, deleted_at = ?, expires_at = ?, link_hash = ?, code_hash = ? WHERE id = ?`,
		nullID(s.ChannelID), s.Kind, s.State, s.EndUserName, s.Problem, device, nullID(s.CreatedBy),
		nullID(s.AssigneeID), unixNano(s.AgentJoinedAt), unixNano(s.TakenAt), unixNano(s.FirstResponseAt),
		unixNano(s.ConnectedAt), unixNano(s.ClosedAt), unixNano(s.DeletedAt), unixNano(s.ExpiresAt),
		nullString(s.LinkHash), nullString(s.CodeHash), s.ID)
	if err != nil {
		return t.sessionWriteError(err, s, "update")
	}
	if err := affected(res, func() error { return desk.Errorf(desk.ENOTFOUND, "session %d not found", s.ID) }); err != nil {
		return err
	}
	return sessionCollaborators.set(t, s.ID, s.Collaborators)
}

// DefaultSessionLimit is how many sessions ListSessions returns when the
// filter sets no limit. A larger limit is honoured as given: reports ask
// for every session of a period and must not be silently truncated.
const DefaultSessionLimit = 1000

// sessionSortSQL maps desk.SessionSorts to ORDER BY expressions and the
// join each needs. Names sort case-insensitively; a session without a
// channel or assignee sorts before those with one. "wait" orders by how
// long the session has existed, longest first: ascending wait is ascending
// CreatedAt, so the oldest open request heads a queue sorted by "wait".
var sessionSortSQL = map[string]struct{ expr, join string }{
	"created_at":    {"s.created_at", ""},
	"state":         {"s.state", ""},
	"end_user_name": {"s.end_user_name COLLATE NOCASE", ""},
	"channel":       {"ch.name COLLATE NOCASE", "LEFT JOIN channels ch ON ch.id = s.channel_id"},
	"assignee":      {"asg.name COLLATE NOCASE", "LEFT JOIN accounts asg ON asg.id = s.assignee_id"},
	"wait":          {"s.created_at", ""},
}

// ListSessions returns the sessions f selects, never deleted ones, sorted
// by f.Sort (by ID, that is creation order, when empty; ties by ID in the
// same direction) and at most f.Limit (default DefaultSessionLimit).
// CountSessionsByState counts the sessions not deleted, by state.
func (t *tx) CountSessionsByState() (map[desk.State]int, error) {
	rows, err := t.query(`SELECT state, COUNT(*) FROM sessions WHERE deleted_at = 0 GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count sessions: %w", err)
	}
	defer rows.Close()
	out := map[desk.State]int{}
	for rows.Next() {
		var st desk.State
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count sessions: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

func (t *tx) ListSessions(f desk.SessionFilter) ([]*desk.Session, error) {
	var (
		where = []string{"s.deleted_at = 0"}
		args  []any
	)
	in := func(col string, n int) string { return col + " IN (" + placeholders(n) + ")" }
	if len(f.IDs) > 0 {
		where = append(where, in("s.id", len(f.IDs)))
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if len(f.ChannelIDs) > 0 {
		where = append(where, in("s.channel_id", len(f.ChannelIDs)))
		for _, id := range f.ChannelIDs {
			args = append(args, id)
		}
	}
	if len(f.States) > 0 {
		where = append(where, in("s.state", len(f.States)))
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if f.AssigneeID != 0 {
		where = append(where, "s.assignee_id = ?")
		args = append(args, f.AssigneeID)
	}
	if f.Participant != 0 {
		where = append(where, `(s.assignee_id = ? OR EXISTS (SELECT 1 FROM session_collaborators sc
			WHERE sc.session_id = s.id AND sc.account_id = ?))`)
		args = append(args, f.Participant, f.Participant)
	}
	if !f.ExpiresBefore.IsZero() {
		where = append(where, "s.state IN (?, ?) AND s.expires_at <> 0 AND s.expires_at < ?")
		args = append(args, desk.Waiting, desk.Queued, unixNano(f.ExpiresBefore))
	}
	if !f.CreatedFrom.IsZero() {
		where = append(where, "s.created_at >= ?")
		args = append(args, unixNano(f.CreatedFrom))
	}
	if !f.CreatedTo.IsZero() {
		where = append(where, "s.created_at < ?")
		args = append(args, unixNano(f.CreatedTo))
	}

	order, join := "s.id", ""
	if f.Sort != "" {
		name, desc := strings.CutPrefix(f.Sort, "-")
		so, ok := sessionSortSQL[name]
		if !ok || !slices.Contains(desk.SessionSorts, name) {
			return nil, desk.Errorf(desk.EINVALID, "cannot sort sessions by %q (want one of %s, optionally prefixed with -)",
				f.Sort, strings.Join(desk.SessionSorts, ", "))
		}
		dir := " ASC"
		if desc {
			dir = " DESC"
		}
		order, join = so.expr+dir+", s.id"+dir, so.join
	}
	args = append(args, clampLimit(f.Limit, DefaultSessionLimit, math.MaxInt))
	q := "SELECT " + sessionColumns + " FROM sessions s " + join + " WHERE " + strings.Join(where, " AND ") +
		" ORDER BY " + order + " LIMIT ?"
	rows, err := t.query(q, args...)
	return collect(rows, err, "list sessions", scanSession)
}
