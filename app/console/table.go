package console

import (
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
)

// column is one column of a session table.
type column struct {
	title string
	width float32
	text  func(s api.Session, now time.Time) string
	// less orders two sessions; nil compares the texts.
	less func(a, b api.Session, now time.Time) bool
}

// sessionTable is a sortable table of sessions: a click on a header sorts
// by that column (again: reverses), a click on a row opens the session.
type sessionTable struct {
	c       *Console
	cols    []column
	rows    []api.Session
	sortCol int
	desc    bool
	load    func() []api.Session
	onOpen  func(api.Session)
	table   *widget.Table
	empty   *widget.Label
	content fyne.CanvasObject
}

var highlight = color.NRGBA{R: 0xe5, G: 0x39, B: 0x35, A: 0x50}

func newSessionTable(c *Console, cols []column, sortCol int, desc bool, emptyText string, load func() []api.Session) *sessionTable {
	t := &sessionTable{c: c, cols: cols, sortCol: sortCol, desc: desc, load: load}
	t.table = widget.NewTable(
		func() (int, int) { return len(t.rows), len(t.cols) },
		func() fyne.CanvasObject {
			bg := canvas.NewRectangle(color.Transparent)
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewStack(bg, l)
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			st := o.(*fyne.Container)
			bg, l := st.Objects[0].(*canvas.Rectangle), st.Objects[1].(*widget.Label)
			if id.Row >= len(t.rows) || id.Col >= len(t.cols) {
				l.SetText("")
				return
			}
			s := t.rows[id.Row]
			now := c.cfg.Now()
			l.SetText(t.cols[id.Col].text(s, now))
			want := color.Color(color.Transparent)
			if _, over, ok := FirstLine(s, c.m.Channel(s.ChannelID), now); ok && over {
				want = highlight
			}
			if bg.FillColor != want {
				bg.FillColor = want
				bg.Refresh()
			}
		})
	t.table.ShowHeaderRow = true
	t.table.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		b := o.(*widget.Button)
		if id.Col < 0 || id.Col >= len(t.cols) {
			b.SetText("")
			return
		}
		title := t.cols[id.Col].title
		if id.Col == t.sortCol {
			if t.desc {
				title += " ▼"
			} else {
				title += " ▲"
			}
		}
		b.SetText(title)
		col := id.Col
		b.OnTapped = func() { t.SortBy(col) }
	}
	for i, col := range cols {
		t.table.SetColumnWidth(i, col.width)
	}
	t.table.OnSelected = func(id widget.TableCellID) {
		t.table.UnselectAll()
		if id.Row >= 0 && id.Row < len(t.rows) && t.onOpen != nil {
			t.onOpen(t.rows[id.Row])
		}
	}
	t.empty = widget.NewLabel(emptyText)
	t.empty.Alignment = fyne.TextAlignCenter
	t.empty.Importance = widget.LowImportance
	t.content = container.NewStack(t.table, container.NewVBox(layoutSpacer(44), t.empty))
	return t
}

func layoutSpacer(h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(1, h))
	return r
}

// SortBy sorts by column col; the same column again reverses the order.
func (t *sessionTable) SortBy(col int) {
	if col == t.sortCol {
		t.desc = !t.desc
	} else {
		t.sortCol, t.desc = col, false
	}
	t.Refresh()
}

// Refresh reloads the rows and redraws.
func (t *sessionTable) Refresh() {
	rows := t.load()
	now := t.c.cfg.Now()
	if t.sortCol >= 0 && t.sortCol < len(t.cols) {
		col := t.cols[t.sortCol]
		less := col.less
		if less == nil {
			less = func(a, b api.Session, now time.Time) bool {
				return strings.ToLower(col.text(a, now)) < strings.ToLower(col.text(b, now))
			}
		}
		sort.SliceStable(rows, func(i, j int) bool {
			if t.desc {
				return less(rows[j], rows[i], now)
			}
			return less(rows[i], rows[j], now)
		})
	}
	t.rows = rows
	if len(rows) == 0 {
		t.empty.Show()
	} else {
		t.empty.Hide()
	}
	t.table.Refresh()
}

// Rows returns the rows as shown.
func (t *sessionTable) Rows() []api.Session { return t.rows }

// CellText returns the text of a cell as shown.
func (t *sessionTable) CellText(row, col int) string {
	return t.cols[col].text(t.rows[row], t.c.cfg.Now())
}

// Highlighted reports whether a row is highlighted (past the first-line limit).
func (t *sessionTable) Highlighted(row int) bool {
	s := t.rows[row]
	_, over, ok := FirstLine(s, t.c.m.Channel(s.ChannelID), t.c.cfg.Now())
	return ok && over
}

// Display texts.

