package manage

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// auditLimit bounds the records shown at once; the CSV export has no limit.
const auditLimit = 5000

// knownActions are offered in the action filter (any text may be typed).
var knownActions = []string{
	"login", "logout", "create", "code_issued", "claim_code", "sos_call", "agent_join",
	"take", "respond", "release", "transfer", "invite", "connect", "close", "delete", "expire",
	"consent_requested", "consent_granted", "consent_denied", "chat_message", "file_sent", "rated",
	"channel_created", "channel_updated", "channel_deleted", "group_created", "group_updated", "group_deleted",
	"account_created", "account_updated", "availability",
}

// auditTab shows the audit log with filters and exports it as CSV.
type auditTab struct {
	s       *Screens
	content fyne.CanvasObject

	session  *widget.Entry
	actor    *widget.Select
	action   *widget.SelectEntry
	from, to *widget.DateEntry
	count    *widget.Label
	table    *widget.Table

	actorIDs []int64 // parallel to actor.Options; 0 is "anyone"
	records  []api.AuditRecord
}

var auditColumns = []string{"time", "who", "action", "session", "channel", "target", "detail"}

func auditColumnTitle(c string) string {
	switch c {
	case "time":
		return lang.L("Time")
	case "who":
		return lang.L("Who")
	case "action":
		return lang.L("Action")
	case "session":
		return lang.L("Session")
	case "channel":
		return lang.L("Channel")
	case "target":
		return lang.L("Target")
	case "detail":
		return lang.L("Detail")
	}
	return c
}

var auditWidths = []float32{150, 150, 150, 70, 120, 140, 320}

func newAuditTab(s *Screens) *auditTab {
	t := &auditTab{s: s}
	t.session = widget.NewEntry()
	t.session.SetPlaceHolder(lang.L("any"))
	t.session.Validator = func(v string) error {
		if _, err := parseSessionID(v); err != nil {
			return err
		}
		return nil
	}
	t.actor = widget.NewSelect([]string{lang.L("Anyone")}, nil)
	t.actor.SetSelectedIndex(0)
	t.actorIDs = []int64{0}
	t.action = widget.NewSelectEntry(append([]string{""}, knownActions...))
	t.action.SetPlaceHolder(lang.L("any"))
	t.from = widget.NewDateEntry()
	t.to = widget.NewDateEntry()
	search := widget.NewButtonWithIcon(lang.L("Show"), theme.SearchIcon(), t.search)
	search.Importance = widget.HighImportance
	clear := widget.NewButton(lang.L("Clear filters"), t.clear)
	export := widget.NewButtonWithIcon(lang.L("Export CSV…"), theme.DownloadIcon(), t.export)
	t.count = widget.NewLabel("")
	t.count.Importance = widget.LowImportance

	label := func(s string) fyne.CanvasObject { return widget.NewLabel(s) }
	filters := container.NewVBox(
		container.NewGridWithColumns(5,
			container.NewBorder(nil, nil, label(lang.L("Session #")), nil, t.session),
			container.NewBorder(nil, nil, label(lang.L("Who")), nil, t.actor),
			container.NewBorder(nil, nil, label(lang.L("Action")), nil, t.action),
			container.NewBorder(nil, nil, label(lang.L("From")), nil, t.from),
			container.NewBorder(nil, nil, label(lang.L("To")), nil, t.to),
		),
		container.NewHBox(search, clear, widget.NewSeparator(), export, t.count),
	)

	t.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.records), len(auditColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(t.records) {
				o.(*widget.Label).SetText(t.cell(t.records[id.Row], auditColumns[id.Col]))
			}
		})
	t.table.ShowHeaderColumn = false
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		if id.Row < 0 && id.Col >= 0 {
			l.TextStyle.Bold = true
			l.SetText(auditColumnTitle(auditColumns[id.Col]))
		}
	}
	for i, w := range auditWidths {
		t.table.SetColumnWidth(i, w)
	}
	t.content = container.NewBorder(container.NewPadded(filters), nil, nil, nil, t.table)
	return t
}

func parseSessionID(v string) (int64, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "#")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s", lang.L("a session number, like 42"))
	}
	return n, nil
}

