package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// errorSourceDirs hold, relative to this package, the code whose errors
// reach the broker's clients.
var errorSourceDirs = []string{"../desk", ".", "../store", "../api"}

// errorForwarders are functions that pass their format parameter on to
// desk.Errorf, by name and the index of that parameter: their callers'
// literals are the catalogue's keys.
var errorForwarders = map[string]int{"limited": 1}

// errorFormats returns every format string literal given to desk.Errorf
// (or a forwarder) in the non-test Go files of errorSourceDirs, with one
// place it is used. A format that is not a literal is a test failure:
// the catalogue could not be checked against it.
func errorFormats(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]string{}
	for _, dir := range errorSourceDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				idx, ok := errorFormatArg(call, f.Name.Name)
				if !ok || idx >= len(call.Args) {
					return true
				}
				pos := fset.Position(call.Pos()).String()
				lit, ok := call.Args[idx].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					if id, ok := call.Args[idx].(*ast.Ident); ok && id.Name == "format" && inForwarder(f, call) {
						return true
					}
					t.Errorf("%s: the error format is not a string literal; make it one, or list the function in errorForwarders", pos)
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("%s: %v", pos, err)
				}
				if _, ok := out[s]; !ok {
					out[s] = pos
				}
				return true
			})
		}
	}
	return out
}

// errorFormatArg tells whether call makes a desk.Error from a format, and
// which argument the format is.
func errorFormatArg(call *ast.CallExpr, pkg string) (int, bool) {
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && x.Name == "desk" && fn.Sel.Name == "Errorf" {
			return 1, true
		}
	case *ast.Ident:
		if pkg == "desk" && fn.Name == "Errorf" {
			return 1, true
		}
		if i, ok := errorForwarders[fn.Name]; ok {
			return i, true
		}
	}
	return 0, false
}

// inForwarder reports whether call is inside one of errorForwarders.
func inForwarder(f *ast.File, call *ast.CallExpr) bool {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || call.Pos() < fd.Body.Pos() || call.End() > fd.Body.End() {
			continue
		}
		_, ok = errorForwarders[fd.Name.Name]
		return ok
	}
	return false
}

