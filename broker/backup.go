package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tetherdesk/tether/internal/store"
)

// A backup is one .tar.gz of the data directory's state, laid out as the
// directory itself so that restoring is extracting:
//
//	tether.db     a consistent snapshot of the database (VACUUM INTO), no -wal
//	files/        attachment contents
//	tls/          the self-signed certificate and key (the apps pin it)
//	acme/         the ACME account and certificates
//	turn-secret   the embedded TURN relay's shared secret
//
// Items that do not exist (no TURN relay, no ACME) are left out.
const dbFile = "tether.db"

var backupItems = []string{"files", "tls", "acme", "turn-secret"}

// backupCmd is `tether-broker backup --data DIR --to FILE`. It runs beside
// a serving broker: the database snapshot does not block it.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", envDefault("TETHER_DATA", defaultDataDir), "data directory to back up [TETHER_DATA]")
	to := fs.String("to", "", "archive to write, e.g. tether-2026-01-31.tar.gz; must not exist")
	err := parse(fs, args)
	if err == nil && *to == "" {
		err = usageError("--to is required")
	}
	if err != nil {
		fmt.Fprintf(stderr, "tether-broker backup: %s\n", errorText(err))
		return 2
	}
	sum, err := writeBackup(ctx, *data, *to)
	if err != nil {
		fmt.Fprintf(stderr, "tether-broker backup: %s\n", errorText(err))
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s: database schema version %d, %d other files\n", *data, *to, sum.schema, sum.files)
	return 0
}

// restoreCmd is `tether-broker restore --from FILE --data DIR`, into an
// empty or new directory only, with the broker stopped (or not yet started
// on DIR).
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "archive written by tether-broker backup")
	data := fs.String("data", envDefault("TETHER_DATA", defaultDataDir), "data directory to restore into; must be empty or absent [TETHER_DATA]")
	err := parse(fs, args)
	if err == nil && *from == "" {
		err = usageError("--from is required")
	}
	if err != nil {
		fmt.Fprintf(stderr, "tether-broker restore: %s\n", errorText(err))
		return 2
	}
	sum, err := restoreBackup(ctx, *from, *data)
	if err != nil {
		fmt.Fprintf(stderr, "tether-broker restore: %s\n", errorText(err))
		return 1
	}
	fmt.Fprintf(stdout, "restored %s into %s: database schema version %d, %d other files\n", *from, *data, sum.schema, sum.files)
	return 0
}

type backupSummary struct {
	schema int // the database's schema version
	files  int // regular files besides the database
}

func writeBackup(ctx context.Context, dataDir, to string) (sum backupSummary, err error) {
	dbPath := filepath.Join(dataDir, dbFile)
	// store.Open would create an empty database: a typo in --data must
	// not produce an empty backup that looks fine.
	if _, err := os.Stat(dbPath); err != nil {
		return sum, fmt.Errorf("no database to back up: %w", err)
	}
	if _, err := os.Lstat(to); err == nil {
		return sum, fmt.Errorf("%s already exists", to)
	}
	dir := filepath.Dir(to)
	work, err := os.MkdirTemp(dir, ".tether-backup-*")
	if err != nil {
		return sum, err
	}
	defer os.RemoveAll(work)

	// The database first: every attachment it names was written before
	// its row was committed, so it is in files/ when that is copied next.
	snapshot := filepath.Join(work, dbFile)
	db, err := store.Open(ctx, dbPath, nil)
	if err != nil {
		return sum, err
	}
	sum.schema, err = db.SchemaVersion(ctx)
	if err == nil {
		err = db.Backup(ctx, snapshot)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return sum, err
	}

	f, err := os.CreateTemp(dir, "."+filepath.Base(to)+".tmp-*") // mode 0600: the archive holds keys and hashes
	if err != nil {
		return sum, err
	}
	tmp := f.Name()
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			os.Remove(tmp)
		}
	}()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	if err := addFile(tw, snapshot, dbFile); err != nil {
		return sum, err
	}
	for _, item := range backupItems {
		root := filepath.Join(dataDir, item)
		if !exists(root) {
			continue
		}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p != root && errors.Is(err, fs.ErrNotExist) {
					return nil // removed since listed (a deleted attachment)
				}
				return err
			}
			if strings.HasPrefix(d.Name(), ".") {
				// Half-written attachments (.put-*) and other temporaries.
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			rel, err := filepath.Rel(dataDir, p)
			if err != nil {
				return err
			}
			name := filepath.ToSlash(rel)
			switch {
			case d.IsDir():
				return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o700})
			case d.Type().IsRegular():
				if err := addFile(tw, p, name); err != nil {
					if errors.Is(err, fs.ErrNotExist) {
						return nil
					}
					return err
				}
				sum.files++
				return nil
			default:
				return fmt.Errorf("%s: not a regular file or directory", p)
			}
		})
		if err != nil {
			return sum, err
		}
	}
	if err := tw.Close(); err != nil {
		return sum, err
	}
	if err := gz.Close(); err != nil {
		return sum, err
	}
	if err := f.Sync(); err != nil {
		return sum, err
	}
	err = f.Close()
	f = nil
	if err != nil {
		return sum, err
	}
	if exists(to) {
		return sum, fmt.Errorf("%s already exists", to)
	}
	if err := os.Rename(tmp, to); err != nil {
		return sum, err
	}
	return sum, nil
}

