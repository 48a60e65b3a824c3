//go:build linux

package input

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// clipboardStepTimeout bounds each wait for another client (the owner's
// SelectionNotify, every INCR chunk) when the caller's context has no
// earlier deadline: a hung owner must not hang the reader.
const clipboardStepTimeout = 2 * time.Second

// x11Clipboard speaks the ICCCM selection protocol itself on its own X
// connection, so neither xclip nor xsel is needed.
//
// Set owns CLIPBOARD and PRIMARY with a hidden window and answers other
// clients' SelectionRequests (TARGETS, UTF8_STRING, TEXT, STRING) from an
// event goroutine for as long as it owns them: X11 keeps no clipboard
// contents, so the text is pasteable only while this Clipboard is open.
// Get converts CLIPBOARD to UTF8_STRING (STRING as a fallback) into a
// property of the same window and reads it, INCR transfers included.
type x11Clipboard struct {
	conn   *xgb.Conn
	win    xproto.Window
	log    *slog.Logger
	maxSet int // the largest text one ChangeProperty can carry

	clipboard, utf8Str, text, targets, incr, prop xproto.Atom

	notify chan xgb.Event // SelectionNotify and PropertyNotify for Get
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once

	getMu sync.Mutex // one Get at a time: they share the property and notify

	mu      sync.Mutex // guards the following field
	content string     // what Set offers
}

// NewClipboard opens the X11 clipboard of cfg.Display.
func NewClipboard(cfg ClipboardConfig) (Clipboard, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	conn, err := xgb.NewConnDisplay(cfg.Display)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrNoDisplay, cfg.Display, err)
	}
	c := &x11Clipboard{conn: conn, log: cfg.Logger, notify: make(chan xgb.Event, 16), done: make(chan struct{})}
	if err := c.init(); err != nil {
		conn.Close()
		return nil, err
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.events()
	}()
	return c, nil
}

func (c *x11Clipboard) init() error {
	setup := xproto.Setup(c.conn)
	screen := setup.DefaultScreen(c.conn)
	// ChangeProperty's header is 24 bytes; MaximumRequestLength counts
	// 4-byte units.
	c.maxSet = min(MaxTextLen, int(setup.MaximumRequestLength)*4-24)
	for _, a := range []struct {
		name string
		atom *xproto.Atom
	}{
		{"CLIPBOARD", &c.clipboard}, {"UTF8_STRING", &c.utf8Str}, {"TEXT", &c.text},
		{"TARGETS", &c.targets}, {"INCR", &c.incr}, {"TETHER_CLIPBOARD", &c.prop},
	} {
		r, err := xproto.InternAtom(c.conn, false, uint16(len(a.name)), a.name).Reply()
		if err != nil {
			return fmt.Errorf("input: clipboard: intern %s: %w", a.name, err)
		}
		*a.atom = r.Atom
	}
	win, err := xproto.NewWindowId(c.conn)
	if err != nil {
		return fmt.Errorf("input: clipboard: %w", err)
	}
	// Never mapped; InputOnly windows hold properties like any other.
	err = xproto.CreateWindowChecked(c.conn, 0, win, screen.Root, -10, -10, 1, 1, 0,
		xproto.WindowClassInputOnly, 0, xproto.CwOverrideRedirect|xproto.CwEventMask,
		[]uint32{1, xproto.EventMaskPropertyChange}).Check()
	if err != nil {
		return fmt.Errorf("input: clipboard: create window: %w", err)
	}
	c.win = win
	return nil
}

// events answers other clients' requests for our selections and hands
// Get the notifications it waits for, until the connection closes.
func (c *x11Clipboard) events() {
	for {
		ev, err := c.conn.WaitForEvent()
		if ev == nil && err == nil {
			return // connection closed
		}
		if err != nil {
			// An unchecked request failed, typically a requestor window
			// that went away before we answered.
			c.log.Debug("clipboard: X error", "err", err)
			continue
		}
		switch e := ev.(type) {
		case xproto.SelectionRequestEvent:
			c.answer(e)
		case xproto.SelectionClearEvent:
			c.log.Debug("clipboard: another application took the selection")
		case xproto.SelectionNotifyEvent:
			c.pass(e)
		case xproto.PropertyNotifyEvent:
			if e.Window == c.win && e.State == xproto.PropertyNewValue {
				c.pass(e)
			}
		}
	}
}

