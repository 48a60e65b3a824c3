package store

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var errNoRows = sql.ErrNoRows

// unixNano stores t as unix nanoseconds; the zero time is 0. Instants
// outside 1678–2262 do not fit and are not used by Tether.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromUnixNano is the inverse of unixNano, in UTC.
func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// utc returns t in UTC without its monotonic reading, as it reads back.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// now is the creation time the store fills in when the caller left it zero.
func now() time.Time { return time.Now().UTC() }

// nullID stores an unset reference (0) as NULL so foreign keys skip it.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullString stores "" as NULL so partial UNIQUE indexes skip it.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// parseIDs parses the comma-separated IDs group_concat returns; NULL (no
// rows) is a nil slice.
func parseIDs(s sql.NullString) ([]int64, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	parts := strings.Split(s.String, ",")
	ids := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("store: bad id list %q: %w", s.String, err)
		}
		ids[i] = id
	}
	return ids, nil
}

// uniqueIDs drops zeros and repeated IDs, keeping the first occurrence, so
// a join table's primary key never rejects a harmless repeat.
func uniqueIDs(ids []int64) []int64 {
	var out []int64
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// placeholders returns "?,?,?" for n arguments.
func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// clampLimit applies a default to a zero or negative limit and caps it.
func clampLimit(limit, def, max int) int {
	switch {
	case limit <= 0:
		return def
	case limit > max:
		return max
	}
	return limit
}
