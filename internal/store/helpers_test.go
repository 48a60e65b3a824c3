package store

import (
	"context"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// openTest opens a fresh database in the test's temporary directory.
func openTest(t *testing.T) *DB {
	t.Helper()
	return openPath(t, filepath.Join(t.TempDir(), "tether.db"))
}

func openPath(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mustUpdate runs fn in a write transaction and fails the test on error.
func mustUpdate(t *testing.T, db *DB, fn func(desk.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// mustView runs fn in a read transaction and fails the test on error.
func mustView(t *testing.T, db *DB, fn func(desk.Tx) error) {
	t.Helper()
	if err := db.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantCode checks that err carries the desk error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := desk.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func wantEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// ts returns a fixed UTC time with nanoseconds, so round trips are exact.
func ts(minutes int) time.Time {
	return time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC).Add(time.Duration(minutes) * time.Minute)
}

// fixture is a small, consistent set of rows most tests need.
type fixture struct {
	owner, tech, tech2 *desk.Account
	group              *desk.Group
	channel, channel2  *desk.Channel
}

func newFixture(t *testing.T, db *DB) *fixture {
	t.Helper()
	f := &fixture{
		group: &desk.Group{Name: "Tier 1", Description: "first line", CreatedAt: ts(0)},
	}
	mustUpdate(t, db, func(tx desk.Tx) error {
		if err := tx.CreateGroup(f.group); err != nil {
			return err
		}
		f.owner = &desk.Account{Email: "owner@example.com", Name: "Olga Owner", Role: desk.RoleOwner, Availability: desk.Available, CreatedAt: ts(1)}
		f.tech = &desk.Account{Email: "tech@example.com", Name: "Bob Tech", Role: desk.RoleTechnician, GroupIDs: []int64{f.group.ID}, Availability: desk.Busy, CreatedAt: ts(2)}
		f.tech2 = &desk.Account{Email: "alice@example.com", Name: "alice Tech", Role: desk.RoleTechnician, Availability: desk.Away, CreatedAt: ts(3)}
		for _, a := range []*desk.Account{f.owner, f.tech, f.tech2} {
			if err := tx.CreateAccount(a, "hash-"+a.Email); err != nil {
				return err
			}
		}
		f.channel = &desk.Channel{Name: "Zeta support", GroupIDs: []int64{f.group.ID}, TechnicianIDs: []int64{f.tech2.ID},
			ManagerIDs: []int64{f.owner.ID}, Expiration: time.Hour, SLAResponse: time.Minute, FirstLineLimit: 2 * time.Minute,
			AcceptsSOS: true, FileTypes: []string{"png", "txt"}, MaxFileSize: 1 << 20, CreatedAt: ts(4)}
		f.channel2 = &desk.Channel{Name: "alpha support", Expiration: time.Hour, SLAResponse: time.Minute,
			FirstLineLimit: time.Minute, FileTypes: []string{}, MaxFileSize: 10, CreatedAt: ts(5)}
		for _, c := range []*desk.Channel{f.channel, f.channel2} {
			if err := tx.CreateChannel(c); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}