// pass hands ev to Get without blocking the event loop.
func (c *x11Clipboard) pass(ev xgb.Event) {
	select {
	case c.notify <- ev:
	default: // nobody is reading: a late answer to a Get that gave up
	}
}

// answer serves one SelectionRequest for a selection we own.
func (c *x11Clipboard) answer(e xproto.SelectionRequestEvent) {
	prop := e.Property
	if prop == xproto.AtomNone {
		prop = e.Target // obsolete requestors (ICCCM 2.2)
	}
	c.mu.Lock()
	text := c.content
	c.mu.Unlock()
	switch e.Target {
	case c.targets:
		atoms := []xproto.Atom{c.targets, c.utf8Str, c.text, xproto.AtomString}
		b := make([]byte, 0, 4*len(atoms))
		for _, a := range atoms {
			b = binary.LittleEndian.AppendUint32(b, uint32(a))
		}
		xproto.ChangeProperty(c.conn, xproto.PropModeReplace, e.Requestor, prop, xproto.AtomAtom, 32, uint32(len(atoms)), b)
	case c.utf8Str, c.text:
		xproto.ChangeProperty(c.conn, xproto.PropModeReplace, e.Requestor, prop, c.utf8Str, 8, uint32(len(text)), []byte(text))
	case xproto.AtomString:
		b := latin1(text)
		xproto.ChangeProperty(c.conn, xproto.PropModeReplace, e.Requestor, prop, xproto.AtomString, 8, uint32(len(b)), b)
	default:
		prop = xproto.AtomNone // refused: MULTIPLE, TIMESTAMP, images…
	}
	reply := xproto.SelectionNotifyEvent{
		Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: prop,
	}
	xproto.SendEvent(c.conn, false, e.Requestor, xproto.EventMaskNoEvent, string(reply.Bytes()))
}

// Set offers text on CLIPBOARD (Ctrl+V) and PRIMARY (middle click).
func (c *x11Clipboard) Set(text string) error {
	if len(text) > c.maxSet {
		return fmt.Errorf("%w: clipboard text of %d bytes, max %d", ErrTooLong, len(text), c.maxSet)
	}
	if !utf8.ValidString(text) {
		return fmt.Errorf("%w: clipboard", ErrUTF8)
	}
	select {
	case <-c.done:
		return ErrClosed
	default:
	}
	c.mu.Lock()
	c.content = text
	c.mu.Unlock()
	for _, sel := range []xproto.Atom{c.clipboard, xproto.AtomPrimary} {
		if err := xproto.SetSelectionOwnerChecked(c.conn, c.win, sel, xproto.TimeCurrentTime).Check(); err != nil {
			return fmt.Errorf("input: clipboard: set owner: %w", err)
		}
	}
	r, err := xproto.GetSelectionOwner(c.conn, c.clipboard).Reply()
	if err != nil {
		return fmt.Errorf("input: clipboard: %w", err)
	}
	if r.Owner != c.win {
		return fmt.Errorf("input: clipboard: the X server did not give us the clipboard")
	}
	return nil
}

