package server

import (
	"bufio"
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/tetherdesk/tether/internal/api"
)

// openAPIOperations lists "METHOD /path" for every operation in the
// OpenAPI file. It reads the paths section by indentation: there is no
// YAML library in the module, and the file's layout is ours.
func openAPIOperations(t *testing.T) []string {
	t.Helper()
	var ops []string
	var inPaths bool
	var current string
	sc := bufio.NewScanner(bytes.NewReader(api.OpenAPI))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "paths:":
			inPaths = true
		case inPaths && line != "" && !strings.HasPrefix(line, " "):
			inPaths = false
		case inPaths && strings.HasPrefix(line, "  /") && strings.HasSuffix(line, ":"):
			current = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case inPaths && current != "":
			for _, m := range []string{"get", "post", "put", "patch", "delete"} {
				if line == "    "+m+":" {
					ops = append(ops, strings.ToUpper(m)+" "+current)
				}
			}
		}
	}
	if len(ops) == 0 {
		t.Fatal("no operations found in openapi.yaml")
	}
	return ops
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e := newEnv(t)
	routes := e.srv.Patterns()
	ops := openAPIOperations(t)
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("route %q is not described in openapi.yaml", r)
		}
	}
	for _, op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("openapi.yaml describes %q, which the server does not serve", op)
		}
	}
	status, body := e.call("GET", "/api/v1/openapi.yaml", "", nil)
	if status != 200 || !bytes.Equal(body, api.OpenAPI) {
		t.Fatalf("served openapi.yaml: %d, %d bytes", status, len(body))
	}
	if !bytes.Contains(api.OpenAPI, []byte("securitySchemes:")) || !bytes.Contains(api.OpenAPI, []byte("scheme: bearer")) {
		t.Error("openapi.yaml lacks the bearer security scheme")
	}
}
