package server

// Error responses in the client's language. Every error the broker sends
// is a desk.Error whose English format string is the key of a catalogue
// per language (assets/translations/errors.<lang>.json); the translation
// has the same verbs, possibly reordered with explicit indexes (%[2]s),
// and is formatted with the error's own arguments. Arguments of desk's
// enumerations (a session state, a right, a role, an action, a consent
// answer) are translated through the catalogue's words; everything else
// (numbers, names, field names, what the client sent) stays as it is.
// English is the code's own text and the fallback for anything missing;
// logs always get the English Message.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tetherdesk/tether/assets"
	"github.com/tetherdesk/tether/internal/desk"
)

// errorCatalog is one language's translations of error messages.
type errorCatalog struct {
	// Messages maps English format strings to translated ones.
	Messages map[string]string `json:"messages"`
	// Words maps the name of one of desk's enumeration types ("State")
	// and a value's String ("closed") to the value's translation.
	Words map[string]map[string]string `json:"words"`
}

// errorCatalogs returns the catalogue of every page language but English,
// read once: New reads it, so that a broken one stops the broker at start;
// binaries that link this package without serving (the apps' tests) never
// do.
var errorCatalogs = sync.OnceValues(loadErrorCatalogs)

func loadErrorCatalogs() (map[string]*errorCatalog, error) {
	out := map[string]*errorCatalog{}
	for _, lang := range pageLangs[1:] {
		c, err := readErrorCatalog(lang)
		if err != nil {
			return nil, fmt.Errorf("error translations for %s: %w", lang, err)
		}
		// A translation whose verbs differ would print %!d(…) garbage:
		// English is better. The catalogue test names such entries.
		for k, v := range c.Messages {
			if !slices.Equal(formatVerbs(k), formatVerbs(v)) {
				delete(c.Messages, k)
			}
		}
		out[lang] = c
	}
	return out, nil
}

// readErrorCatalog reads and strictly decodes one language's catalogue.
func readErrorCatalog(lang string) (*errorCatalog, error) {
	raw, err := assets.FS.ReadFile("translations/errors." + lang + ".json")
	if err != nil {
		return nil, err
	}
	var c errorCatalog
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// errInternal is what clients see of any error that is not a desk.Error
// or whose code is internal.
var errInternal = desk.Errorf(desk.EINTERNAL, "internal error")

// requestLang is the language of error messages for a request: the
// landing pages' negotiation of Accept-Language, without ?lang=.
func requestLang(r *http.Request) string {
	return negotiateLang(r.Header.Get("Accept-Language"), "")
}

// errorMessage returns err's client-safe message in lang (one of
// pageLangs): that of the first *desk.Error in its chain, "internal
// error" for any other error.
func errorMessage(err error, lang string) string {
	var e *desk.Error
	if !errors.As(err, &e) {
		e = errInternal
	}
	cats, _ := errorCatalogs() // New made sure there is no error
	return cats[lang].message(e)
}

// message translates e; a nil catalogue (English) or a missing entry
// gives the English Message.
func (c *errorCatalog) message(e *desk.Error) string {
	if c == nil || e.Format == "" {
		return e.Message
	}
	tr, ok := c.Messages[e.Format]
	if !ok {
		return e.Message
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		args[i] = c.word(a)
	}
	return fmt.Sprintf(tr, args...)
}

// deskPkg is the import path of desk, whose enumerations words translate.
var deskPkg = reflect.TypeFor[desk.Error]().PkgPath()

// word translates an argument that is a value of one of desk's
// enumerations; any other argument is returned as it is.
func (c *errorCatalog) word(a any) any {
	s, ok := a.(fmt.Stringer)
	if !ok {
		return a
	}
	t := reflect.TypeOf(a)
	if t.PkgPath() != deskPkg {
		return a
	}
	if w, ok := c.Words[t.Name()][s.String()]; ok {
		return w
	}
	return a
}

// formatVerbs lists the argument uses of a fmt format string, sorted:
// "1:d" for a %d of the first argument, "2:*" for a width or precision
// taken from the second. Like fmt, an explicit index ([n]) sets the
// argument of its verb and of the verbs after it. Two formats with the
// same list print the same arguments the same way, in whatever order.
func formatVerbs(format string) []string {
	var out []string
	arg, i := 1, 0
	index := func() {
		if i >= len(format) || format[i] != '[' {
			return
		}
		j := strings.IndexByte(format[i:], ']')
		if j < 0 {
			out = append(out, "!bad-index")
			i = len(format)
			return
		}
		n, err := strconv.Atoi(format[i+1 : i+j])
		if err != nil || n < 1 {
			out = append(out, "!bad-index")
		}
		arg = n
		i += j + 1
	}
	star := func() bool {
		if i < len(format) && format[i] == '*' {
			out = append(out, strconv.Itoa(arg)+":*")
			arg++
			i++
			return true
		}
		return false
	}
	digits := func() {
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			i++
		}
	}
	for i < len(format) {
		if format[i] != '%' {
			i++
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("#0+- ", format[i]) >= 0 {
			i++
		}
		index()
		if !star() {
			digits()
		}
		if i < len(format) && format[i] == '.' {
			i++
			index()
			if !star() {
				digits()
			}
		}
		index()
		if i >= len(format) {
			out = append(out, "!no-verb")
			break
		}
		r, size := utf8.DecodeRuneInString(format[i:])
		i += size
		if r == '%' {
			continue
		}
		out = append(out, strconv.Itoa(arg)+":"+string(r))
		arg++
	}
	slices.Sort(out)
	return out
}
