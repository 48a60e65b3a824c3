package ui

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/tetherdesk/tether/assets"
)

// Languages are the languages both apps are translated into (assets/
// translations/apps/<lang>.json), the values SetupLanguage accepts.
var Languages = []string{"en", "de", "pt"}

// PrefLanguage is the Fyne preference holding a chosen language; empty or
// absent means the OS decides.
const PrefLanguage = "language"

const translationsDir = "translations/apps"

// SetupLanguage registers the apps' translations with Fyne's lang package.
// The OS locale picks the language (LC_ALL, LC_MESSAGES, LANG and LANGUAGE
// on Linux and BSD; the user's language on Windows and macOS), falling back
// to English; a non-empty override ("en", "de" or "pt") wins, on Linux and
// BSD once the caller has set the environment LocaleEnv gives. Call it
// before building any window content: lang.L translates when called.
func SetupLanguage(override string) error {
	if override != "" && !slices.Contains(Languages, override) {
		return fmt.Errorf("language %q: want one of %s", override, strings.Join(Languages, ", "))
	}
	if err := lang.AddTranslationsFS(assets.FS, translationsDir); err != nil {
		return fmt.Errorf("translations: %w", err)
	}
	for language, locales := range regional {
		for _, l := range locales {
			if err := loadAs(language, l); err != nil {
				return err
			}
		}
	}
	if override != "" && !localeFromEnv() {
		return aliasSystemLocale(override)
	}
	return nil
}

// LocaleEnv returns the environment variables to set (before SetupLanguage)
// so that Fyne picks language where it reads the user's languages from the
// environment; nil elsewhere, or for no or an unknown language. Fyne's lang package has
// no setter in v2.7: it matches the environment against the loaded
// translations whenever translations are added. LANGUAGE, the gettext list
// of preferred languages, takes precedence over LC_ALL/LANG there except
// under the C locale, where that variable itself must change. getenv is
// os.Getenv: only main packages read the environment.
func LocaleEnv(language string, getenv func(string) string) map[string]string {
	if !slices.Contains(Languages, language) || !localeFromEnv() {
		return nil
	}
	env := map[string]string{"LANGUAGE": language}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" {
			env[k] = language
		}
		break
	}
	return env
}

// regional lists, for each of our languages, the regional variants Fyne
// ships its own translations for. Fyne matches the user's locale against
// every language it knows, so pt_BR picks Fyne's "pt-BR", where go-i18n
// would not find our "pt" texts and would fall back to English: they are
// loaded under those variants too.
var regional = map[string][]fyne.Locale{"pt": {"pt-BR"}}

// localeFromEnv tells whether Fyne (github.com/jeandeaual/go-locale) reads
// the user's languages from the environment on this OS, rather than from
// an OS API.
func localeFromEnv() bool {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android", "js":
		return false
	}
	return true
}

// aliasSystemLocale loads language's translations under the OS locale's
// tag (e.g. "de-DE"), which Fyne then matches exactly: the apps' own texts
// follow the override; Fyne's few built-in texts stay in the OS language.
func aliasSystemLocale(language string) error {
	return loadAs(language, lang.SystemLocale())
}

// loadAs loads language's translations under another locale's tag.
func loadAs(language string, l fyne.Locale) error {
	data, err := assets.FS.ReadFile(translationsDir + "/" + language + ".json")
	if err != nil {
		return err
	}
	if err := lang.AddTranslationsForLocale(data, l); err != nil {
		return fmt.Errorf("translations %s as %s: %w", language, l, err)
	}
	return nil
}
