//go:build !linux

package capture

import "fmt"

// open uses the screenshot backend: it is the only one outside Linux.
func open(cfg Config) (Source, error) {
	if cfg.Backend == BackendX11 {
		return nil, fmt.Errorf("%w: the X11 backend exists only on Linux", ErrUnsupported)
	}
	return openScreenshot(cfg)
}
