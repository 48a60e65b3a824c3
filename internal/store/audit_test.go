package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tetherdesk/tether/internal/desk"
)

// appendAudit appends n records, one transaction each, to exercise the
// chain across commits.
func appendAudit(t *testing.T, db *DB, n int) []*desk.AuditRecord {
	t.Helper()
	var out []*desk.AuditRecord
	for i := range n {
		r := &desk.AuditRecord{At: ts(i), ActorKind: desk.ActorTechnician, ActorID: int64(i%3 + 1),
			ActorName: fmt.Sprintf("tech %d", i%3+1), Action: []string{"take", "close", "login"}[i%3],
			SessionID: int64(i%2 + 1), ChannelID: int64(i%4 + 1), Target: "session", Detail: fmt.Sprintf("step %d", i)}
		mustUpdate(t, db, func(tx desk.Tx) error { return tx.AppendAudit(r) })
		out = append(out, r)
	}
	return out
}

// verify walks the whole log through desk.AuditVerifier.
func verify(db *DB) (int64, error) {
	var v desk.AuditVerifier
	err := db.View(context.Background(), func(tx desk.Tx) error { return tx.WalkAudit(v.Check) })
	n, _ := v.Verified()
	return n, err
}

func TestAuditChainVerifies(t *testing.T) {
	db := openTest(t)
	recs := appendAudit(t, db, 7)
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.Hash == "" || (i > 0 && r.PrevHash != recs[i-1].Hash) {
			t.Fatalf("record %d not chained: %+v", i, r)
		}
	}
	n, err := verify(db)
	if err != nil || n != 7 {
		t.Fatalf("verify: %d records, %v", n, err)
	}
	mustView(t, db, func(tx desk.Tx) error {
		got, err := tx.ListAudit(desk.AuditFilter{})
		if err != nil {
			return err
		}
		wantEqual(t, "ListAudit", got, recs)
		return nil
	})
}

func TestAuditIsAppendOnly(t *testing.T) {
	db := openTest(t)
	appendAudit(t, db, 2)
	for _, q := range []string{"UPDATE audit SET detail = 'x' WHERE seq = 1", "DELETE FROM audit WHERE seq = 2"} {
		if _, err := db.write.Exec(q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
}

func TestAuditTamperingDetected(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper []string
	}{
		{"detail changed", []string{"UPDATE audit SET detail = 'nothing happened' WHERE seq = 3"}},
		{"time changed", []string{"UPDATE audit SET at = at + 1 WHERE seq = 2"}},
		{"row deleted", []string{"DELETE FROM audit WHERE seq = 3"}},
		{"last row deleted and renumbered", []string{"DELETE FROM audit WHERE seq = 2", "UPDATE audit SET seq = seq - 1 WHERE seq > 2"}},
		{"rows swapped", []string{
			"UPDATE audit SET seq = -1 WHERE seq = 2", "UPDATE audit SET seq = 2 WHERE seq = 3", "UPDATE audit SET seq = 3 WHERE seq = -1"}},
		{"rehashed without chain", []string{"UPDATE audit SET detail = 'x', hash = 'abc' WHERE seq = 4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			appendAudit(t, db, 5)
			// Someone with the file can drop the guards; the chain still tells.
			for _, q := range append([]string{"DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete"}, tc.tamper...) {
				if _, err := db.write.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			_, err := verify(db)
			wantCode(t, err, desk.ECONFLICT)
			var de *desk.Error
			if !errors.As(err, &de) {
				t.Fatalf("not a desk error: %v", err)
			}
			t.Log(de.Message)
		})
	}
}

func TestListAuditFilter(t *testing.T) {
	db := openTest(t)
	recs := appendAudit(t, db, 12)
	seqs := func(match func(*desk.AuditRecord) bool) []int64 {
		var out []int64
		for _, r := range recs {
			if match(r) {
				out = append(out, r.Seq)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    desk.AuditFilter
		want []int64
	}{
		{"all", desk.AuditFilter{}, seqs(func(*desk.AuditRecord) bool { return true })},
		{"session", desk.AuditFilter{SessionID: 2}, seqs(func(r *desk.AuditRecord) bool { return r.SessionID == 2 })},
		{"channels", desk.AuditFilter{ChannelIDs: []int64{1, 3}}, seqs(func(r *desk.AuditRecord) bool { return r.ChannelID == 1 || r.ChannelID == 3 })},
		{"actor", desk.AuditFilter{ActorID: 2}, seqs(func(r *desk.AuditRecord) bool { return r.ActorID == 2 })},
		{"action", desk.AuditFilter{Action: "close"}, seqs(func(r *desk.AuditRecord) bool { return r.Action == "close" })},
		{"from to", desk.AuditFilter{From: ts(3), To: ts(6)}, []int64{4, 5, 6}},
		{"after seq", desk.AuditFilter{AfterSeq: 10}, []int64{11, 12}},
		{"limit", desk.AuditFilter{AfterSeq: 2, Limit: 3}, []int64{3, 4, 5}},
		{"combined", desk.AuditFilter{SessionID: 1, Action: "take"}, seqs(func(r *desk.AuditRecord) bool { return r.SessionID == 1 && r.Action == "take" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustView(t, db, func(tx desk.Tx) error {
				list, err := tx.ListAudit(tc.f)
				if err != nil {
					return err
				}
				var got []int64
				for _, r := range list {
					got = append(got, r.Seq)
				}
				wantEqual(t, "seqs", got, tc.want)
				return nil
			})
		})
	}
	if got := clampLimit(0, DefaultAuditLimit, MaxAuditLimit); got != 500 {
		t.Errorf("default audit limit %d", got)
	}
	if got := clampLimit(1e6, DefaultAuditLimit, MaxAuditLimit); got != 10000 {
		t.Errorf("max audit limit %d", got)
	}
}

func TestWalkAuditStopsOnError(t *testing.T) {
	db := openTest(t)
	appendAudit(t, db, 3)
	stop := errors.New("stop")
	n := 0
	err := db.View(t.Context(), func(tx desk.Tx) error {
		return tx.WalkAudit(func(*desk.AuditRecord) error {
			n++
			return stop
		})
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("WalkAudit: %d calls, %v", n, err)
	}
}
