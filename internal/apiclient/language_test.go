package apiclient_test

import (
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/apiclient"
)

// TestLanguage checks that Options.Language reaches the broker on requests
// and on the events connection: its error messages come in that language,
// their codes unchanged.
func TestLanguage(t *testing.T) {
	b := newBroker(t)
	for _, tc := range []struct {
		language             string
		wrongLogin, badToken string
	}{
		{"", "wrong email or password", "missing, invalid or expired token"},
		{"de", "E-Mail oder Passwort falsch", "Token fehlt, ist ungültig oder abgelaufen"},
		{"pt-BR", "e-mail ou senha incorretos", "token ausente, inválido ou expirado"},
		{"fr-FR, de;q=0.5", "E-Mail oder Passwort falsch", "Token fehlt, ist ungültig oder abgelaufen"},
	} {
		c, err := apiclient.New(b.URL(), apiclient.Options{Language: tc.language})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Login(testCtx(t), ownerEmail, "wrong")
		var e *apiclient.Error
		if !asError(err, &e) || e.Code != apiclient.CodeUnauthorized || e.Message != tc.wrongLogin {
			t.Errorf("Language %q: login: %#v, want %q", tc.language, err, tc.wrongLogin)
		}

		c.SetToken("not-a-valid-token")
		rec := newRecorder()
		ev := c.Connect(testCtx(t), rec.config(0))
		select {
		case <-ev.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("events did not stop on 401")
		}
		if !asError(ev.Err(), &e) || e.Code != apiclient.CodeUnauthorized || e.Message != tc.badToken {
			t.Errorf("Language %q: events: %#v, want %q", tc.language, ev.Err(), tc.badToken)
		}
		ev.Close()
	}
}
