package store

import (
	"testing"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestGroupRoundTripAndDelete(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	mustView(t, db, func(tx desk.Tx) error {
		g, err := tx.Group(f.group.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "Group", g, f.group)
		return nil
	})
	upd := *f.group
	upd.Name, upd.Description = "Tier One", "renamed"
	g2 := &desk.Group{Name: "a first"}
	mustUpdate(t, db, func(tx desk.Tx) error {
		if err := tx.CreateGroup(g2); err != nil {
			return err
		}
		return tx.UpdateGroup(&upd)
	})
	mustView(t, db, func(tx desk.Tx) error {
		list, err := tx.ListGroups()
		if err != nil {
			return err
		}
		wantEqual(t, "ListGroups", list, []*desk.Group{g2, &upd})
		return nil
	})

	// Deleting a group removes it from accounts and channels.
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.DeleteGroup(f.group.ID) })
	mustView(t, db, func(tx desk.Tx) error {
		a, err := tx.Account(f.tech.ID)
		if err != nil {
			return err
		}
		c, err := tx.Channel(f.channel.ID)
		if err != nil {
			return err
		}
		if len(a.GroupIDs) != 0 || len(c.GroupIDs) != 0 {
			t.Errorf("deleted group still listed: account %v, channel %v", a.GroupIDs, c.GroupIDs)
		}
		_, err = tx.Group(f.group.ID)
		wantCode(t, err, desk.ENOTFOUND)
		return nil
	})
}

func TestGroupErrors(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	for _, tc := range []struct {
		name string
		fn   func(desk.Tx) error
		code string
	}{
		{"duplicate name", func(tx desk.Tx) error { return tx.CreateGroup(&desk.Group{Name: "TIER 1"}) }, desk.ECONFLICT},
		{"rename to taken", func(tx desk.Tx) error {
			g := &desk.Group{Name: "other"}
			if err := tx.CreateGroup(g); err != nil {
				return err
			}
			g.Name = f.group.Name
			return tx.UpdateGroup(g)
		}, desk.ECONFLICT},
		{"missing", func(tx desk.Tx) error { _, err := tx.Group(999); return err }, desk.ENOTFOUND},
		{"update missing", func(tx desk.Tx) error { return tx.UpdateGroup(&desk.Group{ID: 999, Name: "x"}) }, desk.ENOTFOUND},
		{"delete missing", func(tx desk.Tx) error { return tx.DeleteGroup(999) }, desk.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, db.Update(t.Context(), tc.fn), tc.code) })
	}
}
