package manage

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// nameList is the master list of a manager tab: one name per row, read
// from items at every refresh (the slice is replaced on reload);
// selecting a row shows that item.
func nameList[T any](placeholder string, items func() []T, name func(T) string, show func(T)) *widget.List {
	l := widget.NewList(
		func() int { return len(items()) },
		func() fyne.CanvasObject { return widget.NewLabel(placeholder) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if list := items(); id < len(list) {
				o.(*widget.Label).SetText(name(list[id]))
			}
		})
	l.OnSelected = func(id widget.ListItemID) {
		if list := items(); id < len(list) {
			show(list[id])
		}
	}
	return l
}
