package store

import (
	"testing"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestConsents(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	s := fullSession(f)
	c := &desk.Consent{TechnicianID: f.tech.ID, Technician: "Bob Tech", Mode: desk.ConsentControl, RequestedAt: ts(40)}
	mustUpdate(t, db, func(tx desk.Tx) error {
		if err := tx.CreateSession(s); err != nil {
			return err
		}
		c.SessionID = s.ID
		return tx.CreateConsent(c)
	})
	mustView(t, db, func(tx desk.Tx) error {
		got, err := tx.Consent(c.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "Consent", got, c)
		return nil
	})
	c.Answer, c.AnsweredAt = desk.AnswerAllowView, ts(41)
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.UpdateConsent(c) })
	mustView(t, db, func(tx desk.Tx) error {
		got, err := tx.Consent(c.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "answered Consent", got, c)
		return nil
	})
	for _, tc := range []struct {
		name string
		fn   func(desk.Tx) error
		code string
	}{
		{"missing", func(tx desk.Tx) error { _, err := tx.Consent(999); return err }, desk.ENOTFOUND},
		{"update missing", func(tx desk.Tx) error { return tx.UpdateConsent(&desk.Consent{ID: 999}) }, desk.ENOTFOUND},
		{"missing session", func(tx desk.Tx) error {
			return tx.CreateConsent(&desk.Consent{SessionID: 999, Mode: desk.ConsentView})
		}, desk.EINVALID},
		{"missing technician", func(tx desk.Tx) error {
			return tx.CreateConsent(&desk.Consent{SessionID: s.ID, TechnicianID: 999, Mode: desk.ConsentView})
		}, desk.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, db.Update(t.Context(), tc.fn), tc.code) })
	}
}
