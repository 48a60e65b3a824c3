package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/tetherdesk/tether/internal/desk"
)

const groupColumns = "g.id, g.name, g.description, g.created_at"

func scanGroup(sc scanner) (*desk.Group, error) {
	var (
		g       desk.Group
		created int64
	)
	if err := sc.Scan(&g.ID, &g.Name, &g.Description, &created); err != nil {
		return nil, err
	}
	g.CreatedAt = fromUnixNano(created)
	return &g, nil
}

// CreateGroup inserts g, setting its ID, and its CreatedAt unless set.
// Group names are unique regardless of case: two "Tier 2" groups could not
// be told apart in a routing list.
func (t *tx) CreateGroup(g *desk.Group) error {
	if g.CreatedAt.IsZero() {
		g.CreatedAt = now()
	}
	g.CreatedAt = utc(g.CreatedAt)
	res, err := t.exec("INSERT INTO groups (name, description, created_at) VALUES (?, ?, ?)",
		g.Name, g.Description, unixNano(g.CreatedAt))
	if isUnique(err) {
		return desk.Errorf(desk.ECONFLICT, "a group named %q already exists", g.Name)
	}
	if err != nil {
		return fmt.Errorf("store: create group: %w", err)
	}
	if g.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create group: %w", err)
	}
	return nil
}

// Group returns the group with the given ID.
func (t *tx) Group(id int64) (*desk.Group, error) {
	g, err := scanGroup(t.queryRow("SELECT "+groupColumns+" FROM groups g WHERE g.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, desk.Errorf(desk.ENOTFOUND, "group %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: group %d: %w", id, err)
	}
	return g, nil
}

// UpdateGroup stores g's name and description.
func (t *tx) UpdateGroup(g *desk.Group) error {
	res, err := t.exec("UPDATE groups SET name = ?, description = ? WHERE id = ?", g.Name, g.Description, g.ID)
	if isUnique(err) {
		return desk.Errorf(desk.ECONFLICT, "a group named %q already exists", g.Name)
	}
	if err != nil {
		return fmt.Errorf("store: update group %d: %w", g.ID, err)
	}
	return affected(res, func() error { return desk.Errorf(desk.ENOTFOUND, "group %d not found", g.ID) })
}

// DeleteGroup deletes the group; the foreign keys' ON DELETE CASCADE
// removes it from accounts and channels.
func (t *tx) DeleteGroup(id int64) error {
	res, err := t.exec("DELETE FROM groups WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete group %d: %w", id, err)
	}
	return affected(res, func() error { return desk.Errorf(desk.ENOTFOUND, "group %d not found", id) })
}

// ListGroups returns every group, by name.
func (t *tx) ListGroups() ([]*desk.Group, error) {
	rows, err := t.query("SELECT " + groupColumns + " FROM groups g ORDER BY g.name COLLATE NOCASE, g.id")
	return collect(rows, err, "list groups", scanGroup)
}
