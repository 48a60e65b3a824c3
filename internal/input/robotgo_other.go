//go:build !linux || !cgo

package input

import "fmt"

// NewRobotgoInjector is only built for X11 with cgo so far; Windows and
// macOS need their own display checks (and Windows SendSAS for
// Ctrl+Alt+Del) before robotgo can be wired there.
func NewRobotgoInjector(cfg RobotgoConfig) (Injector, error) {
	return nil, fmt.Errorf("%w: robotgo injection is built only for Linux/X11 with cgo", ErrUnsupported)
}
