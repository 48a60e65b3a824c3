package arch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/tetherdesk/tether"

type pkg struct {
	ImportPath string
	Dir        string
	Standard   bool
	Imports    []string
	Deps       []string
	GoFiles    []string
	CgoFiles   []string
	Name       string
}

// listAll returns every package of the module with its non-test
// dependencies, as the go command sees them.
func listAll(t *testing.T, env ...string) map[string]pkg {
	t.Helper()
	return list(t, []string{"-e", module + "/..."}, env...)
}

// list returns the packages matching args (go list arguments) and their
// non-test dependencies.
func list(t *testing.T, args []string, env ...string) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-deps", "-json"}, args...)...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("repository root not found from %s: %v", dir, err)
	}
	return dir
}

func own(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

func isFyne(path string) bool { return strings.HasPrefix(path, "fyne.io/") }

func under(path string, dirs ...string) bool {
	r := rel(path)
	for _, d := range dirs {
		if r == d || strings.HasPrefix(r, d+"/") {
			return true
		}
	}
	return false
}

// TestImportRules checks the numbered rules of DESIGN.md against the real
// dependency graph.
func TestImportRules(t *testing.T) {
	pkgs := listAll(t)
	var checked int
	for path, p := range pkgs {
		if !own(path) {
			continue
		}
		checked++
		for _, dep := range p.Deps {
			d := pkgs[dep]
			switch {
			// 1. desk imports only the standard library.
			case under(path, "internal/desk") && !d.Standard && !under(dep, "internal/desk"):
				t.Errorf("rule 1: %s imports %s; internal/desk may use only the standard library", rel(path), dep)
			// 2. server never imports store.
			case under(path, "internal/server") && under(dep, "internal/store"):
				t.Errorf("rule 2: %s imports %s; the server uses desk's interfaces, only broker/ wires the store", rel(path), rel(dep))
			// 3. api holds data: no pion, Fyne or SQL.
			case under(path, "internal/api") && (strings.HasPrefix(dep, "github.com/pion/") || isFyne(dep) || dep == "database/sql" || strings.HasPrefix(dep, "modernc.org/")):
				t.Errorf("rule 3: %s imports %s; api holds wire types only", rel(path), dep)
			// 4. media packages know nothing of api, store or Fyne.
			case under(path, "internal/rtc", "internal/capture", "internal/codec", "internal/input") &&
				(under(dep, "internal/api", "internal/store", "internal/server", "internal/apiclient") || isFyne(dep)):
				t.Errorf("rule 4: %s imports %s; media packages stay independent of the service desk and the UI", rel(path), dep)
			// 5. only app, agent and internal/ui import Fyne.
			case isFyne(dep) && !under(path, "app", "agent", "internal/ui"):
				t.Errorf("rule 5: %s imports %s; only app/, agent/ and internal/ui may use Fyne", rel(path), dep)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no packages of the module were listed")
	}
}

// TestBrokerBuildsWithoutCgo is rule 5's second half: the broker is a pure Go
// static binary.
func TestBrokerBuildsWithoutCgo(t *testing.T) {
	// Only the broker's tree, and strictly (no -e): the apps need cgo and
	// cannot be listed without it, but any broker dependency that needs
	// cgo must fail here.
	pkgs := list(t, []string{module + "/broker"}, "CGO_ENABLED=0")
	b, ok := pkgs[module+"/broker"]
	if !ok {
		t.Fatal("broker package not listed")
	}
	for _, dep := range append([]string{b.ImportPath}, b.Deps...) {
		if isFyne(dep) {
			t.Errorf("broker links %s", dep)
		}
		if p := pkgs[dep]; len(p.CgoFiles) > 0 {
			t.Errorf("broker dependency %s has cgo files", dep)
		}
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(t.TempDir(), "tether-broker"), "./broker")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build ./broker: %v\n%s", err, out)
	}
}

// TestOnlyMainsReadConfig is rule 6: libraries take config structs; flags and
// the environment are read by main packages only.
func TestOnlyMainsReadConfig(t *testing.T) {
	pkgs := listAll(t)
	forbidden := []string{"flag.", "os.Getenv(", "os.LookupEnv(", "os.Environ("}
	for path, p := range pkgs {
		if !own(path) || p.Name == "main" {
			continue
		}
		if slicesContain(p.Imports, "flag") {
			t.Errorf("rule 6: library %s imports flag", rel(path))
		}
		for _, f := range append(p.GoFiles, p.CgoFiles...) {
			checkFile(t, filepath.Join(p.Dir, f), forbidden)
		}
	}
}

func checkFile(t *testing.T, file string, forbidden []string) {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "//") {
			continue
		}
		for _, f := range forbidden {
			if strings.Contains(line, f) {
				t.Errorf("rule 6: %s:%d uses %s; only main packages read flags and the environment", file, n, strings.TrimSuffix(f, "("))
			}
		}
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
