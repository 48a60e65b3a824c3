package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeout is how long a connection waits for a lock held by another
// process (an admin subcommand, a backup) before SQLITE_BUSY. Within this
// process writes never wait on SQLite: they queue on the write connection.
const busyTimeout = 5 * time.Second

// DB is a Tether database in one SQLite file. It implements desk.Store.
type DB struct {
	path   string
	logger *slog.Logger
	write  *sql.DB // one connection: SQLite allows one writer
	read   *sql.DB // read-only connections for View
	ckpt   *checkpointer

	closeOnce sync.Once
	closeErr  error
}

var _ desk.Store = (*DB)(nil)

// Open opens (creating if needed) the database at path and applies any
// pending migrations. A nil logger discards.
func Open(ctx context.Context, path string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// The driver splits the DSN at the first '?': such a path would be
	// silently truncated and open a different file.
	if path == "" || strings.ContainsAny(path, "?\x00") {
		return nil, fmt.Errorf("store: invalid database path %q", path)
	}
	// The file holds password and token hashes: create it readable by this
	// user only. SQLite gives the -wal and -shm files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: create %s: %w", path, err)
	}
	f.Close()
	common := fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)", busyTimeout.Milliseconds())
	// No automatic checkpoint on the writer: the checkpointer does it.
	write, err := sql.Open("sqlite", path+common+"&_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	// query_only makes a write through View fail instead of silently
	// taking the write lock beside the write connection. journal_mode is
	// not repeated: WAL is a property of the file, set by the writer.
	read, err := sql.Open("sqlite", path+common+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	read.SetMaxIdleConns(max(4, runtime.NumCPU()))

	ckpt, err := sql.Open("sqlite", path+common)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	db := &DB{path: path, logger: logger, write: write, read: read}
	db.ckpt = startCheckpointer(db, ckpt)
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the database. It may be called more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.closeErr = errors.Join(db.ckpt.stop(), db.read.Close(), db.write.Close())
	})
	return db.closeErr
}

// Update runs fn in a write transaction, committed when fn returns nil and
// rolled back when it returns an error or panics. Updates queue for the one
// write connection, so fn must not call Update itself (it would wait for
// its own connection); calling View from fn is fine but does not see fn's
// uncommitted changes.
func (db *DB) Update(ctx context.Context, fn func(desk.Tx) error) error {
	return db.run(ctx, db.write, false, fn)
}

// View runs fn in a read-only transaction: a consistent snapshot that does
// not block writers.
func (db *DB) View(ctx context.Context, fn func(desk.Tx) error) error {
	return db.run(ctx, db.read, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(desk.Tx) error) (err error) {
	sqlTx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	done := false
	defer func() {
		// A panic in fn must not leave the only write connection inside
		// an open transaction.
		if !done {
			sqlTx.Rollback()
		}
	}()
	if err := fn(&tx{ctx: ctx, tx: sqlTx}); err != nil {
		done = true
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			db.logger.Warn("store: rollback failed", "err", rbErr)
		}
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// tx implements desk.Tx on one SQL transaction. The desk.Tx methods take no
// context, so the one given to Update or View is kept for all statements.
type tx struct {
	ctx context.Context
	tx  *sql.Tx
}

var _ desk.Tx = (*tx)(nil)

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, query, args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, query, args...)
}

func (t *tx) queryRow(query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// affected returns ENOTFOUND (built by notFound) when res changed no row.
func affected(res sql.Result, notFound func() error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: rows affected: %w", err)
	}
	if n == 0 {
		return notFound()
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// collect scans every row of a query; what names the list for errors.
func collect[T any](rows *sql.Rows, err error, what string, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
