//go:build linux

package input

import (
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/tetherdesk/tether/internal/xvfbtest"
)

// xclient is an independent X client for the tests: another application
// pasting from or copying to the clipboard.
type xclient struct {
	t    *testing.T
	conn *xgb.Conn
	win  xproto.Window
}

func newXClient(t *testing.T, display string) *xclient {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	win, _ := xproto.NewWindowId(conn)
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	if err := xproto.CreateWindowChecked(conn, 0, win, root, 0, 0, 1, 1, 0, xproto.WindowClassInputOnly, 0,
		xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange}).Check(); err != nil {
		t.Fatal(err)
	}
	return &xclient{t: t, conn: conn, win: win}
}

func (x *xclient) atom(name string) xproto.Atom {
	x.t.Helper()
	r, err := xproto.InternAtom(x.conn, false, uint16(len(name)), name).Reply()
	if err != nil {
		x.t.Fatal(err)
	}
	return r.Atom
}

// read converts selection to target and returns the property's type and
// value, as a pasting application does (no INCR: our owner never needs it).
func (x *xclient) read(selection, target string) (xproto.Atom, []byte) {
	x.t.Helper()
	prop := x.atom("XCLIENT_PROP")
	xproto.ConvertSelection(x.conn, x.win, x.atom(selection), x.atom(target), prop, xproto.TimeCurrentTime)
	deadline := time.After(5 * time.Second)
	evs := make(chan xgb.Event)
	go func() {
		for {
			ev, err := x.conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if n, ok := ev.(xproto.SelectionNotifyEvent); ok {
				evs <- n
				return
			}
		}
	}()
	select {
	case ev := <-evs:
		if ev.(xproto.SelectionNotifyEvent).Property == xproto.AtomNone {
			return xproto.AtomNone, nil
		}
	case <-deadline:
		x.t.Fatalf("no SelectionNotify for %s/%s", selection, target)
	}
	r, err := xproto.GetProperty(x.conn, true, x.win, prop, xproto.GetPropertyTypeAny, 0, 1<<20).Reply()
	if err != nil {
		x.t.Fatal(err)
	}
	return r.Type, r.Value
}

// own makes this client the CLIPBOARD owner offering text as UTF8_STRING,
// in chunks of chunk bytes through INCR when it is longer than chunk,
// until the test ends.
func (x *xclient) own(text string, chunk int) {
	x.t.Helper()
	clip, utf8Str, incr := x.atom("CLIPBOARD"), x.atom("UTF8_STRING"), x.atom("INCR")
	if err := xproto.SetSelectionOwnerChecked(x.conn, x.win, clip, xproto.TimeCurrentTime).Check(); err != nil {
		x.t.Fatal(err)
	}
	type transfer struct {
		win  xproto.Window
		prop xproto.Atom
		rest string
	}
	var incrs []*transfer
	go func() {
		for {
			ev, err := x.conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			switch e := ev.(type) {
			case xproto.SelectionRequestEvent:
				prop := e.Property
				switch {
				case e.Target != utf8Str:
					prop = xproto.AtomNone
				case len(text) <= chunk:
					xproto.ChangeProperty(x.conn, xproto.PropModeReplace, e.Requestor, prop, utf8Str, 8, uint32(len(text)), []byte(text))
				default:
					xproto.ChangeWindowAttributes(x.conn, e.Requestor, xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange})
					size := binary.LittleEndian.AppendUint32(nil, uint32(len(text)))
					xproto.ChangeProperty(x.conn, xproto.PropModeReplace, e.Requestor, prop, incr, 32, 1, size)
					incrs = append(incrs, &transfer{win: e.Requestor, prop: prop, rest: text})
				}
				n := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: prop}
				xproto.SendEvent(x.conn, false, e.Requestor, 0, string(n.Bytes()))
			case xproto.PropertyNotifyEvent:
				for i, tr := range incrs {
					if e.Window != tr.win || e.Atom != tr.prop || e.State != xproto.PropertyDelete {
						continue
					}
					part := tr.rest[:min(chunk, len(tr.rest))]
					tr.rest = tr.rest[len(part):]
					xproto.ChangeProperty(x.conn, xproto.PropModeReplace, tr.win, tr.prop, utf8Str, 8, uint32(len(part)), []byte(part))
					if part == "" {
						incrs = append(incrs[:i], incrs[i+1:]...)
					}
					break
				}
			}
		}
	}()
}

