package store

import (
	"fmt"

	"github.com/tetherdesk/tether/internal/desk"
)

// idList is a join table that stores an ordered list of IDs for an owner
// row: an account's groups, a channel's technicians, a session's
// collaborators.
type idList struct {
	table string // join table
	owner string // column referring to the owner row
	item  string // column holding the listed ID
	noun  string // what an item is, for error messages
}

var (
	accountGroups        = idList{"account_groups", "account_id", "group_id", "group"}
	channelGroups        = idList{"channel_groups", "channel_id", "group_id", "group"}
	channelTechnicians   = idList{"channel_technicians", "channel_id", "account_id", "account"}
	channelManagers      = idList{"channel_managers", "channel_id", "account_id", "account"}
	sessionCollaborators = idList{"session_collaborators", "session_id", "account_id", "account"}
)

// selectExpr is a scalar subquery returning the owner's IDs in order as
// "1,2,3", or NULL; alias is the owner table's alias in the outer query.
func (l idList) selectExpr(alias string) string {
	return fmt.Sprintf("(SELECT group_concat(%s, ',' ORDER BY pos) FROM %s WHERE %s = %s.id)", l.item, l.table, l.owner, alias)
}

// set replaces the owner's list with ids. Items are inserted one by one so
// a foreign key violation names the ID that does not exist.
func (l idList) set(t *tx, owner int64, ids []int64) error {
	if _, err := t.exec("DELETE FROM "+l.table+" WHERE "+l.owner+" = ?", owner); err != nil {
		return fmt.Errorf("store: clear %s: %w", l.table, err)
	}
	for i, id := range uniqueIDs(ids) {
		_, err := t.exec("INSERT INTO "+l.table+" ("+l.owner+", "+l.item+", pos) VALUES (?, ?, ?)", owner, id, i)
		if isForeignKey(err) {
			return desk.Errorf(desk.EINVALID, "%s %d does not exist", l.noun, id)
		}
		if err != nil {
			return fmt.Errorf("store: insert into %s: %w", l.table, err)
		}
	}
	return nil
}
