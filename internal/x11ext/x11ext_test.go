package x11ext_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/randr"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"

	"github.com/tetherdesk/tether/internal/x11ext"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

func dial(t *testing.T, display string) *xgb.Conn {
	t.Helper()
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestUse(t *testing.T) {
	display := xvfbtest.Start(t, 320, 240)
	inits := 0
	countingInit := func(c *xgb.Conn) error { inits++; return randr.Init(c) }
	conns := []*xgb.Conn{dial(t, display), dial(t, display), dial(t, display)}
	for i, c := range conns {
		if err := x11ext.Use(c, "RANDR", countingInit); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		// A request of the extension works on every connection.
		if _, err := randr.QueryVersion(c, 1, 5).Reply(); err != nil {
			t.Errorf("connection %d: RandR request: %v", i, err)
		}
	}
	if inits != 1 {
		t.Errorf("randr.Init ran %d times, want once per process", inits)
	}
	op := conns[0].Extensions["RANDR"]
	for i, c := range conns[1:] {
		if c.Extensions["RANDR"] != op {
			t.Errorf("connection %d: opcode %d, want %d", i+1, c.Extensions["RANDR"], op)
		}
	}
}

func TestUseMissing(t *testing.T) {
	display := xvfbtest.Start(t, 320, 240)
	c := dial(t, display)
	const name = "TETHER-NO-SUCH-EXTENSION"
	refuse := func(*xgb.Conn) error { return errors.New("no extension named " + name) }
	if err := x11ext.Use(c, name, refuse); !errors.Is(err, x11ext.ErrMissing) {
		t.Fatalf("first Use: err = %v, want ErrMissing", err)
	}
	// Once some connection initialised the name, later ones ask the
	// server, which knows no such extension.
	pretend := func(*xgb.Conn) error { return nil }
	if err := x11ext.Use(c, name, pretend); err != nil {
		t.Fatal(err)
	}
	if err := x11ext.Use(dial(t, display), name, pretend); !errors.Is(err, x11ext.ErrMissing) {
		t.Errorf("later Use: err = %v, want ErrMissing", err)
	}
	// The failed attempts left the connection usable.
	if _, err := xproto.GetInputFocus(c).Reply(); err != nil {
		t.Errorf("connection after Use: %v", err)
	}
}

// TestUseOnAConnectionInUse: once an extension is recorded on a
// connection, Use only reads. xgb's requests hold the connection's
// extension read lock while they take it again; a Use that asked for the
// write lock in between would deadlock with them.
func TestUseOnAConnectionInUse(t *testing.T) {
	display := xvfbtest.Start(t, 320, 240)
	c := dial(t, display)
	if err := x11ext.Use(c, "XFIXES", xfixes.Init); err != nil {
		t.Fatal(err)
	}
	c.ExtLock.RLock() // a request in flight
	defer c.ExtLock.RUnlock()
	done := make(chan error, 1)
	go func() { done <- x11ext.Use(c, "XFIXES", xfixes.Init) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Use on a connection with a request in flight blocked: it takes the write lock")
	}
	if !x11ext.Has(c, "XFIXES") || x11ext.Has(c, "TETHER-NOT-USED") {
		t.Error("Has does not report what Use recorded")
	}
}
