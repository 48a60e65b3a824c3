package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// CreateToken stores a token by its hash.
func (t *tx) CreateToken(tk *desk.Token) error {
	if tk.Hash == "" {
		return desk.Errorf(desk.EINVALID, "token hash is required")
	}
	if tk.CreatedAt.IsZero() {
		tk.CreatedAt = now()
	}
	tk.CreatedAt, tk.ExpiresAt = utc(tk.CreatedAt), utc(tk.ExpiresAt)
	_, err := t.exec(`INSERT INTO tokens (hash, kind, account_id, session_id, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, tk.Hash, tk.Kind, nullID(tk.AccountID), nullID(tk.SessionID),
		unixNano(tk.CreatedAt), unixNano(tk.ExpiresAt))
	switch {
	case isUnique(err):
		return desk.Errorf(desk.ECONFLICT, "token already exists")
	case isForeignKey(err):
		return t.badRef(err, ref{"accounts", "account", tk.AccountID}, ref{"sessions", "session", tk.SessionID})
	case err != nil:
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// TokenByHash returns the token with the given hash, expired or not: the
// caller decides with its own clock.
func (t *tx) TokenByHash(hash string) (*desk.Token, error) {
	var (
		tk               desk.Token
		created, expires int64
	)
	err := t.queryRow(`SELECT hash, kind, COALESCE(account_id, 0), COALESCE(session_id, 0), created_at, expires_at
		FROM tokens WHERE hash = ?`, hash).Scan(&tk.Hash, &tk.Kind, &tk.AccountID, &tk.SessionID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		// Never echo the hash: it identifies a credential.
		return nil, desk.Errorf(desk.ENOTFOUND, "token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("store: token: %w", err)
	}
	tk.CreatedAt, tk.ExpiresAt = fromUnixNano(created), fromUnixNano(expires)
	return &tk, nil
}

// DeleteToken deletes one token; ENOTFOUND if there is none.
func (t *tx) DeleteToken(hash string) error {
	res, err := t.exec("DELETE FROM tokens WHERE hash = ?", hash)
	if err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	return affected(res, func() error { return desk.Errorf(desk.ENOTFOUND, "token not found") })
}

// DeleteSessionTokens deletes the agent tokens of a session, if any.
func (t *tx) DeleteSessionTokens(sessionID int64) error {
	if _, err := t.exec("DELETE FROM tokens WHERE session_id = ?", sessionID); err != nil {
		return fmt.Errorf("store: delete tokens of session %d: %w", sessionID, err)
	}
	return nil
}

// DeleteExpiredTokens deletes the tokens whose ExpiresAt is at or before
// now, including any stored without an expiry, and returns how many.
func (t *tx) DeleteExpiredTokens(now time.Time) (int, error) {
	res, err := t.exec("DELETE FROM tokens WHERE expires_at <= ?", unixNano(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired tokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete expired tokens: %w", err)
	}
	return int(n), nil
}
