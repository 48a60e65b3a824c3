// Package uitest helps the apps' Fyne test-driver tests check what a
// screen shows in a given language.
package uitest

import (
	"encoding/json"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/assets"
	"github.com/tetherdesk/tether/internal/ui"
)

// UseLanguage switches the apps' texts to language for the rest of the
// test and back to English after it, and returns that language's
// translations. getenv reads the environment (the caller's os.Getenv:
// libraries do not read it themselves).
func UseLanguage(t *testing.T, language string, getenv func(string) string) map[string]string {
	t.Helper()
	t.Setenv("LANGUAGE", "")
	for k, v := range ui.LocaleEnv(language, getenv) {
		t.Setenv(k, v)
	}
	if err := ui.SetupLanguage(language); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // runs before t.Setenv restores the environment
		os.Setenv("LANGUAGE", "en")
		if err := ui.SetupLanguage("en"); err != nil {
			t.Error(err)
		}
	})
	raw, err := assets.FS.ReadFile("translations/apps/" + language + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// ShownTexts collects the texts of labels, buttons, entry placeholders
// and plain canvas texts laid out in o.
func ShownTexts(o fyne.CanvasObject) map[string]bool {
	texts := map[string]bool{}
	for _, obj := range test.LaidOutObjects(o) {
		switch w := obj.(type) {
		case *widget.Label:
			texts[w.Text] = true
		case *widget.Button:
			texts[w.Text] = true
		case *widget.Entry:
			texts[w.PlaceHolder] = true
		case *canvas.Text:
			texts[w.Text] = true
		}
	}
	delete(texts, "")
	return texts
}
