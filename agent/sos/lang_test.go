package sos

import (
	"encoding/json"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/assets"
	tui "github.com/tetherdesk/tether/internal/ui"
)

// TestStartScreenInGerman: with German chosen, the start screen shows
// German texts and no English text that has a translation.
func TestStartScreenInGerman(t *testing.T) {
	de := useLanguage(t, "de")
	h := newHarness(t, Config{BrokerURL: "https://support.example.com", NewBroker: fixedBroker(newFakeBroker(activeSession))})
	h.screen(ScreenStart)
	var texts map[string]bool
	h.ui(func() {
		if got := h.app.ui.codeBtn.Text; got != "Sitzungscode anfordern" {
			t.Errorf("code button %q", got)
		}
		if got := h.app.ui.sosBtn.Text; got != "Hilfe anfordern (SOS Call)" {
			t.Errorf("SOS button %q", got)
		}
		texts = shownTexts(h.app.win.Content())
	})
	for _, want := range []string{"Verbinden", "Kein Link?", "Hat Ihr Techniker Ihnen einen Support-Link geschickt?"} {
		if !texts[want] {
			t.Errorf("start screen lacks %q; shows %v", want, texts)
		}
	}
	for s := range texts {
		if tr, ok := de[s]; ok && tr != s {
			t.Errorf("start screen shows English %q (German: %q)", s, tr)
		}
	}
}

// useLanguage switches the apps' texts to language for one test and back
// to English after it; it returns that language's translations.
func useLanguage(t *testing.T, language string) map[string]string {
	t.Helper()
	t.Setenv("LANGUAGE", "")
	for k, v := range tui.LocaleEnv(language, os.Getenv) {
		t.Setenv(k, v)
	}
	if err := tui.SetupLanguage(language); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // before t.Setenv restores the environment
		os.Setenv("LANGUAGE", "en")
		if err := tui.SetupLanguage("en"); err != nil {
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
