package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tetherdesk/tether/internal/desk"
)

const ratingColumns = "session_id, COALESCE(channel_id, 0), COALESCE(assignee_id, 0), stars, comment, flagged, at"

func scanRating(sc scanner) (*desk.Rating, error) {
	var (
		r  desk.Rating
		at int64
	)
	if err := sc.Scan(&r.SessionID, &r.ChannelID, &r.AssigneeID, &r.Stars, &r.Comment, &r.Flagged, &at); err != nil {
		return nil, err
	}
	r.At = fromUnixNano(at)
	return &r, nil
}

// CreateRating stores a session's rating, and its At unless set. The
// session ID is the primary key, so a second rating is ECONFLICT.
func (t *tx) CreateRating(r *desk.Rating) error {
	if r.At.IsZero() {
		r.At = now()
	}
	r.At = utc(r.At)
	_, err := t.exec(`INSERT INTO ratings (session_id, channel_id, assignee_id, stars, comment, flagged, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.SessionID, nullID(r.ChannelID), nullID(r.AssigneeID), r.Stars, r.Comment, r.Flagged, unixNano(r.At))
	switch {
	case isUnique(err):
		return desk.Errorf(desk.ECONFLICT, "session %d was already rated", r.SessionID)
	case isCheck(err):
		return desk.Errorf(desk.EINVALID, "stars must be 1 to 5")
	case isForeignKey(err):
		return t.badRef(err, ref{"sessions", "session", r.SessionID}, ref{"channels", "channel", r.ChannelID},
			ref{"accounts", "account", r.AssigneeID})
	case err != nil:
		return fmt.Errorf("store: create rating: %w", err)
	}
	return nil
}

// Rating returns a session's rating.
func (t *tx) Rating(sessionID int64) (*desk.Rating, error) {
	r, err := scanRating(t.queryRow("SELECT "+ratingColumns+" FROM ratings WHERE session_id = ?", sessionID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, desk.Errorf(desk.ENOTFOUND, "session %d has no rating", sessionID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: rating of session %d: %w", sessionID, err)
	}
	return r, nil
}

// ListRatings returns the ratings f selects, oldest first. From is
// inclusive, To exclusive.
func (t *tx) ListRatings(f desk.RatingFilter) ([]*desk.Rating, error) {
	var (
		where = []string{"1"}
		args  []any
	)
	if len(f.ChannelIDs) > 0 {
		where = append(where, "channel_id IN ("+placeholders(len(f.ChannelIDs))+")")
		for _, id := range f.ChannelIDs {
			args = append(args, id)
		}
	}
	if f.AssigneeID != 0 {
		where = append(where, "assignee_id = ?")
		args = append(args, f.AssigneeID)
	}
	if f.FlaggedOnly {
		where = append(where, "flagged <> 0")
	}
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, unixNano(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, unixNano(f.To))
	}
	rows, err := t.query("SELECT "+ratingColumns+" FROM ratings WHERE "+strings.Join(where, " AND ")+
		" ORDER BY at, session_id", args...)
	return collect(rows, err, "list ratings", scanRating)
}
