package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	newFixture(t, db)

	// A writer keeps committing during the backup: the copy must be one
	// consistent snapshot, and the writer must never be refused.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.Update(ctx, func(tx desk.Tx) error {
				return tx.CreateGroup(&desk.Group{Name: fmt.Sprintf("busy %d", i), CreatedAt: ts(i)})
			}); err != nil {
				writeErr = err
				return
			}
		}
	}()
	// A reader holding a snapshot open does not hold the backup up either.
	readHeld := make(chan struct{})
	release := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		db.View(ctx, func(tx desk.Tx) error {
			tx.ListGroups()
			close(readHeld)
			<-release
			return nil
		})
	}()
	<-readHeld

	dir := t.TempDir()
	path := filepath.Join(dir, "copy.db")
	err := db.Backup(ctx, path)
	close(release)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if writeErr != nil {
		t.Fatalf("write during backup: %v", writeErr)
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("backup mode = %v, want 0600 (it holds password hashes)", mode)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("backup directory holds %d entries, want only the copy (no temporary or -wal files): %v", len(entries), entries)
	}

	// The copy is a complete database on its own: it opens at the same
	// schema version with the fixture's rows, and the busy writer's rows
	// are a gap-free prefix (a snapshot, not a torn read).
	cp := openPath(t, path)
	want, _ := db.SchemaVersion(ctx)
	if got, err := cp.SchemaVersion(ctx); err != nil || got != want {
		t.Fatalf("backup schema version = %d, %v; want %d", got, err, want)
	}
	var accounts []*desk.Account
	var groups []*desk.Group
	mustView(t, cp, func(tx desk.Tx) error {
		var err error
		if accounts, err = tx.ListAccounts(); err != nil {
			return err
		}
		groups, err = tx.ListGroups()
		return err
	})
	if len(accounts) != 3 {
		t.Errorf("backup has %d accounts, want 3", len(accounts))
	}
	names := map[string]bool{}
	for _, g := range groups {
		names[g.Name] = true
	}
	if !names["Tier 1"] {
		t.Errorf("backup lacks the fixture's group: %v", names)
	}
	for i := 0; i < len(groups)-1; i++ {
		if !names[fmt.Sprintf("busy %d", i)] {
			t.Fatalf("backup has %d groups but lacks \"busy %d\": not a snapshot", len(groups), i)
		}
	}
}

func TestBackupRefusesExistingFile(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, path); !errors.Is(err, os.ErrExist) {
		t.Fatalf("Backup over an existing file: %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatalf("existing file changed to %q", b)
	}
	if err := db.Backup(ctx, filepath.Join(t.TempDir(), "no", "such", "dir.db")); err == nil {
		t.Fatal("Backup into a missing directory succeeded")
	}
	if err := db.Backup(ctx, ""); err == nil {
		t.Fatal("Backup to an empty path succeeded")
	}
}
