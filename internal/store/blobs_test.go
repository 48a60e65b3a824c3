package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

func newTestBlobs(t *testing.T) (*FileBlobs, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "files")
	b, err := NewFileBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b, dir
}

// dirNames lists dir, to check that nothing is left behind.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestBlobsPutOpenDelete(t *testing.T) {
	b, dir := newTestBlobs(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		content string
		max     int64
		code    string
	}{
		{"empty", "", 0, ""},
		{"exactly max", "hello", 5, ""},
		{"under max", "hello", 100, ""},
		{"one over max", "hello!", 5, desk.ETOOLARGE},
		{"far over max", strings.Repeat("x", 1<<16), 10, desk.ETOOLARGE},
		{"negative max", "x", -1, desk.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dirNames(t, dir)
			key, size, sum, err := b.Put(ctx, strings.NewReader(tc.content), tc.max)
			wantCode(t, err, tc.code)
			if tc.code != "" {
				wantEqual(t, "directory after failed Put", dirNames(t, dir), before)
				return
			}
			want := sha256.Sum256([]byte(tc.content))
			if size != int64(len(tc.content)) || sum != hex.EncodeToString(want[:]) || !validKey(key) {
				t.Fatalf("Put = %q, %d, %q", key, size, sum)
			}
			rc, err := b.Open(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || string(got) != tc.content {
				t.Fatalf("Open read %q, %v", got, err)
			}
			if err := b.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			_, err = b.Open(ctx, key)
			wantCode(t, err, desk.ENOTFOUND)
			if err := b.Delete(ctx, key); err != nil {
				t.Fatalf("second Delete: %v", err)
			}
		})
	}
}

func TestBlobsKeysAreUnique(t *testing.T) {
	b, _ := newTestBlobs(t)
	k1, _, _, err := b.Put(context.Background(), strings.NewReader("same"), 10)
	if err != nil {
		t.Fatal(err)
	}
	k2, _, _, err := b.Put(context.Background(), strings.NewReader("same"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if k1 == k2 {
		t.Fatal("two Puts returned the same key")
	}
}

func TestBlobsRejectCraftedKeys(t *testing.T) {
	b, dir := newTestBlobs(t)
	ctx := context.Background()
	// A file next to the blob directory that a traversal would reach.
	secret := filepath.Join(filepath.Dir(dir), "x")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	hex64 := strings.Repeat("a", 64)
	for _, key := range []string{
		"", "../x", "/etc/passwd", "a/b", "x\x00", hex64[:63] + "\x00", "..", ".", "../" + hex64[3:],
		strings.ToUpper(hex64), hex64 + "a", hex64[:63], hex64[:62] + "/x", hex64[:60] + ".put",
		"..\\" + hex64[:61], hex64[:63] + "g",
	} {
		if _, err := b.Open(ctx, key); desk.ErrorCode(err) != desk.EINVALID {
			t.Errorf("Open(%q) = %v, want invalid", key, err)
		}
		if err := b.Delete(ctx, key); desk.ErrorCode(err) != desk.EINVALID {
			t.Errorf("Delete(%q) = %v, want invalid", key, err)
		}
	}
	if _, err := os.Stat(secret); err != nil {
		t.Fatalf("file outside the blob directory was touched: %v", err)
	}
}

func TestBlobsPutStopsOnCancel(t *testing.T) {
	b, dir := newTestBlobs(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, _, err := b.Put(ctx, bytes.NewReader(make([]byte, 1<<20)), 1<<21); err == nil {
		t.Fatal("Put with a cancelled context succeeded")
	}
	if n := dirNames(t, dir); len(n) != 0 {
		t.Fatalf("left behind: %v", n)
	}
}

func TestNewFileBlobsRemovesStaleTemps(t *testing.T) {
	_, dir := newTestBlobs(t)
	old, fresh := filepath.Join(dir, tempPrefix+"old"), filepath.Join(dir, tempPrefix+"fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * staleTemp)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFileBlobs(dir); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "remaining", dirNames(t, dir), []string{tempPrefix + "fresh"})
}
