package manage

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// dashboardTab is the lead's live view: the queue of every channel now and
// today's SLA and satisfaction figures.
type dashboardTab struct {
	s       *Screens
	content fyne.CanvasObject

	updated *widget.Label
	summary *widget.Label
	grid    *fyne.Container
	flagged *fyne.Container

	// cells holds each channel's row of labels by column name, for tests
	// and for a glance at what is shown (UI goroutine only).
	cells map[int64]map[string]*widget.Label
	// flaggedRows holds the texts of the low ratings shown.
	flaggedRows []string
}

// dashboard columns
const (
	colChannel   = "channel"
	colWaiting   = "waiting"
	colLongest   = "longest"
	colRouted    = "routed"
	colAvailable = "available"
	colSLA       = "sla"
	colBreaches  = "breaches"
	colRating    = "rating"
)

var dashColumns = []string{colChannel, colWaiting, colLongest, colRouted, colAvailable, colSLA, colBreaches, colRating}

func dashColumnTitle(c string) string {
	switch c {
	case colChannel:
		return lang.L("Channel")
	case colWaiting:
		return lang.L("Waiting now")
	case colLongest:
		return lang.L("Longest wait")
	case colRouted:
		return lang.L("Technicians")
	case colAvailable:
		return lang.L("Available")
	case colSLA:
		return lang.L("SLA target")
	case colBreaches:
		return lang.L("SLA breaches today")
	case colRating:
		return lang.L("Avg. rating today")
	}
	return c
}

func newDashboardTab(s *Screens) *dashboardTab {
	t := &dashboardTab{s: s, cells: map[int64]map[string]*widget.Label{}}
	t.updated = widget.NewLabel(lang.L("Loading…"))
	t.updated.Importance = widget.LowImportance
	t.summary = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.summary.Wrapping = fyne.TextWrapWord
	t.grid = container.NewGridWithColumns(len(dashColumns))
	t.flagged = container.NewVBox()
	refresh := widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), func() { s.reload("dashboard") })
	top := container.NewBorder(nil, nil, heading(lang.L("Service desk today")), container.NewHBox(t.updated, refresh))
	body := container.NewVBox(
		top, t.summary,
		widget.NewSeparator(),
		heading(lang.L("Queues")),
		hint(lang.L("Waiting: sessions in the queue and active ones nobody answered yet. Technicians: enabled technicians the channel is routed to; Available: those of them set to Available.")),
		t.grid,
		widget.NewSeparator(),
		heading(lang.L("Low ratings to follow up (today)")),
		t.flagged,
	)
	t.content = container.NewVScroll(container.NewPadded(body))
	return t
}

// load fetches the queue and today's report; runs off the UI goroutine.
func (t *dashboardTab) load() {
	ctx, cancel := t.s.ctx()
	defer cancel()
	queue, err := t.s.b.Queue(ctx)
	if err != nil {
		t.failed(err)
		return
	}
	now := t.s.cfg.Now()
	y, m, d := now.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	rep, err := t.s.b.Report(ctx, apiclient.ReportQuery{From: start, To: now})
	if err != nil {
		t.failed(err)
		return
	}
	t.s.ui(func() { t.show(queue, rep, now) })
}

func (t *dashboardTab) failed(err error) {
	t.s.ui(func() {
		t.updated.SetText(lang.L("Not updated: ") + errorText(err))
		t.updated.Importance = widget.DangerImportance
		t.updated.Refresh()
	})
}