// setData refreshes the actor filter after a reload; the first one also
// shows the log.
func (t *auditTab) setData() {
	first := len(t.actorIDs) == 1 && t.records == nil
	sel := t.actorIDs[max(0, t.actor.SelectedIndex())]
	opts, ids := []string{lang.L("Anyone")}, []int64{0}
	for _, a := range t.s.techList {
		opts, ids = append(opts, techLabel(a)), append(ids, a.ID)
	}
	t.actor.Options, t.actorIDs = opts, ids
	t.actor.SetSelectedIndex(max(0, slices.Index(ids, sel)))
	if first {
		t.search()
	}
}

// query reads the filters.
func (t *auditTab) query() (apiclient.AuditQuery, error) {
	var q apiclient.AuditQuery
	var err error
	if q.SessionID, err = parseSessionID(t.session.Text); err != nil {
		return q, fmt.Errorf("%s: %v", lang.L("Session #"), err)
	}
	if i := t.actor.SelectedIndex(); i > 0 && i < len(t.actorIDs) {
		q.ActorID = t.actorIDs[i]
	}
	q.Action = strings.TrimSpace(t.action.Text)
	if t.from.Date != nil {
		y, m, d := t.from.Date.Date()
		q.From = time.Date(y, m, d, 0, 0, 0, 0, time.Local)
	}
	if t.to.Date != nil {
		y, m, d := t.to.Date.Date()
		q.To = time.Date(y, m, d+1, 0, 0, 0, 0, time.Local) // the whole last day
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, fmt.Errorf("%s", lang.L("The From date must not be after the To date."))
	}
	return q, nil
}

func (t *auditTab) clear() {
	t.session.SetText("")
	t.actor.SetSelectedIndex(0)
	t.action.SetText("")
	t.from.SetDate(nil)
	t.to.SetDate(nil)
	t.search()
}

func (t *auditTab) search() {
	q, err := t.query()
	if err != nil {
		dialog.ShowError(err, t.s.cfg.Window)
		return
	}
	q.Limit = auditLimit
	var recs []api.AuditRecord
	t.count.SetText(lang.L("Loading…"))
	t.s.do(lang.L("Could not load the audit log"), func(ctx context.Context) error {
		var err error
		recs, err = t.s.b.Audit(ctx, q)
		return err
	}, func() {
		slices.Reverse(recs) // the broker pages oldest first; a lead reads newest first
		t.records = recs
		if recs == nil {
			t.records = []api.AuditRecord{}
		}
		switch {
		case len(recs) >= auditLimit:
			t.count.SetText(fmt.Sprintf(lang.L("The first %d records; narrow the filters or export CSV for all."), len(recs)))
		case len(recs) == 0:
			t.count.SetText(lang.L("No records match."))
		default:
			t.count.SetText(fmt.Sprintf(lang.L("%d records, newest first"), len(recs)))
		}
		t.table.Refresh()
		t.table.ScrollToTop()
	})
}

func (t *auditTab) cell(r api.AuditRecord, col string) string {
	switch col {
	case "time":
		return r.At.Local().Format("2006-01-02 15:04:05")
	case "who":
		switch {
		case r.ActorName != "":
			return r.ActorName
		case r.ActorKind == "agent":
			return lang.L("end user")
		}
		return r.ActorKind
	case "action":
		return strings.ReplaceAll(r.Action, "_", " ")
	case "session":
		if r.SessionID == 0 {
			return ""
		}
		return "#" + strconv.FormatInt(r.SessionID, 10)
	case "channel":
		return t.s.channelName(r.ChannelID)
	case "target":
		return r.Target
	case "detail":
		return r.Detail
	}
	return ""
}

// export asks where to save and writes the CSV of the current filters.
func (t *auditTab) export() {
	q, err := t.query()
	if err != nil {
		dialog.ShowError(err, t.s.cfg.Window)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, t.s.cfg.Window)
			return
		}
		if w == nil {
			return // cancelled
		}
		t.exportTo(q, w, w.URI().Name())
	}, t.s.cfg.Window)
	d.SetFileName("tether-audit-" + t.s.cfg.Now().Format("2006-01-02") + ".csv")
	d.Show()
}

// exportTo writes the CSV into w and closes it.
func (t *auditTab) exportTo(q apiclient.AuditQuery, w io.WriteCloser, name string) {
	t.count.SetText(lang.L("Exporting…"))
	t.s.do(lang.L("Could not export the audit log"), func(ctx context.Context) error {
		err := t.s.b.AuditCSVQuery(ctx, q, w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	}, func() {
		t.count.SetText(fmt.Sprintf(lang.L("Exported to %s"), name))
	})
}
