package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// cli runs one command line in-process and returns exit code and output.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestAdminCommands(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	steps := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr
	}{
		{"owner from stdin", "owner-password-1\n", []string{"owner", "create", d, "--email", "Boss@Example.com", "--password-stdin"}, 0, "created owner boss@example.com", ""},
		{"second owner refused", "", []string{"owner", "create", d, "--email", "b2@example.com"}, 1, "", "first owner exists"},
		{"owner needs email", "", []string{"owner", "create", d}, 2, "", "--email is required"},
		{"short password", "short\n", []string{"technician", "add", d, "--email", "x@example.com", "--name", "X", "--password-stdin"}, 1, "", "at least 10"},
		{"group add", "", []string{"group", "add", d, "--name", "Mac experts"}, 0, "created group Mac experts", ""},
		{"technician generated password", "", []string{"technician", "add", d, "--email", "ana@example.com", "--name", "Ana", "--groups", "mac experts"}, 0, "password: ", ""},
		{"unknown group", "", []string{"technician", "add", d, "--email", "bo@example.com", "--name", "Bo", "--groups", "nope"}, 1, "", `no group named "nope"`},
		{"bad role", "", []string{"technician", "add", d, "--email", "bo@example.com", "--name", "Bo", "--role", "king"}, 2, "", "unknown role"},
		{"bad right", "", []string{"technician", "add", d, "--email", "bo@example.com", "--name", "Bo", "--grant", "fly"}, 2, "", "unknown right"},
		{"duplicate email", "", []string{"technician", "add", d, "--email", "ANA@example.com", "--name", "Ana 2"}, 1, "", "already exists"},
		{"manager", "", []string{"technician", "add", d, "--email", "cm@example.com", "--name", "Cami", "--role", "channel_manager"}, 0, "created channel_manager", ""},
		{"channel add", "", []string{"channel", "add", d, "--name", "Design", "--groups", "Mac experts", "--managers", "cm@example.com", "--sos", "--sla", "2m"}, 0, "created channel Design", ""},
		{"channel bad expiration", "", []string{"channel", "add", d, "--name", "X", "--expiration", "1s"}, 1, "", "expiration must be between"},
		{"channel unknown manager", "", []string{"channel", "add", d, "--name", "X", "--managers", "who@example.com"}, 1, "", "no technician with e-mail"},
		{"channel list", "", []string{"channel", "list", d}, 0, "Design", ""},
		{"technician list", "", []string{"technician", "list", d}, 0, "ana@example.com", ""},
		{"disable", "", []string{"technician", "disable", d, "--email", "ana@example.com"}, 0, "now disabled", ""},
		{"disable unknown", "", []string{"technician", "disable", d, "--email", "zz@example.com"}, 1, "", "no technician"},
		{"stray argument", "", []string{"group", "list", d, "extra"}, 2, "", "unexpected argument"},
		{"unknown flag", "", []string{"group", "list", "--colour"}, 2, "", "flag provided but not defined"},
		{"unknown command", "", []string{"frobnicate"}, 2, "", "unknown command"},
		{"audit verify", "", []string{"audit", "verify", d}, 0, "audit log intact", ""},
		{"audit export", "", []string{"audit", "export", d}, 0, "account_created", ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, out, errOut := cli(t, s.stdin, s.args...)
			if code != s.code || !strings.Contains(out, s.stdout) || !strings.Contains(errOut, s.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant stdout ~ %q, stderr ~ %q", code, s.code, out, errOut, s.stdout, s.stderr)
			}
		})
	}
}

// TestAuditVerifyDetectsTampering edits a stored audit record behind the
// broker's back, as an attacker with database access would.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	for _, args := range [][]string{
		{"group", "add", d, "--name", "One"},
		{"group", "add", d, "--name", "Two"},
		{"group", "add", d, "--name", "Three"},
	} {
		if code, _, errOut := cli(t, "", args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	if code, out, _ := cli(t, "", "audit", "verify", d); code != 0 || !strings.Contains(out, "3 records") {
		t.Fatalf("verify before tampering: %d %s", code, out)
	}
	tampers := []struct {
		name string
		sql  string
	}{
		{"detail changed", "UPDATE audit SET detail = 'Nothing happened' WHERE seq = 2"},
		{"record deleted", "DELETE FROM audit WHERE seq = 2"},
	}
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			copyDir := t.TempDir()
			copyDB(t, filepath.Join(data, "tether.db"), filepath.Join(copyDir, "tether.db"))
			db, err := sql.Open("sqlite", filepath.Join(copyDir, "tether.db"))
			if err != nil {
				t.Fatal(err)
			}
			// Append-only triggers guard the table; someone with write access
			// to the file simply drops them first.
			dropTriggers(t, db, "audit")
			if _, err := db.Exec(tt.sql); err != nil {
				t.Fatalf("tamper: %v", err)
			}
			db.Close()
			code, _, errOut := cli(t, "", "audit", "verify", "--data="+copyDir)
			if code != 1 || !strings.Contains(errOut, "NOT intact") {
				t.Fatalf("tampering not detected: exit %d, %s", code, errOut)
			}
		})
	}
}

// copyDB copies a live SQLite database consistently with VACUUM INTO.
func copyDB(t *testing.T, from, to string) {
	t.Helper()
	db, err := sql.Open("sqlite", from)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("VACUUM INTO ?", to); err != nil {
		t.Fatalf("copy database: %v", err)
	}
}

func dropTriggers(t *testing.T, db *sql.DB, table string) {
	t.Helper()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", table)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		if _, err := db.Exec(`DROP TRIGGER "` + n + `"`); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAdminHonoursTetherData: in a container the data directory comes from
// TETHER_DATA, for the admin commands as for serve.
func TestAdminHonoursTetherData(t *testing.T) {
	data := t.TempDir()
	t.Setenv("TETHER_DATA", data)
	if code, _, errOut := cli(t, "", "group", "add", "--name", "Env group"); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, _ := cli(t, "", "group", "list", "--data", data); code != 0 || !strings.Contains(out, "Env group") {
		t.Fatalf("group not in TETHER_DATA's directory: %s", out)
	}
}
