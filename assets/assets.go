// Package assets holds the files built into the binaries: the Tether icon,
// and the broker's public pages (html/template templates, their style
// sheet) with their translations, one JSON file per page group and
// language (translations/landing.{en,de,pt}.json), and the desktop apps'
// translations for Fyne's lang package (translations/apps/{en,de,pt}.json,
// checked against the code by internal/i18n), and the broker's error
// messages in German and Portuguese, keyed by their English format
// (translations/errors.{de,pt}.json, checked by internal/server).
package assets

import "embed"

// FS holds templates/, translations/ and icon.png.
//
//go:embed templates translations icon.png
var FS embed.FS
