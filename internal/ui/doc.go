// Package ui holds the Fyne widgets shared by the technician app and the
// end-user agent: the remote screen view (frames in, input events out) and,
// later, chat and theme pieces. It may import Fyne and internal/input but
// nothing of the service desk (api, store, server): widgets get data through
// methods and report user actions through callbacks, so the owner decides
// what travels where.
package ui
