package store

import (
	"testing"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestTokens(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	s := &desk.Session{ChannelID: f.channel.ID, Kind: desk.KindLink, State: desk.Waiting}
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.CreateSession(s) })

	tech := &desk.Token{Hash: desk.HashSecret("t1"), Kind: desk.TokenTechnician, AccountID: f.tech.ID, CreatedAt: ts(0), ExpiresAt: ts(60)}
	agent1 := &desk.Token{Hash: desk.HashSecret("a1"), Kind: desk.TokenAgent, SessionID: s.ID, CreatedAt: ts(1), ExpiresAt: ts(10)}
	agent2 := &desk.Token{Hash: desk.HashSecret("a2"), Kind: desk.TokenAgent, SessionID: s.ID, CreatedAt: ts(2), ExpiresAt: ts(120)}
	mustUpdate(t, db, func(tx desk.Tx) error {
		for _, tk := range []*desk.Token{tech, agent1, agent2} {
			if err := tx.CreateToken(tk); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, db, func(tx desk.Tx) error {
		for _, want := range []*desk.Token{tech, agent1, agent2} {
			got, err := tx.TokenByHash(want.Hash)
			if err != nil {
				return err
			}
			wantEqual(t, "token", got, want)
		}
		return nil
	})

	for _, tc := range []struct {
		name string
		fn   func(desk.Tx) error
		code string
	}{
		{"duplicate", func(tx desk.Tx) error {
			return tx.CreateToken(&desk.Token{Hash: tech.Hash, Kind: desk.TokenTechnician})
		}, desk.ECONFLICT},
		{"no hash", func(tx desk.Tx) error { return tx.CreateToken(&desk.Token{Kind: desk.TokenTechnician}) }, desk.EINVALID},
		{"missing account", func(tx desk.Tx) error {
			return tx.CreateToken(&desk.Token{Hash: "x", Kind: desk.TokenTechnician, AccountID: 999})
		}, desk.EINVALID},
		{"missing session", func(tx desk.Tx) error {
			return tx.CreateToken(&desk.Token{Hash: "y", Kind: desk.TokenAgent, SessionID: 999})
		}, desk.EINVALID},
		{"lookup missing", func(tx desk.Tx) error { _, err := tx.TokenByHash("nope"); return err }, desk.ENOTFOUND},
		{"delete missing", func(tx desk.Tx) error { return tx.DeleteToken("nope") }, desk.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, db.Update(t.Context(), tc.fn), tc.code) })
	}

	mustUpdate(t, db, func(tx desk.Tx) error {
		n, err := tx.DeleteExpiredTokens(ts(10)) // agent1 expires exactly then
		if err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("DeleteExpiredTokens = %d, want 1", n)
		}
		if _, err := tx.TokenByHash(agent1.Hash); desk.ErrorCode(err) != desk.ENOTFOUND {
			t.Errorf("expired token still there: %v", err)
		}
		if err := tx.DeleteSessionTokens(s.ID); err != nil {
			return err
		}
		if _, err := tx.TokenByHash(agent2.Hash); desk.ErrorCode(err) != desk.ENOTFOUND {
			t.Errorf("session token still there: %v", err)
		}
		if err := tx.DeleteToken(tech.Hash); err != nil {
			return err
		}
		_, err = tx.TokenByHash(tech.Hash)
		wantCode(t, err, desk.ENOTFOUND)
		return nil
	})
}
