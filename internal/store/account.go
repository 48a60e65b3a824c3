package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/tetherdesk/tether/internal/desk"
)

var accountColumns = `a.id, a.email, a.name, a.role, a.grant_rights, a.revoke_rights, a.availability,
	a.disabled, a.created_at, ` + accountGroups.selectExpr("a")

func scanAccount(sc scanner, extra ...any) (*desk.Account, error) {
	var (
		a       desk.Account
		created int64
		groups  sql.NullString
	)
	dest := append([]any{&a.ID, &a.Email, &a.Name, &a.Role, &a.Grant, &a.Revoke, &a.Availability,
		&a.Disabled, &created, &groups}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	a.CreatedAt = fromUnixNano(created)
	ids, err := parseIDs(groups)
	if err != nil {
		return nil, err
	}
	a.GroupIDs = ids
	return &a, nil
}

// CreateAccount inserts a, setting its ID, and its CreatedAt unless set.
func (t *tx) CreateAccount(a *desk.Account, passwordHash string) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now()
	}
	a.CreatedAt = utc(a.CreatedAt)
	res, err := t.exec(`INSERT INTO accounts (email, name, password_hash, role, grant_rights, revoke_rights,
		availability, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Email, a.Name, passwordHash, a.Role, a.Grant, a.Revoke, a.Availability, a.Disabled, unixNano(a.CreatedAt))
	if isUnique(err) {
		return desk.Errorf(desk.ECONFLICT, "an account with that email already exists")
	}
	if err != nil {
		return fmt.Errorf("store: create account: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("store: create account: %w", err)
	}
	if err := accountGroups.set(t, id, a.GroupIDs); err != nil {
		return err
	}
	a.ID = id
	return nil
}

// Account returns the account with the given ID.
func (t *tx) Account(id int64) (*desk.Account, error) {
	a, err := scanAccount(t.queryRow("SELECT "+accountColumns+" FROM accounts a WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, desk.Errorf(desk.ENOTFOUND, "account %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: account %d: %w", id, err)
	}
	return a, nil
}

// AccountByEmail returns the account with the given e-mail address, in
// any case, and its password hash.
func (t *tx) AccountByEmail(email string) (*desk.Account, string, error) {
	var hash string
	a, err := scanAccount(t.queryRow("SELECT "+accountColumns+", a.password_hash FROM accounts a WHERE a.email = ?",
		desk.NormalizeEmail(email)), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		// The address is not repeated: it may be what a stranger typed.
		return nil, "", desk.Errorf(desk.ENOTFOUND, "no account with that email")
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: account by email: %w", err)
	}
	return a, hash, nil
}

// UpdateAccount stores every field of a but the password and CreatedAt,
// which never changes.
func (t *tx) UpdateAccount(a *desk.Account) error {
	res, err := t.exec(`UPDATE accounts SET email = ?, name = ?, role = ?, grant_rights = ?, revoke_rights = ?,
		availability = ?, disabled = ? WHERE id = ?`,
		a.Email, a.Name, a.Role, a.Grant, a.Revoke, a.Availability, a.Disabled, a.ID)
	if isUnique(err) {
		return desk.Errorf(desk.ECONFLICT, "an account with that email already exists")
	}
	if err != nil {
		return fmt.Errorf("store: update account %d: %w", a.ID, err)
	}
	if err := affected(res, func() error { return desk.Errorf(desk.ENOTFOUND, "account %d not found", a.ID) }); err != nil {
		return err
	}
	return accountGroups.set(t, a.ID, a.GroupIDs)
}

// SetPassword replaces the account's password hash.
func (t *tx) SetPassword(id int64, passwordHash string) error {
	res, err := t.exec("UPDATE accounts SET password_hash = ? WHERE id = ?", passwordHash, id)
	if err != nil {
		return fmt.Errorf("store: set password of account %d: %w", id, err)
	}
	return affected(res, func() error { return desk.Errorf(desk.ENOTFOUND, "account %d not found", id) })
}

// ListAccounts returns every account, by name.
func (t *tx) ListAccounts() ([]*desk.Account, error) {
	rows, err := t.query("SELECT " + accountColumns + " FROM accounts a ORDER BY a.name COLLATE NOCASE, a.id")
	return collect(rows, err, "list accounts", func(sc scanner) (*desk.Account, error) { return scanAccount(sc) })
}

// CountAccounts returns the number of accounts (0 before first setup).
func (t *tx) CountAccounts() (int, error) {
	var n int
	if err := t.queryRow("SELECT COUNT(*) FROM accounts").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count accounts: %w", err)
	}
	return n, nil
}
