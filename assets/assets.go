// Package assets holds the files built into the binaries: the Tether icon,
// and the broker's public pages (html/template templates, their style
// sheet) with their translations, one JSON file per page group and
// language (translations/landing.{en,de,pt}.json).
package assets

import "embed"

// FS holds templates/, translations/ and icon.png.
//
//go:embed templates translations icon.png
var FS embed.FS