// addFile writes one regular file into the archive under name, keeping
// its permission bits.
func addFile(tw *tar.Writer, p, name string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: fi.Size(), Mode: int64(fi.Mode().Perm()), ModTime: fi.ModTime()}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	// Exactly the size announced: attachments never change once written.
	if _, err := io.CopyN(tw, f, hdr.Size); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func restoreBackup(ctx context.Context, from, dataDir string) (sum backupSummary, err error) {
	in, err := os.Open(from)
	if err != nil {
		return sum, err
	}
	defer in.Close()
	created := false
	if entries, err := os.ReadDir(dataDir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return sum, err
		}
		created = true
	} else if err != nil {
		return sum, err
	} else if len(entries) > 0 {
		return sum, fmt.Errorf("%s is not empty: restore only into an empty or new directory", dataDir)
	}
	defer func() {
		if err == nil {
			return
		}
		// Leave the directory as found: empty, or absent.
		if created {
			os.RemoveAll(dataDir)
			return
		}
		for _, item := range append([]string{dbFile}, backupItems...) {
			os.RemoveAll(filepath.Join(dataDir, item))
		}
	}()

	gz, err := gzip.NewReader(in)
	if err != nil {
		return sum, fmt.Errorf("%s: %w", from, err)
	}
	tr := tar.NewReader(gz)
	allowed := map[string]bool{dbFile: true}
	for _, item := range backupItems {
		allowed[item] = true
	}
	haveDB := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, fmt.Errorf("%s: %w", from, err)
		}
		name := path.Clean(hdr.Name)
		top, _, _ := strings.Cut(name, "/")
		if !filepath.IsLocal(filepath.FromSlash(name)) || !allowed[top] {
			return sum, fmt.Errorf("%s: unexpected entry %q: not a tether-broker backup", from, hdr.Name)
		}
		target := filepath.Join(dataDir, filepath.FromSlash(name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o700); err != nil {
				return sum, err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
				return sum, err
			}
			if err := extractFile(tr, target, fs.FileMode(hdr.Mode).Perm()); err != nil {
				return sum, err
			}
			if name == dbFile {
				haveDB = true
			} else {
				sum.files++
			}
		default:
			return sum, fmt.Errorf("%s: entry %q is not a regular file or directory", from, hdr.Name)
		}
	}
	if !haveDB {
		return sum, fmt.Errorf("%s holds no %s: not a tether-broker backup", from, dbFile)
	}
	// Opening checks the file is a database this broker can use: one from
	// a newer broker is refused; an older one is migrated now, as serve
	// would on start.
	db, err := store.Open(ctx, filepath.Join(dataDir, dbFile), nil)
	if err != nil {
		return sum, err
	}
	sum.schema, err = db.SchemaVersion(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return sum, err
}

func extractFile(r io.Reader, target string, mode fs.FileMode) error {
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