var stateTitles = map[string]string{
	"waiting": "Waiting", "active": "Active", "queued": "Queued", "expired": "Expired", "closed": "Closed",
}

// StateText is the state as shown.
func StateText(state string) string {
	if t, ok := stateTitles[state]; ok {
		return L(t)
	}
	return state
}

// stateRank orders states by urgency for sorting.
var stateRank = map[string]int{"queued": 0, "active": 1, "waiting": 2, "expired": 3, "closed": 4}

// Dur formats a duration as m:ss, or h:mm:ss from an hour on.
func Dur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func endUser(s api.Session) string {
	if s.EndUserName != "" {
		return s.EndUserName
	}
	if s.Device.User != "" {
		return s.Device.User + " (" + L("device user") + ")"
	}
	return L("(no name)")
}

func osText(d api.Device) string {
	return strings.TrimSpace(osName(d.OS) + " " + d.OSVersion)
}

func osName(os string) string {
	switch strings.ToLower(os) {
	case "linux":
		return "Linux"
	case "windows":
		return "Windows"
	case "darwin", "macos":
		return "macOS"
	}
	return os
}

func ipText(d api.Device) string {
	var parts []string
	if d.PublicIP != "" {
		parts = append(parts, d.PublicIP)
	}
	if len(d.LocalIPs) > 0 {
		parts = append(parts, d.LocalIPs[0])
	}
	return strings.Join(parts, " / ")
}

func (c *Console) assigneeText(s api.Session) string {
	if s.AssigneeID == 0 {
		return "—"
	}
	name := s.AssigneeName
	if name == "" {
		name = c.m.techName(s.AssigneeID)
	}
	if s.AssigneeID == c.m.Me().ID {
		return L("me")
	}
	return name
}

// queueWait is the wait for sorting: links nobody opened yet wait for nothing.
func (c *Console) queueWait(s api.Session, now time.Time) time.Duration {
	if s.State == "waiting" && s.AgentJoinedAt == nil {
		return -1
	}
	return c.m.QueueWait(s, now)
}

// Common columns.
func (c *Console) colState() column {
	return column{title: L("State"), width: 90, text: func(s api.Session, _ time.Time) string { return StateText(s.State) },
		less: func(a, b api.Session, now time.Time) bool {
			if stateRank[a.State] != stateRank[b.State] {
				return stateRank[a.State] < stateRank[b.State]
			}
			return c.queueWait(a, now) > c.queueWait(b, now) // the longest wait first
		}}
}

func (c *Console) colEndUser() column {
	return column{title: L("End user"), width: 170, text: func(s api.Session, _ time.Time) string { return endUser(s) }}
}

func (c *Console) colChannel() column {
	return column{title: L("Channel"), width: 130, text: func(s api.Session, _ time.Time) string { return c.m.channelName(s) }}
}

func (c *Console) colAssignee() column {
	return column{title: L("Assignee"), width: 130, text: func(s api.Session, _ time.Time) string { return c.assigneeText(s) }}
}

func (c *Console) colWaiting() column {
	return column{title: L("Waiting time"), width: 110,
		text: func(s api.Session, now time.Time) string {
			if s.State == "waiting" && s.AgentJoinedAt == nil {
				return L("link not used")
			}
			return Dur(c.m.QueueWait(s, now))
		},
		less: func(a, b api.Session, now time.Time) bool { return c.queueWait(a, now) < c.queueWait(b, now) }}
}

func (c *Console) colTimer() column {
	return column{title: L("First-line timer"), width: 160,
		text: func(s api.Session, now time.Time) string {
			d, over, ok := FirstLine(s, c.m.Channel(s.ChannelID), now)
			switch {
			case !ok && s.State == "waiting":
				return L("link not opened yet")
			case !ok:
				return "—"
			case over:
				return Dur(d) + " ⚠ " + L("over limit")
			}
			return Dur(d) + " / " + Dur(FirstLineLimit(c.m.Channel(s.ChannelID)))
		},
		less: func(a, b api.Session, now time.Time) bool {
			da, _, _ := FirstLine(a, c.m.Channel(a.ChannelID), now)
			db, _, _ := FirstLine(b, c.m.Channel(b.ChannelID), now)
			return da < db
		}}
}

func (c *Console) colOS() column {
	return column{title: L("Device OS"), width: 140, text: func(s api.Session, _ time.Time) string { return osText(s.Device) }}
}

func (c *Console) colIP() column {
	return column{title: L("IP (public / local)"), width: 200, text: func(s api.Session, _ time.Time) string { return ipText(s.Device) }}
}

func (c *Console) colProblem() column {
	return column{title: L("Problem"), width: 220, text: func(s api.Session, _ time.Time) string {
		return strings.ReplaceAll(s.Problem, "\n", " ")
	}}
}
