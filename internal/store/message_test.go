package store

import (
	"testing"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestMessagesAndAttachments(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	s := fullSession(f)
	other := &desk.Session{ChannelID: f.channel.ID, Kind: desk.KindSOS, State: desk.Queued}
	att := &desk.Attachment{Name: "screenshot.png", Size: 1234, ContentType: "image/png",
		Key: "0123abcd", SHA256: "ffee", At: ts(30)}
	otherAtt := &desk.Attachment{Name: "x.txt", Size: 1, Key: "99", At: ts(30)}
	var msgs []*desk.Message
	mustUpdate(t, db, func(tx desk.Tx) error {
		for _, x := range []*desk.Session{s, other} {
			if err := tx.CreateSession(x); err != nil {
				return err
			}
		}
		att.SessionID, otherAtt.SessionID = s.ID, other.ID
		for _, a := range []*desk.Attachment{att, otherAtt} {
			if err := tx.CreateAttachment(a); err != nil {
				return err
			}
		}
		msgs = []*desk.Message{
			{SessionID: s.ID, At: ts(31), FromKind: desk.ActorAgent, FromName: "Erin", Text: "hello\nthere"},
			{SessionID: s.ID, At: ts(32), FromKind: desk.ActorTechnician, FromID: f.tech.ID, FromName: "Bob Tech", Text: "see file", Attachment: att},
			{SessionID: other.ID, At: ts(33), FromKind: desk.ActorAgent, Text: "other session"},
			{SessionID: s.ID, At: ts(34), FromKind: desk.ActorAgent, Text: "thanks"},
		}
		for _, m := range msgs {
			if err := tx.CreateMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, db, func(tx desk.Tx) error {
		got, err := tx.Attachment(att.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "Attachment", got, att)
		list, err := tx.ListMessages(s.ID, 0, 0)
		if err != nil {
			return err
		}
		wantEqual(t, "ListMessages", list, []*desk.Message{msgs[0], msgs[1], msgs[3]})
		list, err = tx.ListMessages(s.ID, msgs[0].ID, 1)
		if err != nil {
			return err
		}
		wantEqual(t, "ListMessages after first, limit 1", list, []*desk.Message{msgs[1]})
		return nil
	})

	for _, tc := range []struct {
		name string
		fn   func(desk.Tx) error
		code string
		msg  string
	}{
		{"attachment missing", func(tx desk.Tx) error { _, err := tx.Attachment(999); return err }, desk.ENOTFOUND, "attachment 999 not found"},
		{"attachment of missing session", func(tx desk.Tx) error {
			return tx.CreateAttachment(&desk.Attachment{SessionID: 999, Name: "a", Key: "k2"})
		}, desk.EINVALID, "session 999 does not exist"},
		{"attachment key reused", func(tx desk.Tx) error {
			return tx.CreateAttachment(&desk.Attachment{SessionID: s.ID, Name: "a", Key: att.Key})
		}, desk.ECONFLICT, ""},
		{"message in missing session", func(tx desk.Tx) error {
			return tx.CreateMessage(&desk.Message{SessionID: 999, FromKind: desk.ActorAgent, Text: "x"})
		}, desk.EINVALID, "session 999 does not exist"},
		{"message from missing account", func(tx desk.Tx) error {
			return tx.CreateMessage(&desk.Message{SessionID: s.ID, FromKind: desk.ActorTechnician, FromID: 999, Text: "x"})
		}, desk.EINVALID, "account 999 does not exist"},
		{"message with missing attachment", func(tx desk.Tx) error {
			return tx.CreateMessage(&desk.Message{SessionID: s.ID, Attachment: &desk.Attachment{ID: 999}})
		}, desk.EINVALID, "attachment 999 does not exist"},
		{"message with another session's attachment", func(tx desk.Tx) error {
			return tx.CreateMessage(&desk.Message{SessionID: s.ID, Attachment: otherAtt})
		}, desk.EINVALID, "attachment 2 does not belong to session 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.Update(t.Context(), tc.fn)
			wantCode(t, err, tc.code)
			if got := desk.ErrorMessage(err); tc.msg != "" && got != tc.msg {
				t.Errorf("message = %q, want %q", got, tc.msg)
			}
		})
	}
}
