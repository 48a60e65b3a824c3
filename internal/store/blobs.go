package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// keyBytes is the random part of a blob key: 256 bits, unguessable, so a
// key alone never leads to someone else's file.
const keyBytes = 32

// tempPrefix names files being written. A name with a dot can never be a
// key, so a half-written file is never served.
const tempPrefix = ".put-"

// staleTemp is how old a leftover temporary file (from a crash during
// Put) must be before NewFileBlobs removes it; younger ones may belong to
// a Put in progress in another process sharing the directory.
const staleTemp = time.Hour

// FileBlobs stores attachment contents as files in one directory, each
// named by its random key. Names from the network never become paths: a
// key is 64 lower-case hex digits, which Open and Delete check before
// touching the file system.
type FileBlobs struct {
	dir string
}

var _ desk.Blobs = (*FileBlobs)(nil)

// NewFileBlobs uses dir, creating it private to this user if needed, and
// removes temporary files left behind by a crash.
func NewFileBlobs(dir string) (*FileBlobs, error) {
	if dir == "" {
		return nil, errors.New("store: blob directory is required")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store: blob directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: blob directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("store: blob directory: %w", err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return &FileBlobs{dir: dir}, nil
}

// Put copies at most max bytes from r into a new blob, hashing as it
// writes. The content is written to a temporary file and renamed into
// place only when complete, so a reader never sees a partial blob; more
// than max bytes is ETOOLARGE and nothing is kept.
func (b *FileBlobs) Put(ctx context.Context, r io.Reader, max int64) (key string, size int64, sum string, err error) {
	if max < 0 {
		return "", 0, "", desk.Errorf(desk.EINVALID, "negative size limit")
	}
	f, err := os.CreateTemp(b.dir, tempPrefix+"*")
	if err != nil {
		return "", 0, "", fmt.Errorf("store: put blob: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()

	h := sha256.New()
	// One byte more than allowed tells "exactly max" from "too large"
	// without reading the rest of an oversized upload.
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(ctxReader{ctx, r}, max+1))
	if err != nil {
		return "", 0, "", fmt.Errorf("store: put blob: %w", err)
	}
	if n > max {
		return "", 0, "", desk.Errorf(desk.ETOOLARGE, "file is larger than %d bytes", max)
	}
	// The rename must not reach the disk before the content does.
	if err = f.Sync(); err != nil {
		return "", 0, "", fmt.Errorf("store: put blob: %w", err)
	}
	if err = f.Close(); err != nil {
		return "", 0, "", fmt.Errorf("store: put blob: %w", err)
	}
	key = newKey()
	if err = os.Rename(tmp, filepath.Join(b.dir, key)); err != nil {
		return "", 0, "", fmt.Errorf("store: put blob: %w", err)
	}
	return key, n, hex.EncodeToString(h.Sum(nil)), nil
}

// Open returns the content of a blob; ENOTFOUND if there is none, EINVALID
// for a key that is not one Put could have returned.
func (b *FileBlobs) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := b.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, desk.Errorf(desk.ENOTFOUND, "file content not found")
	}
	if err != nil {
		return nil, fmt.Errorf("store: open blob: %w", err)
	}
	return f, nil
}

// Delete removes a blob. Deleting one that is already gone is not an
// error: Delete is used to clean up, and cleaning up twice is harmless.
func (b *FileBlobs) Delete(ctx context.Context, key string) error {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: delete blob: %w", err)
	}
	return nil
}

// path checks that key has exactly the form newKey produces before it
// becomes part of a path, so no key can name a file outside dir (no
// separators, no dots, no NUL) or one of the temporary files.
func (b *FileBlobs) path(key string) (string, error) {
	if !validKey(key) {
		return "", desk.Errorf(desk.EINVALID, "invalid file key")
	}
	return filepath.Join(b.dir, key), nil
}

func validKey(key string) bool {
	if len(key) != 2*keyBytes {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func newKey() string {
	var k [keyBytes]byte
	rand.Read(k[:]) // never fails; panics (crypto/rand contract) when the OS has no entropy
	return hex.EncodeToString(k[:])
}

// ctxReader stops a long copy when ctx is done, e.g. when the uploading
// client went away.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
