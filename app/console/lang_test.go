package console

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

// TestLoginScreenInGerman: with German chosen, the login screen shows
// German texts and no English text that has a translation.
func TestLoginScreenInGerman(t *testing.T) {
	de := useLanguage(t, "de")
	h := newHarness(t, newBroker(t, nil))
	l := h.c.login
	if l.button.Text != "Anmelden" {
		t.Errorf("login button %q, want Anmelden", l.button.Text)
	}
	texts := shownTexts(h.win.Content())
	for _, want := range []string{"Broker-Adresse", "E-Mail", "Passwort", "Service-Desk-Konsole – melden Sie sich mit Ihrem Technikerkonto an"} {
		if !texts[want] {
			t.Errorf("login screen lacks %q; shows %v", want, texts)
		}
	}
	for s := range texts {
		if tr, ok := de[s]; ok && tr != s {
			t.Errorf("login screen shows English %q (German: %q)", s, tr)
		}
	}
	// An empty form answers in German too.
	l.broker.SetText("")
	test.Tap(l.button)
	h.waitFor("status", func() bool { return l.status.Text != "" })
	if want := "Geben Sie die Broker-Adresse ein, z. B. https://support.example.com."; l.status.Text != want {
		t.Errorf("status %q, want %q", l.status.Text, want)
	}
}

// useLanguage switches the apps' texts to language for one test and back
// to English after it; it returns that language's translations.
func useLanguage(t *testing.T, language string) map[string]string {
	t.Helper()
	t.Setenv("LANGUAGE", "")
	for k, v := range ui.LocaleEnv(language, os.Getenv) {
		t.Setenv(k, v)
	}
	if err := ui.SetupLanguage(language); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // before t.Setenv restores the environment
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

// shownTexts collects the texts of labels, buttons, entries and plain
// canvas texts in o.
func shownTexts(o fyne.CanvasObject) map[string]bool {
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
