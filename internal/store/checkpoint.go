package store

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is how often the checkpointer copies the write-ahead log
// into the database file.
const checkpointEvery = time.Second

// checkpointer moves committed pages from the WAL into the database file
// on a connection of its own. SQLite's automatic checkpoint would run
// inside the commit that crosses 1,000 pages, on the one write
// connection, and every write queued behind it would wait for its copy
// and fsync (tens of milliseconds, measured up to 57 ms here); a PASSIVE
// checkpoint beside the writer blocks nobody.
type checkpointer struct {
	conn   *sql.DB
	cancel context.CancelFunc
	done   chan struct{}
}

func startCheckpointer(db *DB, conn *sql.DB) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{conn: conn, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil && ctx.Err() == nil {
				db.logger.Warn("store: checkpoint", "err", err)
			}
		}
	}()
	return c
}

// stop ends the checkpointer and closes its connection.
func (c *checkpointer) stop() error {
	c.cancel()
	<-c.done
	return c.conn.Close()
}
