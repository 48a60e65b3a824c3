package store

import (
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestAccountRoundTrip(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	g2 := &desk.Group{Name: "Tier 2"}
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.CreateGroup(g2) })

	a := &desk.Account{
		Email: "carol@example.com", Name: "Carol", Role: desk.RoleChannelManager,
		Grant: desk.Rights(desk.RightDelete), Revoke: desk.Rights(desk.RightInvite | desk.RightTake),
		GroupIDs: []int64{g2.ID, f.group.ID, g2.ID, 0}, Availability: desk.Busy, Disabled: true,
	}
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.CreateAccount(a, "argon2id$secret") })
	if a.ID == 0 || a.CreatedAt.IsZero() || a.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreateAccount did not set ID and a UTC CreatedAt: %+v", a)
	}
	want := *a
	want.GroupIDs = []int64{g2.ID, f.group.ID} // order kept, repeats and 0 dropped

	mustView(t, db, func(tx desk.Tx) error {
		got, err := tx.Account(a.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "Account", got, &want)
		got, hash, err := tx.AccountByEmail("  CAROL@Example.com ")
		if err != nil {
			return err
		}
		wantEqual(t, "AccountByEmail", got, &want)
		if hash != "argon2id$secret" {
			t.Errorf("password hash = %q", hash)
		}
		n, err := tx.CountAccounts()
		if err != nil {
			return err
		}
		if n != 4 {
			t.Errorf("CountAccounts = %d, want 4", n)
		}
		list, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		var names []string
		for _, x := range list {
			names = append(names, x.Name)
		}
		wantEqual(t, "ListAccounts names", names, []string{"alice Tech", "Bob Tech", "Carol", "Olga Owner"})
		return nil
	})

	upd := want
	upd.Email, upd.Name, upd.Role = "carol2@example.com", "Carol Two", desk.RoleTechManager
	upd.Grant, upd.Revoke, upd.GroupIDs = 0, desk.Rights(desk.RightSeeOthers), nil
	upd.Availability, upd.Disabled = desk.Available, false
	mustUpdate(t, db, func(tx desk.Tx) error {
		if err := tx.UpdateAccount(&upd); err != nil {
			return err
		}
		return tx.SetPassword(a.ID, "new-hash")
	})
	mustView(t, db, func(tx desk.Tx) error {
		got, hash, err := tx.AccountByEmail("carol2@example.com")
		if err != nil {
			return err
		}
		wantEqual(t, "updated account", got, &upd)
		if hash != "new-hash" {
			t.Errorf("hash after SetPassword = %q", hash)
		}
		return nil
	})
}

func TestAccountErrors(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	for _, tc := range []struct {
		name string
		fn   func(desk.Tx) error
		code string
	}{
		{"duplicate email, other case", func(tx desk.Tx) error {
			return tx.CreateAccount(&desk.Account{Email: "TECH@example.com", Name: "x", Role: desk.RoleTechnician}, "h")
		}, desk.ECONFLICT},
		{"update to taken email", func(tx desk.Tx) error {
			a := *f.tech2
			a.Email = f.tech.Email
			return tx.UpdateAccount(&a)
		}, desk.ECONFLICT},
		{"missing group", func(tx desk.Tx) error {
			return tx.CreateAccount(&desk.Account{Email: "n@example.com", Name: "n", Role: desk.RoleTechnician, GroupIDs: []int64{999}}, "h")
		}, desk.EINVALID},
		{"missing account", func(tx desk.Tx) error { _, err := tx.Account(999); return err }, desk.ENOTFOUND},
		{"missing email", func(tx desk.Tx) error { _, _, err := tx.AccountByEmail("nobody@example.com"); return err }, desk.ENOTFOUND},
		{"update missing", func(tx desk.Tx) error { return tx.UpdateAccount(&desk.Account{ID: 999, Email: "z@example.com"}) }, desk.ENOTFOUND},
		{"password of missing", func(tx desk.Tx) error { return tx.SetPassword(999, "h") }, desk.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, db.Update(t.Context(), tc.fn), tc.code)
		})
	}
	err := db.Update(t.Context(), func(tx desk.Tx) error {
		return tx.CreateAccount(&desk.Account{Email: "n@example.com", Name: "n", Role: desk.RoleTechnician, GroupIDs: []int64{999}}, "h")
	})
	if msg := desk.ErrorMessage(err); msg != "group 999 does not exist" {
		t.Errorf("message = %q", msg)
	}
	err = db.Update(t.Context(), func(tx desk.Tx) error {
		return tx.CreateAccount(&desk.Account{Email: "tech@example.com"}, "h")
	})
	if msg := desk.ErrorMessage(err); msg != "an account with that email already exists" {
		t.Errorf("message = %q", msg)
	}
}
