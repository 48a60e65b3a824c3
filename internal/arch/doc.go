// Package arch holds no code: its test guards the import rules of DESIGN.md
// (which package may depend on which) so that the layering cannot erode
// silently.
package arch