func TestErrorCatalogComplete(t *testing.T) {
	formats := errorFormats(t)
	if len(formats) < 100 {
		t.Fatalf("found only %d error formats; is the walk broken?", len(formats))
	}
	for _, lang := range pageLangs[1:] {
		c, err := readErrorCatalog(lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for f, pos := range formats {
			tr, ok := c.Messages[f]
			switch {
			case !ok:
				t.Errorf("errors.%s.json lacks %q (%s)", lang, f, pos)
			case strings.TrimSpace(tr) == "":
				t.Errorf("errors.%s.json: %q is empty", lang, f)
			case !slices.Equal(formatVerbs(f), formatVerbs(tr)):
				t.Errorf("errors.%s.json: %q has verbs %v; the English %q has %v", lang, tr, formatVerbs(tr), f, formatVerbs(f))
			}
		}
		for f := range c.Messages {
			if _, ok := formats[f]; !ok {
				t.Errorf("errors.%s.json has %q, which no code uses", lang, f)
			}
		}
	}
}

// errorWords are desk's enumerations whose values error messages print,
// each with all its values' names.
func errorWords() map[string][]string {
	names := func(next func(i int) (string, bool)) []string {
		var out []string
		for i := 0; ; i++ {
			s, ok := next(i)
			if !ok {
				return out
			}
			out = append(out, s)
		}
	}
	known := func(s string) (string, bool) { return s, s != "unknown" }
	return map[string][]string{
		"State":         names(func(i int) (string, bool) { return known((desk.StateUnknown + 1 + desk.State(i)).String()) }),
		"Role":          names(func(i int) (string, bool) { return known((desk.RoleUnknown + 1 + desk.Role(i)).String()) }),
		"Action":        names(func(i int) (string, bool) { return known((desk.ActionUnknown + 1 + desk.Action(i)).String()) }),
		"ConsentAnswer": names(func(i int) (string, bool) { return known((desk.AnswerPending + desk.ConsentAnswer(i)).String()) }),
		"Right":         names(func(i int) (string, bool) { return known((desk.Right(1) << i).String()) }),
	}
}

func TestErrorWordsComplete(t *testing.T) {
	want := errorWords()
	for _, lang := range pageLangs[1:] {
		c, err := readErrorCatalog(lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for typ, names := range want {
			if len(names) < 2 {
				t.Fatalf("%s: only %v; is the enumeration broken?", typ, names)
			}
			for _, n := range names {
				if w := c.Words[typ][n]; strings.TrimSpace(w) == "" || strings.Contains(w, "%") {
					t.Errorf("errors.%s.json: words.%s lacks %q (or it is empty or has a %%)", lang, typ, n)
				}
			}
			for n := range c.Words[typ] {
				if !slices.Contains(names, n) {
					t.Errorf("errors.%s.json: words.%s has %q, which desk does not", lang, typ, n)
				}
			}
		}
		for typ := range c.Words {
			if _, ok := want[typ]; !ok {
				t.Errorf("errors.%s.json: words has type %q; translate it in errorWords too", lang, typ)
			}
		}
	}
}

func TestFormatVerbs(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   []string
	}{
		{"no verbs", nil},
		{"100%% sure", nil},
		{"session %d is %s", []string{"1:d", "2:s"}},
		{"%[2]s before %[1]d", []string{"1:d", "2:s"}},
		{"%[2]d then %s", []string{"2:d", "3:s"}},
		{"%-8.3f and %+q", []string{"1:f", "2:q"}},
		{"%*d", []string{"1:*", "2:d"}},
		{"%.[2]*[1]f", []string{"1:f", "2:*"}},
		{"ends in %", []string{"!no-verb"}},
		{"%[x]d", []string{"!bad-index", "0:d"}},
		{"%[2d", []string{"!bad-index", "!no-verb"}},
		{"%v %x %dx%d", []string{"1:v", "2:x", "3:d", "4:d"}},
	} {
		if got := formatVerbs(tc.format); !slices.Equal(got, tc.want) {
			t.Errorf("formatVerbs(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	cats, err := errorCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	reorder := &errorCatalog{
		Messages: map[string]string{"cannot %s session %d: it is %s": "S%[2]d/%[3]s/%[1]s"},
		Words:    map[string]map[string]string{"State": {"closed": "zu"}, "Action": {"take": "nehmen"}},
	}
	for _, tc := range []struct {
		name string
		c    *errorCatalog
		err  error
		want string
	}{
		{"english", cats["en"], desk.Errorf(desk.ENOTFOUND, "session %d not found", 42), "session 42 not found"},
		{"german with an int", cats["de"], desk.Errorf(desk.ENOTFOUND, "session %d not found", 42), "Sitzung 42 nicht gefunden"},
		{"portuguese with an int", cats["pt"], desk.Errorf(desk.ENOTFOUND, "session %d not found", 42), "sessão 42 não encontrada"},
		{"german, reordered, with words", cats["de"], desk.Errorf(desk.ECONFLICT, "cannot %s session %d: it is %s", desk.ActionTake, 7, desk.Closed),
			"Sitzung 7: „übernehmen“ ist nicht möglich, sie ist geschlossen"},
		{"portuguese, reordered, with words", cats["pt"], desk.Errorf(desk.ECONFLICT, "cannot %s session %d: it is %s", desk.ActionTake, 7, desk.Closed),
			"sessão 7: não é possível assumir, ela está fechada"},
		{"a right", cats["de"], desk.Errorf(desk.EFORBIDDEN, "you do not have the %s right", desk.RightRemoteControl), "Ihnen fehlt das Recht „Fernsteuerung“"},
		{"a role", cats["pt"], desk.Errorf(desk.EFORBIDDEN, "you may not create %s accounts", desk.RoleOwner), "você não pode criar contas com a função “Proprietário”"},
		{"a client's string stays", cats["de"], desk.Errorf(desk.EINVALID, "unknown right %q", "closed"), `unbekanntes Recht "closed"`},
		{"a custom catalogue", reorder, desk.Errorf(desk.ECONFLICT, "cannot %s session %d: it is %s", desk.ActionTake, 7, desk.Closed), "S7/zu/nehmen"},
		{"a missing word stays English", reorder, desk.Errorf(desk.ECONFLICT, "cannot %s session %d: it is %s", desk.ActionClose, 7, desk.Active), "S7/active/close"},
		{"a missing message is English", reorder, desk.Errorf(desk.ENOTFOUND, "session %d not found", 42), "session 42 not found"},
		{"an error without a format is English", cats["de"], &desk.Error{Code: desk.ENOTFOUND, Message: "session not found"}, "session not found"},
		{"wrapped", cats["de"], fmt.Errorf("load: %w", desk.Errorf(desk.ENOTFOUND, "session %d not found", 42)), "Sitzung 42 nicht gefunden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *desk.Error
			if !errors.As(tc.err, &e) {
				t.Fatal("not a desk error")
			}
			if got := tc.c.message(e); got != tc.want {
				t.Errorf("message = %q, want %q", got, tc.want)
			}
		})
	}
	if got := errorMessage(io.EOF, "de"); got != "interner Fehler" {
		t.Errorf("a non-desk error in German = %q", got)
	}
	if got := errorMessage(desk.Errorf(desk.EGONE, "this support link has expired; ask your technician for a new one"), "pt"); got != "este link de suporte expirou; peça um novo ao seu técnico" {
		t.Errorf("an argument-less message in Portuguese = %q", got)
	}
}

// TestErrorLanguage asks the broker for the same errors in each language:
// the message follows Accept-Language, the code never does.
func TestErrorLanguage(t *testing.T) {
	e := newEnv(t)
	_, techToken := e.createTech("tina@example.com", "technician", nil)
	newTech := api.CreateTechnicianRequest{Email: "x@example.com", Name: "X", Role: "owner", Password: password, Availability: "available"}
	type want struct{ en, de, pt string }
	for _, tc := range []struct {
		name         string
		method, path string
		token        string
		body         any
		status       int
		code         string
		want         want
	}{
		{"an argument", "GET", "/api/v1/sessions/424242", e.owner, nil, 404, desk.ENOTFOUND, want{
			"session 424242 not found", "Sitzung 424242 nicht gefunden", "sessão 424242 não encontrada"}},
		{"a role word", "POST", "/api/v1/technicians", techToken, newTech, 403, desk.EFORBIDDEN, want{
			"you may not create owner accounts", "Sie dürfen keine Konten mit der Rolle „Inhaber“ anlegen", "você não pode criar contas com a função “Proprietário”"}},
		{"no arguments", "POST", "/api/v1/login", "", api.LoginRequest{Email: "nobody@example.com", Password: "wrong password"}, 401, desk.EUNAUTHORIZED, want{
			"wrong email or password", "E-Mail oder Passwort falsch", "e-mail ou senha incorretos"}},
		{"the server's own", "GET", "/api/v1/no-such-thing", e.owner, nil, 404, desk.ENOTFOUND, want{
			"no such endpoint: GET /api/v1/no-such-thing", "unbekannter Endpunkt: GET /api/v1/no-such-thing", "endpoint inexistente: GET /api/v1/no-such-thing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, al := range []struct{ header, lang, want string }{
				{"", "en", tc.want.en},
				{"de-DE,de;q=0.9", "de", tc.want.de},
				{"pt-BR", "pt", tc.want.pt},
				{"fr-FR,fr;q=0.9", "en", tc.want.en},
				{"fr;q=1, pt;q=0.5, de;q=0.8", "de", tc.want.de},
			} {
				var body io.Reader
				if tc.body != nil {
					raw, _ := json.Marshal(tc.body)
					body = strings.NewReader(string(raw))
				}
				req, _ := http.NewRequest(tc.method, e.ts.URL+tc.path, body)
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				if al.header != "" {
					req.Header.Set("Accept-Language", al.header)
				}
				resp, err := e.ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var er api.Error
				if err := json.Unmarshal(raw, &er); err != nil {
					t.Fatalf("Accept-Language %q: %s: %v", al.header, raw, err)
				}
				if resp.StatusCode != tc.status || er.Code != tc.code {
					t.Errorf("Accept-Language %q: %d %q, want %d %q", al.header, resp.StatusCode, er.Code, tc.status, tc.code)
				}
				if er.Message != al.want {
					t.Errorf("Accept-Language %q: message %q, want %q", al.header, er.Message, al.want)
				}
				if got := resp.Header.Get("Content-Language"); got != al.lang {
					t.Errorf("Accept-Language %q: Content-Language %q, want %q", al.header, got, al.lang)
				}
			}
		})
	}
}

// TestWebSocketErrorLanguage checks that the events connection answers a
// bad message in the language of its upgrade request.
func TestWebSocketErrorLanguage(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ header, want string }{
		{"", `unknown message type "bogus" (want signal, resume or ping)`},
		{"de-DE,de;q=0.9", `unbekannter Nachrichtentyp "bogus" (erwartet: signal, resume oder ping)`},
		{"pt-BR", `tipo de mensagem desconhecido "bogus" (use signal, resume ou ping)`},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		h := http.Header{"Authorization": {"Bearer " + e.owner}}
		if tc.header != "" {
			h.Set("Accept-Language", tc.header)
		}
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.ts.URL, "http")+"/api/v1/events", &websocket.DialOptions{HTTPHeader: h})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		conn.SetReadLimit(1 << 24)
		c := &wsClient{t: t, conn: conn}
		c.ready()
		c.send(map[string]string{"type": "bogus"})
		m := c.next()
		var er api.Error
		json.Unmarshal(m.Data, &er)
		if m.Type != api.TypeError || er.Code != desk.EINVALID || er.Message != tc.want {
			t.Errorf("Accept-Language %q: %s %q %q, want error %q %q", tc.header, m.Type, er.Code, er.Message, desk.EINVALID, tc.want)
		}
		conn.CloseNow()
	}
}