// Get reads CLIPBOARD's text.
func (c *x11Clipboard) Get(ctx context.Context) (string, error) {
	c.getMu.Lock()
	defer c.getMu.Unlock()
	select {
	case <-c.done:
		return "", ErrClosed
	default:
	}
	for drained := false; !drained; {
		select {
		case <-c.notify:
		default:
			drained = true
		}
	}
	for _, target := range []xproto.Atom{c.utf8Str, xproto.AtomString} {
		xproto.DeleteProperty(c.conn, c.win, c.prop)
		xproto.ConvertSelection(c.conn, c.win, c.clipboard, target, c.prop, xproto.TimeCurrentTime)
		ev, err := c.wait(ctx, func(ev xgb.Event) bool {
			n, ok := ev.(xproto.SelectionNotifyEvent)
			return ok && n.Requestor == c.win && n.Selection == c.clipboard
		})
		if err != nil {
			return "", err
		}
		if ev.(xproto.SelectionNotifyEvent).Property == xproto.AtomNone {
			continue // no owner, or it cannot give this target
		}
		return c.read(ctx)
	}
	return "", nil
}

// read takes the converted text out of our property, following INCR.
func (c *x11Clipboard) read(ctx context.Context) (string, error) {
	// One byte more than the limit tells a text at the limit from a longer one.
	const longs = (MaxTextLen + 4) / 4
	r, err := xproto.GetProperty(c.conn, true, c.win, c.prop, xproto.GetPropertyTypeAny, 0, longs).Reply()
	if err != nil {
		return "", fmt.Errorf("input: clipboard: read: %w", err)
	}
	data, typ, cut := r.Value, r.Type, r.BytesAfter > 0
	if cut {
		xproto.DeleteProperty(c.conn, c.win, c.prop)
	}
	if typ == c.incr {
		// The owner sends chunks, each after we delete the previous one
		// (the GetProperty above deleted the INCR marker), ending with an
		// empty one.
		data, cut = nil, false
		for {
			_, err := c.wait(ctx, func(ev xgb.Event) bool {
				n, ok := ev.(xproto.PropertyNotifyEvent)
				return ok && n.Window == c.win && n.Atom == c.prop && n.State == xproto.PropertyNewValue
			})
			if err != nil {
				return "", err
			}
			r, err := xproto.GetProperty(c.conn, true, c.win, c.prop, xproto.GetPropertyTypeAny, 0, longs).Reply()
			if err != nil {
				return "", fmt.Errorf("input: clipboard: read: %w", err)
			}
			if r.Type == xproto.AtomNone {
				continue // a stale notification: the property is not there
			}
			if r.BytesAfter > 0 {
				xproto.DeleteProperty(c.conn, c.win, c.prop)
				cut = true
			}
			if len(r.Value) == 0 {
				break
			}
			typ = r.Type
			if room := MaxTextLen + 1 - len(data); room > 0 {
				data = append(data, r.Value[:min(room, len(r.Value))]...)
			} else {
				cut = true
			}
		}
	}
	var text string
	if typ == xproto.AtomString {
		text = fromLatin1(data)
	} else {
		text = strings.ToValidUTF8(string(data), "\uFFFD")
	}
	if len(text) > MaxTextLen {
		text, cut = cutText(text, MaxTextLen), true
	}
	if cut {
		return text, ErrClipboardTruncated
	}
	return text, nil
}

// wait returns the first notification that match accepts.
func (c *x11Clipboard) wait(ctx context.Context, match func(xgb.Event) bool) (xgb.Event, error) {
	t := time.NewTimer(clipboardStepTimeout)
	defer t.Stop()
	for {
		select {
		case ev := <-c.notify:
			if match(ev) {
				return ev, nil
			}
		case <-t.C:
			return nil, ErrClipboardTimeout
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.done:
			return nil, ErrClosed
		}
	}
}

// Close gives up the selections (the X server does when the connection
// ends) and waits for the event goroutine.
func (c *x11Clipboard) Close() error {
	c.once.Do(func() {
		close(c.done)
		c.conn.Close()
		c.wg.Wait()
		c.mu.Lock()
		c.content = ""
		c.mu.Unlock()
	})
	return nil
}

// latin1 encodes s for the STRING target; characters outside Latin-1
// become '?'.
func latin1(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return b
}

func fromLatin1(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// cutText returns the longest prefix of s of at most n bytes that ends on
// a character boundary.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
