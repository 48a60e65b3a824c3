package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestOpenTwiceKeepsSchemaAndData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tether.db")
	db := openPath(t, path)
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v != len(ms) || v < 1 {
		t.Fatalf("schema version = %d, want %d", v, len(ms))
	}
	f := newFixture(t, db)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	db2 := openPath(t, path)
	var rows int
	if err := db2.read.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) {
		t.Fatalf("schema_migrations has %d rows after reopen, want %d", rows, len(ms))
	}
	mustView(t, db2, func(tx desk.Tx) error {
		a, err := tx.Account(f.tech.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "account after reopen", a, f.tech)
		return nil
	})
}

func TestOpenSetsPragmas(t *testing.T) {
	db := openTest(t)
	for _, p := range []struct {
		pool *sql.DB
		name string
		want string
	}{
		{db.write, "journal_mode", "wal"},
		{db.write, "foreign_keys", "1"},
		{db.write, "synchronous", "1"},
		{db.write, "busy_timeout", "5000"},
		{db.write, "wal_autocheckpoint", "0"},
		{db.read, "foreign_keys", "1"},
		{db.read, "query_only", "1"},
		{db.read, "busy_timeout", "5000"},
	} {
		var got string
		if err := p.pool.QueryRow("PRAGMA " + p.name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != p.want {
			t.Errorf("PRAGMA %s = %q, want %q", p.name, got, p.want)
		}
	}
}

func TestOpenRejectsNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tether.db")
	db := openPath(t, path)
	if _, err := db.write.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db2, err := Open(context.Background(), path, nil); err == nil {
		db2.Close()
		t.Fatal("Open of a database from a newer version succeeded")
	}
}

func TestUpdateRollsBackOnError(t *testing.T) {
	db := openTest(t)
	boom := errors.New("boom")
	err := db.Update(context.Background(), func(tx desk.Tx) error {
		a := &desk.Account{Email: "x@example.com", Name: "X", Role: desk.RoleTechnician, Availability: desk.Away}
		if err := tx.CreateAccount(a, "h"); err != nil {
			return err
		}
		if err := tx.AppendAudit(&desk.AuditRecord{Action: "account_created", ActorKind: desk.ActorSystem}); err != nil {
			return err
		}
		if err := tx.AppendEvent(&desk.Event{Type: desk.EventAccountChanged, Account: a}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v, want boom", err)
	}
	// A failing domain call mid-transaction rolls back as well.
	err = db.Update(context.Background(), func(tx desk.Tx) error {
		if err := tx.AppendAudit(&desk.AuditRecord{Action: "x", ActorKind: desk.ActorSystem}); err != nil {
			return err
		}
		_, err := tx.Session(42)
		return err
	})
	wantCode(t, err, desk.ENOTFOUND)
	// A panic rolls back and leaves the write connection usable.
	func() {
		defer func() { recover() }()
		db.Update(context.Background(), func(tx desk.Tx) error {
			tx.AppendEvent(&desk.Event{Type: desk.EventSessionCreated})
			panic("boom")
		})
	}()
	mustView(t, db, func(tx desk.Tx) error {
		n, err := tx.CountAccounts()
		if err != nil {
			return err
		}
		seq, err := tx.LastEventSeq()
		if err != nil {
			return err
		}
		audit, err := tx.ListAudit(desk.AuditFilter{})
		if err != nil {
			return err
		}
		if n != 0 || seq != 0 || len(audit) != 0 {
			t.Errorf("after rollback: %d accounts, last event %d, %d audit records; want none", n, seq, len(audit))
		}
		return nil
	})
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.AppendEvent(&desk.Event{Type: desk.EventSessionCreated}) })
}

func TestViewIsReadOnly(t *testing.T) {
	db := openTest(t)
	err := db.View(context.Background(), func(tx desk.Tx) error {
		return tx.CreateGroup(&desk.Group{Name: "nope"})
	})
	if err == nil {
		t.Fatal("CreateGroup in View succeeded")
	}
}

func TestDatabaseFilesArePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tether.db")
	db := openPath(t, path)
	newFixture(t, db) // makes SQLite create the -wal and -shm files
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want no group or other access", filepath.Base(p), st.Mode().Perm())
		}
	}
}

func TestUpdateAfterCloseFails(t *testing.T) {
	db := openTest(t)
	db.Close()
	if err := db.Update(context.Background(), func(desk.Tx) error { return nil }); err == nil {
		t.Fatal("Update after Close succeeded")
	}
}

// TestCheckpointerCopiesWAL: commits land in the WAL (the writer never
// checkpoints), and the checkpointer copies them into the database file
// within a few of its intervals.
func TestCheckpointerCopiesWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tether.db")
	db := openPath(t, path)
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if _, err := db.write.Exec("CREATE TABLE scratch (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	before := size()
	const rows, rowBytes = 64, 32 << 10 // 2 MiB, under SQLite's automatic threshold
	for i := 0; i < rows; i++ {
		if _, err := db.write.Exec("INSERT INTO scratch VALUES (randomblob(?))", rowBytes); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5*checkpointEvery + 2*time.Second)
	for size() < before+rows*rowBytes {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes (%d before the writes): the WAL was not checkpointed", size(), before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
