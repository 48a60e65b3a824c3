// Package i18n keeps the desktop apps' translations complete and clean.
//
// Both apps translate with Fyne's lang package, the English text being the
// key: lang.L("Connect"), or a package's own L/Lf helper around it. Extract
// finds those keys in the source; the tests of this package check them
// against assets/translations/apps/{en,de,pt}.json (every key in every
// language, no stale keys, the same placeholders). Standard library only:
// it reads Go source, it does not import Fyne.
package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Languages are the languages the apps ship, English first (the fallback).
var Languages = []string{"en", "de", "pt"}

// Dir is where the apps' translation files live, relative to the module root.
const Dir = "assets/translations/apps"

// translators are the names of the functions whose first argument is a
// translation key: Fyne's lang.L / lang.Localize / lang.X / lang.LocalizeKey
// and the packages' own L and Lf helpers. Plural forms (lang.N, lang.XN)
// are reported as unsupported until a file format for them is chosen.
var translators = map[string]bool{"L": true, "Lf": true, "Localize": true, "X": true, "LocalizeKey": true}

var plurals = map[string]bool{"N": true, "XN": true, "LocalizePlural": true, "LocalizePluralKey": true}

// Key is one translation key and where the code uses it.
type Key struct {
	Text string
	Uses []string // "file.go:line", relative to the root given to Extract
}

// Extract parses the Go files (tests excluded) under the given directories
// of root and returns every translation key, sorted. A call whose key it
// cannot work out is an error: keys must be string literals, constants,
// or values of a map[string]string literal indexed at the call (directly
// or through a variable defined from the index expression).
func Extract(root string, dirs ...string) ([]Key, []error) {
	x := &extractor{root: root, fset: token.NewFileSet(), keys: map[string]*Key{}}
	for _, d := range dirs {
		pkgs := map[string][]*ast.File{}
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(x.fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], f)
			return nil
		})
		if err != nil {
			x.errs = append(x.errs, err)
		}
		for _, files := range pkgs {
			x.pkg(files)
		}
	}
	out := make([]Key, 0, len(x.keys))
	for _, k := range x.keys {
		sort.Strings(k.Uses)
		out = append(out, *k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Text < out[j].Text })
	return out, x.errs
}

type extractor struct {
	root string
	fset *token.FileSet
	keys map[string]*Key
	errs []error

	// Per package: its package-level string constants and map literals.
	consts map[string]string
	maps   map[string]*ast.CompositeLit
}

func (x *extractor) pos(p token.Pos) string {
	ps := x.fset.Position(p)
	rel, err := filepath.Rel(x.root, ps.Filename)
	if err != nil {
		rel = ps.Filename
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), ps.Line)
}

func (x *extractor) add(text string, at token.Pos) {
	k := x.keys[text]
	if k == nil {
		k = &Key{Text: text}
		x.keys[text] = k
	}
	p := x.pos(at)
	for _, u := range k.Uses {
		if u == p {
			return
		}
	}
	k.Uses = append(k.Uses, p)
}

func (x *extractor) errorf(at token.Pos, format string, args ...any) {
	x.errs = append(x.errs, fmt.Errorf("%s: %s", x.pos(at), fmt.Sprintf(format, args...)))
}

func (x *extractor) pkg(files []*ast.File) {
	x.consts = map[string]string{}
	x.maps = map[string]*ast.CompositeLit{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || (g.Tok != token.CONST && g.Tok != token.VAR) {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i >= len(vs.Values) {
						break
					}
					if s, ok := x.literal(vs.Values[i]); ok && g.Tok == token.CONST {
						x.consts[n.Name] = s
					}
					if m, ok := vs.Values[i].(*ast.CompositeLit); ok {
						x.maps[n.Name] = m
					}
				}
			}
		}
	}
	for _, f := range files {
		var fn *ast.FuncDecl
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				fn = n
				// The helpers themselves (func L(s string) string { return lang.L(s) })
				// pass their parameter on; their callers are what counts.
				if translators[n.Name.Name] && n.Recv == nil {
					return false
				}
			case *ast.CallExpr:
				x.call(n, fn)
			}
			return true
		})
	}
}

func calleeName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok && (id.Name == "lang" || id.Name == "console") {
			return f.Sel.Name
		}
	}
	return ""
}

func (x *extractor) call(c *ast.CallExpr, fn *ast.FuncDecl) {
	name := calleeName(c)
	if plurals[name] {
		x.errorf(c.Pos(), "plural translation %s is not supported by the translation files yet", name)
		return
	}
	if !translators[name] || len(c.Args) == 0 {
		return
	}
	if len(x.resolve(c.Args[0], fn, 0)) == 0 {
		x.errorf(c.Args[0].Pos(), "cannot tell the translation key of %s(...): use a string literal or a map[string]string literal", name)
	}
	for _, s := range x.resolve(c.Args[0], fn, 0) {
		x.add(s, c.Pos())
	}
}

// literal evaluates a constant string expression: literals, package
// constants and their concatenation.
func (x *extractor) literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return x.literal(e.X)
	case *ast.Ident:
		s, ok := x.consts[e.Name]
		return s, ok
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := x.literal(e.X)
		b, ok2 := x.literal(e.Y)
		return a + b, ok1 && ok2
	}
	return "", false
}

// resolve returns the keys an argument can take.
func (x *extractor) resolve(e ast.Expr, fn *ast.FuncDecl, depth int) []string {
	if depth > 4 {
		return nil
	}
	if s, ok := x.literal(e); ok {
		return []string{s}
	}
	switch e := e.(type) {
	case *ast.IndexExpr:
		if id, ok := e.X.(*ast.Ident); ok {
			if m := x.mapLit(id.Name, fn); m != nil {
				return x.mapValues(m)
			}
		}
	case *ast.Ident:
		if fn == nil || fn.Body == nil {
			return nil
		}
		var out []string
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			a, ok := n.(*ast.AssignStmt)
			if !ok || a.Tok != token.DEFINE {
				return true
			}
			for i, l := range a.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == e.Name {
					switch {
					case len(a.Rhs) == len(a.Lhs):
						out = append(out, x.resolve(a.Rhs[i], fn, depth+1)...)
					case len(a.Rhs) == 1 && i == 0: // t, ok := m[k]
						out = append(out, x.resolve(a.Rhs[0], fn, depth+1)...)
					}
				}
			}
			return true
		})
		return out
	}
	return nil
}

// mapLit finds the map literal named name: a variable of the function, or
// of the package.
func (x *extractor) mapLit(name string, fn *ast.FuncDecl) *ast.CompositeLit {
	var found *ast.CompositeLit
	if fn != nil && fn.Body != nil {
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if a, ok := n.(*ast.AssignStmt); ok && len(a.Lhs) == len(a.Rhs) {
				for i, l := range a.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == name {
						if m, ok := a.Rhs[i].(*ast.CompositeLit); ok {
							found = m
						}
					}
				}
			}
			return found == nil
		})
	}
	if found != nil {
		return found
	}
	return x.maps[name]
}

func (x *extractor) mapValues(m *ast.CompositeLit) []string {
	var out []string
	for _, el := range m.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if s, ok := x.literal(kv.Value); ok {
			out = append(out, s)
		}
	}
	return out
}

// Root finds the module root (the directory holding go.mod) from dir up.
func Root(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}
