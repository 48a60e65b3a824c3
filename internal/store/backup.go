package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent copy of the database to path while it stays
// in use: VACUUM INTO reads one snapshot (a read transaction, which in WAL
// mode never blocks writers) and writes a compact, self-contained file
// with no -wal beside it. The copy appears at path only once complete and
// synced; an existing file is never overwritten. Like the database, the
// copy is readable by this user only.
func (db *DB) Backup(ctx context.Context, path string) (err error) {
	if path == "" || strings.ContainsRune(path, 0) {
		return fmt.Errorf("store: invalid backup path %q", path)
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("store: backup %s: %w", path, os.ErrExist)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: backup: %w", err)
	}
	// VACUUM INTO accepts an existing empty file, so the temporary file is
	// created first with a private mode and a name no one else uses.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
		}
	}()

	// A connection of its own: the read pool is query_only, which refuses
	// VACUUM INTO, and the write connection would hold up every write for
	// the length of the copy.
	conn, err := sql.Open("sqlite", db.path+fmt.Sprintf("?_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()))
	if err != nil {
		return fmt.Errorf("store: backup: open: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := conn.Close(); err != nil {
		return fmt.Errorf("store: backup: close: %w", err)
	}

	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := os.Lstat(path); err == nil { // appeared during the copy
		return fmt.Errorf("store: backup %s: %w", path, os.ErrExist)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	// Makes the new name durable; best effort, as not every system can
	// sync a directory.
	_ = syncFile(filepath.Dir(path))
	return nil
}

// syncFile flushes a file or directory to stable storage.
func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
