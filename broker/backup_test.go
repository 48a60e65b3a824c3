package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tetherdesk/tether/internal/store"
)

// TestBackupRestore backs up the data directory of a running broker (with
// its self-signed certificate, TURN secret and an attachment) while admin
// writes go on, restores the archive into a fresh directory, and starts a
// broker on it: same certificate, same accounts, intact audit chain.
func TestBackupRestore(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{
		{"owner", "create", "--data", data, "--email", "o@example.com", "--password-stdin"},
		{"group", "add", "--data", data, "--name", "Before"},
		{"channel", "add", "--data", data, "--name", "Desk", "--groups", "Before", "--sos"},
	} {
		if code, _, errOut := cli(t, "owner-password-1\n", args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	blobs, err := store.NewFileBlobs(filepath.Join(data, "files"))
	if err != nil {
		t.Fatal(err)
	}
	key, _, _, err := blobs.Put(context.Background(), strings.NewReader("attachment body"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	// A half-written attachment is not part of a backup.
	if err := os.WriteFile(filepath.Join(data, "files", ".put-123"), []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}

	m, out := start(t, "--addr", "127.0.0.1:0", "--data", data, "--turn-listen", "127.0.0.1:0", "--turn-ports", "41020-41030")
	fp := fingerprintFrom(t, out)
	login(t, pinnedClient(fp), m.PublicURL, "owner-password-1", http.StatusOK)

	// Admin writes race the backup; none may fail, and the backup holds
	// a consistent database whatever they did.
	archive := filepath.Join(t.TempDir(), "tether-backup.tar.gz")
	var wg sync.WaitGroup
	errs := make(chan string, 10)
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"group", "add", "--data", data, "--name", "During " + string(rune('A'+i))}, nil, &out, &errb); code != 0 {
				errs <- errb.String()
			}
		}()
	}
	code, stdout, errOut := cli(t, "", "backup", "--data", data, "--to", archive)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("group add during backup: %s", e)
	}
	if code != 0 || !strings.Contains(stdout, "schema version") {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, errOut)
	}
	if fi, err := os.Stat(archive); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive: %v %v, want mode 0600", fi, err)
	}
	if code, _, _ := cli(t, "", "group", "add", "--data", data, "--name", "After"); code != 0 {
		t.Fatal("group add after backup failed")
	}
	if code, _, errOut := cli(t, "", "backup", "--data", data, "--to", archive); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("backup over an existing archive: exit %d %s", code, errOut)
	}

	names := archiveNames(t, archive)
	for _, want := range []string{"tether.db", "files/" + key, "tls/cert.pem", "tls/key.pem", "turn-secret"} {
		if !names[want] {
			t.Errorf("archive lacks %s; has %v", want, names)
		}
	}
	for n := range names {
		if strings.Contains(n, ".put-") || strings.HasSuffix(n, "-wal") || strings.HasSuffix(n, "-shm") {
			t.Errorf("archive holds %s", n)
		}
	}

	restored := filepath.Join(t.TempDir(), "restored")
	if code, stdout, errOut := cli(t, "", "restore", "--from", archive, "--data", restored); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, errOut)
	}
	for _, f := range []string{"files/" + key, "tls/cert.pem", "tls/key.pem", "turn-secret"} {
		a, _ := os.ReadFile(filepath.Join(data, f))
		b, err := os.ReadFile(filepath.Join(restored, f))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("restored %s differs from the original (%v)", f, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(restored, "tls", "key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored key: %v %v, want mode 0600", fi, err)
	}
	if code, stdout, errOut := cli(t, "", "audit", "verify", "--data", restored); code != 0 || !strings.Contains(stdout, "audit log intact") {
		t.Fatalf("audit verify on the restored data: exit %d\n%s%s", code, stdout, errOut)
	}
	_, groups, _ := cli(t, "", "group", "list", "--data", restored)
	if !strings.Contains(groups, "Before") || strings.Contains(groups, "After") {
		t.Fatalf("restored groups:\n%s\nwant Before and not After", groups)
	}
	_, channels, _ := cli(t, "", "channel", "list", "--data", restored)
	if !strings.Contains(channels, "Desk") {
		t.Fatalf("restored channels:\n%s", channels)
	}

	// A broker on the restored directory presents the same certificate
	// (the apps' pin holds) and knows the owner's password.
	m.Close()
	m2, out2 := start(t, "--addr", "127.0.0.1:0", "--data", restored)
	if fp2 := fingerprintFrom(t, out2); fp2 != fp {
		t.Fatalf("restored broker's fingerprint %s, want %s", fp2, fp)
	}
	login(t, pinnedClient(fp), m2.PublicURL, "owner-password-1", http.StatusOK)
	login(t, pinnedClient(fp), m2.PublicURL, "wrong-password-1", http.StatusUnauthorized)

	// Restoring never mixes with existing data.
	if code, _, errOut := cli(t, "", "restore", "--from", archive, "--data", restored); code != 1 || !strings.Contains(errOut, "not empty") {
		t.Fatalf("restore into a used directory: exit %d %s", code, errOut)
	}
}

func TestBackupRestoreErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo")
	to := filepath.Join(dir, "b.tar.gz")
	if code, _, errOut := cli(t, "", "backup", "--data", missing, "--to", to); code != 1 || !strings.Contains(errOut, "no database") {
		t.Fatalf("backup of a missing directory: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("backup created the data directory it was asked to read")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("failed backup left %v", entries)
	}
	if code, _, _ := cli(t, "", "backup", "--data", dir); code != 2 {
		t.Fatalf("backup without --to: exit %d, want 2", code)
	}
	if code, _, _ := cli(t, "", "restore", "--data", dir); code != 2 {
		t.Fatalf("restore without --from: exit %d, want 2", code)
	}

	// Archives that are not backups are refused and leave nothing behind.
	for name, entries := range map[string][]tar.Header{
		"escape":  {{Name: "tether.db", Size: 0, Mode: 0o600, Typeflag: tar.TypeReg}, {Name: "../evil", Mode: 0o600, Typeflag: tar.TypeReg}},
		"foreign": {{Name: "etc/passwd", Mode: 0o600, Typeflag: tar.TypeReg}},
		"symlink": {{Name: "files/x", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink}},
		"no db":   {{Name: "turn-secret", Mode: 0o600, Typeflag: tar.TypeReg}},
		"not db":  {{Name: "tether.db", Size: 0, Mode: 0o600, Typeflag: tar.TypeReg}, {Name: "files/", Mode: 0o700, Typeflag: tar.TypeDir}},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			gz := gzip.NewWriter(&buf)
			tw := tar.NewWriter(gz)
			for _, h := range entries {
				if name == "not db" && h.Name == "tether.db" {
					h.Size = 5
					tw.WriteHeader(&h)
					tw.Write([]byte("hello"))
					continue
				}
				tw.WriteHeader(&h)
			}
			tw.Close()
			gz.Close()
			from := filepath.Join(t.TempDir(), "x.tar.gz")
			os.WriteFile(from, buf.Bytes(), 0o600)
			target := filepath.Join(t.TempDir(), "data")
			if code, _, errOut := cli(t, "", "restore", "--from", from, "--data", target); code != 1 {
				t.Fatalf("exit %d (%s), want 1", code, errOut)
			}
			if _, err := os.Stat(target); err == nil {
				t.Fatal("a failed restore left the data directory behind")
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(target), "evil")); err == nil {
				t.Fatal("an entry escaped the data directory")
			}
		})
	}
}

func login(t *testing.T, c *http.Client, base, password string, want int) {
	t.Helper()
	resp, err := c.Post(base+"/api/v1/login", "application/json",
		strings.NewReader(`{"email":"o@example.com","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("login with %q: status %d, want %d", password, resp.StatusCode, want)
	}
}

func archiveNames(t *testing.T, p string) map[string]bool {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	names := map[string]bool{}
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names[h.Name] = true
	}
	return names
}
