// Package store is the SQLite implementation of desk.Store and desk.Tx, and
// a filesystem implementation of desk.Blobs.
//
// It uses modernc.org/sqlite, a pure Go SQLite, so the broker builds with
// CGO_ENABLED=0. SQLite has one writer at a time: Update runs on a
// dedicated single connection that begins with BEGIN IMMEDIATE, so write
// transactions queue in Go instead of failing with SQLITE_BUSY half way,
// and View runs on a separate pool of read-only connections that WAL mode
// lets read while a write is in progress.
//
// Storage conventions (see migrations/0001_init.sql): times are INTEGER
// unix nanoseconds in UTC with 0 meaning the zero time; enumerations are the
// desk package's integer values; an unset reference (ID 0) is NULL; lists
// of IDs are join tables that keep the caller's order and drop duplicates.
package store
