// Package x11ext makes an X extension's requests usable on an xgb
// connection without a data race.
//
// xgb's extension Init functions (randr.Init, damage.Init, ...) record the
// extension's opcode on the connection, and also write process-wide maps
// from event and error numbers to decoders, which every connection's
// reader goroutine reads without a lock as events arrive. Calling Init
// while any connection receives events is therefore a data race, and can
// end the process with "concurrent map read and map write". Use runs an
// extension's Init once per process; on every later connection it only
// asks the server for the opcode and records it, which touches that
// connection alone.
//
// The first Use of an extension should happen before other connections
// receive events (the agent opens its capture first). The decoder maps are
// keyed by the event numbers of the server that first answered; xgb
// assumes, as this package does, that one process talks to one kind of X
// server.
package x11ext

import (
	"errors"
	"fmt"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// ErrMissing is returned when the X server lacks the extension.
var ErrMissing = errors.New("x11ext: extension not present")

var (
	mu          sync.Mutex // guards the following field and every Init
	initialised = map[string]bool{}
)

// Use makes the extension called name usable on c. init is the extension
// package's Init function (for example randr.Init with name "RANDR");
// name must be the one init registers.
//
// Call it before the connection is shared between goroutines: recording
// the opcode takes the connection's extension lock for writing, and xgb's
// request functions take its read lock twice in a row (a writer waiting
// in between deadlocks both). Once recorded, Use only reads.
func Use(c *xgb.Conn, name string, init func(*xgb.Conn) error) error {
	if Has(c, name) {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	if !initialised[name] {
		if err := init(c); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrMissing, name, err)
		}
		initialised[name] = true
		return nil
	}
	r, err := xproto.QueryExtension(c, uint16(len(name)), name).Reply()
	if err != nil {
		return fmt.Errorf("x11ext: query %s: %w", name, err)
	}
	if !r.Present {
		return fmt.Errorf("%w: %s", ErrMissing, name)
	}
	c.ExtLock.Lock()
	c.Extensions[name] = r.MajorOpcode
	c.ExtLock.Unlock()
	return nil
}

// Has reports whether the extension called name is usable on c.
func Has(c *xgb.Conn, name string) bool {
	c.ExtLock.RLock()
	defer c.ExtLock.RUnlock()
	_, ok := c.Extensions[name]
	return ok
}
