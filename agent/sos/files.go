package sos

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tetherdesk/tether/internal/desk"
)

// createUnique creates a new file for a received attachment in dir: the
// name is made safe (desk.SafeFileName) and never replaces an existing
// file; "report (2).pdf" follows "report.pdf".
func createUnique(dir, name string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	safe := desk.SafeFileName(name)
	ext := filepath.Ext(safe)
	base := strings.TrimSuffix(safe, ext)
	if base == "" {
		base, ext = safe, ""
	}
	for i := 1; i < 1000; i++ {
		n := safe
		if i > 1 {
			n = fmt.Sprintf("%s (%d)%s", base, i, ext)
		}
		f, err := os.OpenFile(filepath.Join(dir, n), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("no free file name for %q in %s", safe, dir)
}
