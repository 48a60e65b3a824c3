package store

import (
	"fmt"
	"sync"
	"testing"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestEventsRoundTrip(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	s := fullSession(f)
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.CreateSession(s) })
	evs := []*desk.Event{
		{Type: desk.EventSessionCreated, At: ts(1), SessionID: s.ID, ChannelID: s.ChannelID, Session: s},
		{Type: desk.EventChatMessage, At: ts(2), SessionID: s.ID, ChannelID: s.ChannelID,
			Message: &desk.Message{ID: 3, SessionID: s.ID, At: ts(2), FromKind: desk.ActorAgent, Text: "hi",
				Attachment: &desk.Attachment{ID: 1, Name: "a.png", Size: 3, Key: "k", At: ts(2)}}},
		{Type: desk.EventConsentRequested, At: ts(3), SessionID: s.ID, Consent: &desk.Consent{ID: 1, SessionID: s.ID, Mode: desk.ConsentControl, RequestedAt: ts(3)}},
		{Type: desk.EventRatingSubmitted, At: ts(4), SessionID: s.ID, Rating: &desk.Rating{SessionID: s.ID, Stars: 2, Flagged: true, At: ts(4)}},
		{Type: desk.EventChannelChanged, At: ts(5), ChannelID: f.channel.ID, Channel: f.channel},
		{Type: desk.EventAccountChanged, At: ts(6), Account: f.tech},
		{Type: desk.EventInvitation, At: ts(7), SessionID: s.ID, AccountID: f.tech2.ID, Session: s},
	}
	mustUpdate(t, db, func(tx desk.Tx) error {
		for _, e := range evs {
			if err := tx.AppendEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, db, func(tx desk.Tx) error {
		got, err := tx.EventsSince(0, 0)
		if err != nil {
			return err
		}
		wantEqual(t, "events", got, evs)
		got, err = tx.EventsSince(5, 1)
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].Seq != 6 {
			t.Errorf("EventsSince(5, 1) = %+v", got)
		}
		last, err := tx.LastEventSeq()
		if err != nil {
			return err
		}
		if last != int64(len(evs)) {
			t.Errorf("LastEventSeq = %d", last)
		}
		return nil
	})
}

// TestEventSeqContiguousUnderConcurrency runs Updates from several
// goroutines; the single writer must hand out every seq exactly once.
func TestEventSeqContiguousUnderConcurrency(t *testing.T) {
	db := openTest(t)
	const workers, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := db.Update(t.Context(), func(tx desk.Tx) error {
					if err := tx.AppendAudit(&desk.AuditRecord{ActorKind: desk.ActorSystem, Action: "tick", ActorID: int64(w)}); err != nil {
						return err
					}
					return tx.AppendEvent(&desk.Event{Type: desk.EventSessionUpdated, SessionID: int64(w*100 + i)})
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	// Readers run beside the writers: WAL lets them.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			if err := db.View(t.Context(), func(tx desk.Tx) error { _, err := tx.EventsSince(0, 0); return err }); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	mustView(t, db, func(tx desk.Tx) error {
		evs, err := tx.EventsSince(0, 0)
		if err != nil {
			return err
		}
		if len(evs) != workers*each {
			t.Fatalf("%d events, want %d", len(evs), workers*each)
		}
		for i, e := range evs {
			if e.Seq != int64(i+1) {
				t.Fatalf("event %d has seq %d", i, e.Seq)
			}
		}
		return nil
	})
	if n, err := verify(db); err != nil || n != workers*each {
		t.Fatalf("audit after concurrent appends: %d verified, %v", n, err)
	}
}

func TestSessionEventsSince(t *testing.T) {
	db := openTest(t)
	mustUpdate(t, db, func(tx desk.Tx) error {
		for i, sid := range []int64{1, 2, 1, 0, 1, 2} {
			if err := tx.AppendEvent(&desk.Event{Type: desk.EventChatMessage, At: ts(i), SessionID: sid}); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		session, after int64
		limit          int
		want           []int64
	}{
		{1, 0, 0, []int64{1, 3, 5}},
		{2, 0, 0, []int64{2, 6}},
		{1, 3, 0, []int64{5}},
		{1, 0, 2, []int64{1, 3}},
		{9, 0, 0, nil},
	}
	for _, tt := range tests {
		mustView(t, db, func(tx desk.Tx) error {
			got, err := tx.SessionEventsSince(tt.session, tt.after, tt.limit)
			if err != nil {
				return err
			}
			var seqs []int64
			for _, e := range got {
				if e.SessionID != tt.session {
					t.Errorf("session %d: got an event of session %d", tt.session, e.SessionID)
				}
				seqs = append(seqs, e.Seq)
			}
			if fmt.Sprint(seqs) != fmt.Sprint(tt.want) {
				t.Errorf("SessionEventsSince(%d, %d, %d) = %v, want %v", tt.session, tt.after, tt.limit, seqs, tt.want)
			}
			return nil
		})
	}
}

func TestDeleteEventsBefore(t *testing.T) {
	db := openTest(t)
	mustUpdate(t, db, func(tx desk.Tx) error {
		for i := 1; i <= 6; i++ {
			if err := tx.AppendEvent(&desk.Event{Type: desk.EventChannelChanged, At: ts(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	seqs := func() (out []int64) {
		mustView(t, db, func(tx desk.Tx) error {
			evs, err := tx.EventsSince(0, 0)
			for _, e := range evs {
				out = append(out, e.Seq)
			}
			return err
		})
		return out
	}
	for _, step := range []struct {
		before  int
		limit   int
		deleted int64
		left    string
	}{
		{before: 1, limit: 10, deleted: 0, left: "[1 2 3 4 5 6]"}, // nothing older than ts(1)
		{before: 4, limit: 2, deleted: 2, left: "[3 4 5 6]"},      // the limit holds
		{before: 4, limit: 10, deleted: 1, left: "[4 5 6]"},       // only older than ts(4)
		{before: 99, limit: 0, deleted: 0, left: "[4 5 6]"},       // no limit, no work
		{before: 99, limit: 10, deleted: 2, left: "[6]"},          // the newest stays
		{before: 99, limit: 10, deleted: 0, left: "[6]"},
	} {
		var n int64
		mustUpdate(t, db, func(tx desk.Tx) error {
			var err error
			n, err = tx.DeleteEventsBefore(ts(step.before), step.limit)
			return err
		})
		if got := fmt.Sprint(seqs()); n != step.deleted || got != step.left {
			t.Errorf("DeleteEventsBefore(ts(%d), %d) = %d, left %s; want %d, left %s", step.before, step.limit, n, got, step.deleted, step.left)
		}
	}
	// Numbering continues after the kept newest event.
	e := &desk.Event{Type: desk.EventChannelChanged, At: ts(100)}
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.AppendEvent(e) })
	if e.Seq != 7 {
		t.Errorf("next event seq %d, want 7", e.Seq)
	}
}