func openClipboard(t *testing.T, display string) Clipboard {
	t.Helper()
	c, err := NewClipboard(ClipboardConfig{Display: display})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestClipboardSetIsPasteable(t *testing.T) {
	display := xvfbtest.Start(t, 320, 240)
	c := openClipboard(t, display)
	const text = "grüß dich, 世界 — ssh admin@10.0.0.1"
	if err := c.Set(text); err != nil {
		t.Fatal(err)
	}
	x := newXClient(t, display)
	for _, sel := range []string{"CLIPBOARD", "PRIMARY"} {
		for _, target := range []string{"UTF8_STRING", "TEXT"} {
			typ, b := x.read(sel, target)
			if typ != x.atom("UTF8_STRING") || string(b) != text {
				t.Errorf("%s as %s: type %d, %q", sel, target, typ, b)
			}
		}
	}
	if typ, b := x.read("CLIPBOARD", "STRING"); typ != xproto.AtomString || string(b) != "gr\xfc\xdf dich, ?? ? ssh admin@10.0.0.1" {
		t.Errorf("STRING: type %d, %q", typ, b)
	}
	typ, b := x.read("CLIPBOARD", "TARGETS")
	if typ != xproto.AtomAtom || len(b) != 16 {
		t.Fatalf("TARGETS: type %d, %d bytes", typ, len(b))
	}
	if got := xproto.Atom(binary.LittleEndian.Uint32(b[4:])); got != x.atom("UTF8_STRING") {
		t.Errorf("TARGETS[1] = %d", got)
	}
	if typ, _ := x.read("CLIPBOARD", "image/png"); typ != xproto.AtomNone {
		t.Errorf("image/png answered with type %d", typ)
	}
	// Our own Get goes through the X server too.
	if got, err := c.Get(context.Background()); err != nil || got != text {
		t.Errorf("Get = %q, %v", got, err)
	}
	if err := c.Set(strings.Repeat("x", MaxTextLen+1)); !errors.Is(err, ErrTooLong) {
		t.Errorf("Set of a long text = %v", err)
	}
	if err := c.Set("\xff"); !errors.Is(err, ErrUTF8) {
		t.Errorf("Set of invalid UTF-8 = %v", err)
	}
}

func TestClipboardGetFromAnotherClient(t *testing.T) {
	display := xvfbtest.Start(t, 320, 240)
	c := openClipboard(t, display)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if got, err := c.Get(ctx); err != nil || got != "" {
		t.Fatalf("Get without an owner = %q, %v", got, err)
	}

	newXClient(t, display).own("password: hunter2 ✓", 1<<16)
	if got, err := c.Get(ctx); err != nil || got != "password: hunter2 ✓" {
		t.Fatalf("Get = %q, %v", got, err)
	}

	// A long text comes in INCR chunks; past MaxTextLen it is cut, on a
	// character boundary.
	long := strings.Repeat("ab€", 5000) // 25000 bytes
	newXClient(t, display).own(long, 4000)
	if got, err := c.Get(ctx); err != nil || got != long {
		t.Fatalf("INCR Get = %d bytes, %v; want %d", len(got), err, len(long))
	}
	huge := strings.Repeat("€", MaxTextLen/3+10)
	newXClient(t, display).own(huge, 8000)
	got, err := c.Get(ctx)
	if !errors.Is(err, ErrClipboardTruncated) || len(got) != MaxTextLen-MaxTextLen%3 || !strings.HasPrefix(huge, got) {
		t.Fatalf("huge Get = %d bytes, %v", len(got), err)
	}

	// Setting takes the clipboard back from the other client.
	if err := c.Set("mine"); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Get(ctx); err != nil || got != "mine" {
		t.Fatalf("Get after Set = %q, %v", got, err)
	}
}

func TestClipboardOwnerNeverAnswers(t *testing.T) {
	display := xvfbtest.Start(t, 320, 240)
	c := openClipboard(t, display)
	x := newXClient(t, display)
	// Owns the clipboard but never reads its events.
	if err := xproto.SetSelectionOwnerChecked(x.conn, x.win, x.atom("CLIPBOARD"), xproto.TimeCurrentTime).Check(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.Get(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get = %v, want the context's deadline", err)
	}
}

func TestClipboardClose(t *testing.T) {
	display := xvfbtest.Start(t, 320, 240)
	base := runtime.NumGoroutine()
	c, err := NewClipboard(ClipboardConfig{Display: display})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("bye"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Set("x"); !errors.Is(err, ErrClosed) {
		t.Errorf("Set after Close = %v", err)
	}
	if _, err := c.Get(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close = %v", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base+1 { // +1: xvfbtest's reader may still be alive
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d before, %d after Close", base, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The X server dropped our ownership with the connection.
	x := newXClient(t, display)
	if r, err := xproto.GetSelectionOwner(x.conn, x.atom("CLIPBOARD")).Reply(); err != nil || r.Owner != 0 {
		t.Errorf("owner after Close = %v, %v", r, err)
	}
	if _, err := NewClipboard(ClipboardConfig{Display: ":" + "4999"}); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("no display: %v", err)
	}
}