// show lays out the figures (UI goroutine).
func (t *dashboardTab) show(queue []api.QueueRow, rep *api.Report, now time.Time) {
	t.updated.Importance = widget.LowImportance
	t.updated.SetText(fmt.Sprintf(lang.L("Updated %s"), now.Format("15:04:05")))

	byChannel := map[int64]api.ReportRow{}
	for _, r := range rep.Channels {
		byChannel[r.ChannelID] = r
	}
	sla := map[int64]int64{}
	for _, c := range t.s.chanList {
		sla[c.ID] = c.SLAResponseSeconds
	}

	objs := make([]fyne.CanvasObject, 0, (len(queue)+1)*len(dashColumns))
	for _, c := range dashColumns {
		objs = append(objs, widget.NewLabelWithStyle(dashColumnTitle(c), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	t.cells = map[int64]map[string]*widget.Label{}
	waiting := 0
	for _, q := range queue {
		waiting += q.Waiting
		r := byChannel[q.ChannelID]
		row := map[string]*widget.Label{}
		set := func(col, text string, imp widget.Importance) {
			l := widget.NewLabel(text)
			l.Importance = imp
			l.Truncation = fyne.TextTruncateEllipsis
			row[col] = l
			objs = append(objs, l)
		}
		set(colChannel, q.ChannelName, widget.MediumImportance)
		imp := widget.MediumImportance
		if q.Waiting > 0 && q.Available == 0 {
			imp = widget.DangerImportance // people wait and nobody can take them
		}
		set(colWaiting, fmt.Sprint(q.Waiting), imp)
		imp = widget.MediumImportance
		if s := sla[q.ChannelID]; s > 0 && q.LongestWaitSeconds > s {
			imp = widget.WarningImportance
		}
		longest := "–"
		if q.Waiting > 0 {
			longest = formatWait(time.Duration(q.LongestWaitSeconds) * time.Second)
		}
		set(colLongest, longest, imp)
		set(colRouted, fmt.Sprint(q.Routed), widget.MediumImportance)
		imp = widget.MediumImportance
		if q.Available == 0 {
			imp = widget.WarningImportance
		}
		set(colAvailable, fmt.Sprint(q.Available), imp)
		target := lang.L("none")
		if s := sla[q.ChannelID]; s > 0 {
			target = formatWait(time.Duration(s) * time.Second)
		}
		set(colSLA, target, widget.MediumImportance)
		imp = widget.MediumImportance
		if r.SLABreaches > 0 {
			imp = widget.DangerImportance
		}
		set(colBreaches, fmt.Sprint(r.SLABreaches), imp)
		set(colRating, ratingText(r.AvgRating, r.Ratings), widget.MediumImportance)
		t.cells[q.ChannelID] = row
	}
	t.grid.Objects = objs
	t.grid.Refresh()
	if len(queue) == 0 {
		t.grid.Objects = []fyne.CanvasObject{hint(lang.L("No channels yet."))}
	}

	tot := rep.Total
	t.summary.SetText(fmt.Sprintf(lang.L("%d waiting now · %d sessions today · %d SLA breaches · average rating %s · low ratings: %d"),
		waiting, tot.Sessions, tot.SLABreaches, ratingText(tot.AvgRating, tot.Ratings), len(rep.Flagged)))

	t.flaggedRows = nil
	var rows []fyne.CanvasObject
	for _, f := range rep.Flagged {
		who := lang.L("unassigned")
		if f.AssigneeID != 0 {
			who = t.s.techName(f.AssigneeID)
		}
		comment := strings.TrimSpace(f.Comment)
		if comment == "" {
			comment = lang.L("(no comment)")
		} else {
			comment = "“" + comment + "”"
		}
		text := fmt.Sprintf(lang.L("%s %d/5 · session #%d · %s · %s · %s · %s"),
			stars(f.Stars), f.Stars, f.SessionID, t.s.channelName(f.ChannelID), who, f.At.In(now.Location()).Format("15:04"), comment)
		t.flaggedRows = append(t.flaggedRows, text)
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		rows = append(rows, l)
	}
	if len(rows) == 0 {
		rows = append(rows, hint(lang.L("No low ratings today.")))
	}
	t.flagged.Objects = rows
	t.flagged.Refresh()
}

func stars(n int) string {
	n = max(0, min(5, n))
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

func ratingText(avg float64, n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf(lang.L("%.1f of 5 (%d)"), avg, n)
}

// formatWait shows a duration the way a queue board does: 45s, 12m, 1h 05m.
func formatWait(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}
