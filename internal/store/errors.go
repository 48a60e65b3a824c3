package store

import (
	"errors"

	"github.com/tetherdesk/tether/internal/desk"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteCode returns the extended SQLite result code of err, 0 if err does
// not come from SQLite.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

func isCheck(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_CHECK
}

// ref is a row a statement refers to, named for an error message.
type ref struct {
	table string // "accounts", "channels", ...
	noun  string // "account", "channel", ...
	id    int64
}

// badRef explains a foreign key violation: SQLite does not say which
// reference failed, so each candidate is looked up after the fact (the
// failed statement was rolled back on its own; the transaction goes on).
// It returns err unchanged when err is not a foreign key violation.
func (t *tx) badRef(err error, refs ...ref) error {
	if !isForeignKey(err) {
		return err
	}
	for _, r := range refs {
		if r.id == 0 {
			continue
		}
		var one int
		// table is one of our constants, never client input.
		switch e := t.queryRow("SELECT 1 FROM "+r.table+" WHERE id = ?", r.id).Scan(&one); {
		case errors.Is(e, errNoRows):
			return desk.Errorf(desk.EINVALID, "%s %d does not exist", r.noun, r.id)
		case e != nil:
			return errors.Join(err, e)
		}
	}
	return desk.Errorf(desk.EINVALID, "a referenced record does not exist")
}
