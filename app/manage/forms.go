package manage

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// idPicker is a CheckGroup over things with ids, whose labels may change
// between reloads while the selection (by id) is kept.
type idPicker struct {
	check  *widget.CheckGroup
	ids    []int64
	labels []string
	empty  *widget.Label
	box    *fyne.Container
}

func newIDPicker(emptyText string) *idPicker {
	p := &idPicker{check: widget.NewCheckGroup(nil, nil), empty: widget.NewLabel(emptyText)}
	p.check.Horizontal = false
	p.empty.Importance = widget.LowImportance
	p.box = container.NewVBox(p.empty, p.check)
	return p
}

// setOptions replaces the options, keeping the selected ids.
func (p *idPicker) setOptions(ids []int64, labels []string) {
	sel := p.selected()
	p.ids, p.labels = ids, labels
	p.check.Options = labels
	p.set(sel)
	if len(ids) == 0 {
		p.empty.Show()
	} else {
		p.empty.Hide()
	}
}

func (p *idPicker) set(ids []int64) {
	var sel []string
	for i, id := range p.ids {
		if slices.Contains(ids, id) {
			sel = append(sel, p.labels[i])
		}
	}
	p.check.SetSelected(sel)
}

func (p *idPicker) selected() []int64 {
	var out []int64
	for i, l := range p.labels {
		if slices.Contains(p.check.Selected, l) {
			out = append(out, p.ids[i])
		}
	}
	return out
}

func (p *idPicker) enable(on bool) {
	if on {
		p.check.Enable()
	} else {
		p.check.Disable()
	}
}

// numberEntry is an entry for a whole, non-negative number.
func numberEntry(placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	e.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		if _, err := parseNumber(s); err != nil {
			return err
		}
		return nil
	}
	return e
}

func parseNumber(s string) (float64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%s", lang.L("enter a number, like 15"))
	}
	return f, nil
}

// formatNumber shows whole numbers without decimals.
func formatNumber(f float64) string {
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
}

// splitList parses "pdf, png  zip" into lower-case items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		f = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(f), "."))
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// hint is a small grey explanation under a form field.
func hint(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// heading is a bold title.
func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}
