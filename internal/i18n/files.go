package i18n

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ReadFile reads one language's file: a flat JSON object from key to
// text. A key that go-i18n reserves ("Description", "Other", "ID", ...)
// must be written as {"other": "text"}, otherwise go-i18n takes the whole
// file for one message; both forms are accepted here.
func ReadFile(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = s
			continue
		}
		var o struct {
			Other *string `json:"other"`
		}
		if err := json.Unmarshal(v, &o); err != nil || o.Other == nil {
			return nil, fmt.Errorf("%s: %q: want a string or {\"other\": string}", path, k)
		}
		out[k] = *o.Other
	}
	return out, nil
}

// Reserved reports whether go-i18n reserves key at the top level of a file.
func Reserved(key string) bool {
	switch strings.ToLower(key) {
	case "id", "description", "hash", "leftdelim", "rightdelim", "zero", "one", "two", "few", "many", "other", "translation":
		return true
	}
	return false
}

// WriteFile writes a language file sorted by key, reserved keys in their
// object form, without HTML escaping (translators read these files).
func WriteFile(path string, m map[string]string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, k := range keys {
		b.WriteString("  " + quote(k) + ": ")
		if Reserved(k) {
			b.WriteString(`{"other": ` + quote(m[k]) + `}`)
		} else {
			b.WriteString(quote(m[k]))
		}
		if i < len(keys)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return strconv.Quote(s)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

var (
	verbRE     = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)
	templateRE = regexp.MustCompile(`\{\{[^}]*\}\}`)
)

// Placeholders returns a text's fmt verbs (numbered by the argument they
// take, so "%[2]s %[1]d" matches "%d %s" reordered) and template actions,
// sorted, for comparing a translation with its key.
func Placeholders(s string) []string {
	var out []string
	arg := 0
	for _, m := range verbRE.FindAllStringSubmatch(s, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			arg, _ = strconv.Atoi(m[1])
		} else {
			arg++
		}
		out = append(out, fmt.Sprintf("%%[%d]%s", arg, m[2]))
	}
	for _, t := range templateRE.FindAllString(s, -1) {
		out = append(out, strings.Join(strings.Fields(t), ""))
	}
	sort.Strings(out)
	return out
}
