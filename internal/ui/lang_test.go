package ui

import (
	"os"
	"testing"

	"fyne.io/fyne/v2/lang"
)

// TestSetupLanguage: the OS locale picks the language, regional variants
// included, unknown languages fall back to English, and an override wins,
// also under the C locale.
func TestSetupLanguage(t *testing.T) {
	for _, c := range []struct {
		env      map[string]string
		override string
		want     string // lang.L("Connect")
	}{
		{map[string]string{"LANG": "de_DE.UTF-8"}, "", "Verbinden"},
		{map[string]string{"LANG": "de_AT.UTF-8"}, "", "Verbinden"},
		{map[string]string{"LANG": "pt_BR.UTF-8"}, "", "Conectar"},
		{map[string]string{"LANG": "pt_PT.UTF-8"}, "", "Conectar"},
		{map[string]string{"LANG": "en_US.UTF-8"}, "", "Connect"},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, "", "Connect"},
		{map[string]string{"LANG": "C"}, "", "Connect"},
		{map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "pt_BR.UTF-8"}, "", "Verbinden"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "pt", "Conectar"},
		{map[string]string{"LANG": "pt_BR.UTF-8"}, "de", "Verbinden"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "en", "Connect"},
		{map[string]string{"LANG": "C"}, "de", "Verbinden"},
		{map[string]string{"LC_ALL": "POSIX"}, "pt", "Conectar"},
	} {
		for _, k := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
			t.Setenv(k, c.env[k])
		}
		for k, v := range LocaleEnv(c.override, os.Getenv) {
			t.Setenv(k, v)
		}
		if err := SetupLanguage(c.override); err != nil {
			t.Fatal(err)
		}
		if got := lang.L("Connect"); got != c.want {
			t.Errorf("%v, override %q: %q, want %q", c.env, c.override, got, c.want)
		}
	}
	if err := SetupLanguage("fr"); err == nil {
		t.Error("override fr accepted")
	}
	t.Setenv("LANGUAGE", "")
	t.Setenv("LANG", "en_US.UTF-8")
	if err := SetupLanguage(""); err != nil {
		t.Fatal(err)
	}
}

// TestAliasSystemLocale is the override on Windows and macOS, where Fyne
// asks the OS, not the environment: the chosen language is loaded under
// the system locale's tag. Here the "system" is the Linux environment.
func TestAliasSystemLocale(t *testing.T) {
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "de_CH.UTF-8")
	if err := SetupLanguage(""); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Connect"); got != "Verbinden" {
		t.Fatalf("before: %q", got)
	}
	if err := aliasSystemLocale("pt"); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Connect"); got != "Conectar" {
		t.Errorf("de_CH with pt aliased: %q, want Conectar", got)
	}
	t.Setenv("LANG", "en_US.UTF-8")
	if err := SetupLanguage(""); err != nil {
		t.Fatal(err)
	}
}
