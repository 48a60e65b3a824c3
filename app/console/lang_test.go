package console

import (
	"os"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/tetherdesk/tether/internal/ui/uitest"
)

// TestLoginScreenInGerman: with German chosen, the login screen shows
// German texts and no English text that has a translation.
func TestLoginScreenInGerman(t *testing.T) {
	de := uitest.UseLanguage(t, "de", os.Getenv)
	h := newHarness(t, newBroker(t, nil))
	l := h.c.login
	if l.button.Text != "Anmelden" {
		t.Errorf("login button %q, want Anmelden", l.button.Text)
	}
	texts := uitest.ShownTexts(h.win.Content())
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
