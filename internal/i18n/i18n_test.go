package i18n

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// update rewrites en.json from the code and prints what de and pt lack:
//
//	go test ./internal/i18n -run TestKeys -update
var update = flag.Bool("update", false, "rewrite "+Dir+"/en.json from the code's keys")

// appDirs are the directories of the two desktop apps.
var appDirs = []string{"app", "agent", "internal/ui"}

func extract(t *testing.T) (string, []Key) {
	t.Helper()
	root, err := Root(".")
	if err != nil {
		t.Fatal(err)
	}
	keys, errs := Extract(root, appDirs...)
	for _, err := range errs {
		t.Error(err)
	}
	if len(keys) < 100 {
		t.Fatalf("only %d keys found in %v: is the extractor still seeing lang.L calls?", len(keys), appDirs)
	}
	return root, keys
}

func read(t *testing.T, root, lang string) map[string]string {
	t.Helper()
	m, err := ReadFile(filepath.Join(root, Dir, lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestKeys: every key the apps use is translated into every language, and
// no file keeps a key the code no longer uses.
func TestKeys(t *testing.T) {
	root, keys := extract(t)
	if *update {
		en := map[string]string{}
		old, _ := ReadFile(filepath.Join(root, Dir, "en.json"))
		for _, k := range keys {
			en[k.Text] = k.Text
			if v, ok := old[k.Text]; ok { // keep reworded English
				en[k.Text] = v
			}
		}
		if err := WriteFile(filepath.Join(root, Dir, "en.json"), en); err != nil {
			t.Fatal(err)
		}
	}
	used := map[string]Key{}
	for _, k := range keys {
		used[k.Text] = k
	}
	for _, lang := range Languages {
		m := read(t, root, lang)
		for _, k := range keys {
			if v, ok := m[k.Text]; !ok {
				t.Errorf("%s.json lacks %q (used at %s)", lang, k.Text, strings.Join(k.Uses, ", "))
			} else if strings.TrimSpace(v) == "" {
				t.Errorf("%s.json: %q is empty", lang, k.Text)
			}
		}
		for k := range m {
			if _, ok := used[k]; !ok {
				t.Errorf("%s.json has %q, which the code no longer uses: remove it", lang, k)
			}
		}
	}
}

// TestPlaceholders: a translation has the same fmt verbs and template
// actions as its key (verbs may be reordered with %[n]s).
func TestPlaceholders(t *testing.T) {
	root := rootDir(t)
	for _, lang := range Languages {
		for k, v := range read(t, root, lang) {
			if want, got := Placeholders(k), Placeholders(v); !slices.Equal(want, got) {
				t.Errorf("%s.json %q: placeholders %v, want %v (%q)", lang, k, got, want, v)
			}
		}
	}
}

// TestFilesParse: Fyne's lang package (go-i18n) reads every file as one
// message per key; a reserved key written as a plain string would turn the
// whole file into a single message.
func TestFilesParse(t *testing.T) {
	root := rootDir(t)
	for _, lang := range Languages {
		path := filepath.Join(root, Dir, lang+".json")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b := goi18n.NewBundle(language.English)
		f, err := b.ParseMessageFileBytes(raw, lang+".json")
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if f.Tag != language.Make(lang) {
			t.Errorf("%s: language %v", path, f.Tag)
		}
		if n := len(read(t, root, lang)); len(f.Messages) != n {
			t.Errorf("%s: go-i18n reads %d messages, the file has %d keys", path, len(f.Messages), n)
		}
		loc := goi18n.NewLocalizer(b, lang)
		for _, m := range f.Messages {
			if _, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: m.ID, TemplateData: map[string]any{}}); err != nil {
				t.Errorf("%s %q: %v", path, m.ID, err)
			}
		}
	}
}

// TestPlaceholdersFunc pins the placeholder comparison itself.
func TestPlaceholdersFunc(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"%s of %d", "%s von %d", true},
		{"%s of %d", "%[2]d: %[1]s", true},
		{"%s of %d", "%d von %s", false},
		{"100%% sure %s", "%s sicher", true},
		{"try in {{.N}} s", "in {{ .N }} s erneut", true},
		{"try in {{.N}} s", "erneut", false},
		{"%s", "", false},
	} {
		if got := slices.Equal(Placeholders(c.a), Placeholders(c.b)); got != c.same {
			t.Errorf("%q vs %q: same=%v, want %v", c.a, c.b, got, c.same)
		}
	}
}

func rootDir(t *testing.T) string {
	t.Helper()
	root, err := Root(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}
