package sos

import (
	"os"
	"testing"

	"github.com/tetherdesk/tether/internal/ui/uitest"
)

// TestStartScreenInGerman: with German chosen, the start screen shows
// German texts and no English text that has a translation.
func TestStartScreenInGerman(t *testing.T) {
	de := uitest.UseLanguage(t, "de", os.Getenv)
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
		texts = uitest.ShownTexts(h.app.win.Content())
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
