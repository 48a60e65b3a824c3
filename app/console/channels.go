package console

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
)

// channelsView is the Channels tab: the channels I may see with their
// waiting counts on the left, the selected channel's queue on the right.
type channelsView struct {
	c        *Console
	content  fyne.CanvasObject
	list     *widget.List
	chans    []api.Channel // index 0 of the list is "All my channels"
	selected int64         // channel id, 0: all
	loaded   map[int64]bool
	title    *widget.Label
	summary  *widget.Label
	filter   *widget.RadioGroup
	state    string // "all" or a state
	create   *widget.Button
	queue    *sessionTable
}

var filterStates = append([]string{"all"}, States...)

func newChannelsView(c *Console) *channelsView {
	v := &channelsView{c: c, state: "all", loaded: map[int64]bool{}}
	v.list = widget.NewList(
		func() int { return len(v.chans) + 1 },
		func() fyne.CanvasObject {
			name := widget.NewLabel("channel name")
			name.Truncation = fyne.TextTruncateEllipsis
			count := widget.NewLabel("00 in queue")
			return container.NewBorder(nil, nil, nil, count, name)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			b := o.(*fyne.Container)
			name, count := b.Objects[0].(*widget.Label), b.Objects[1].(*widget.Label)
			var chID int64
			if id == 0 {
				name.SetText(L("All my channels"))
				name.TextStyle.Bold = true
			} else if id-1 < len(v.chans) {
				name.SetText(v.chans[id-1].Name)
				name.TextStyle.Bold = false
				chID = v.chans[id-1].ID
			}
			n, _ := c.m.Waiting(chID, c.cfg.Now())
			count.SetText(fmt.Sprintf(L("%d in queue"), n))
			if n > 0 {
				count.Importance = widget.WarningImportance
			} else {
				count.Importance = widget.LowImportance
			}
			count.Refresh()
			name.Refresh()
		})
	v.list.OnSelected = func(id widget.ListItemID) {
		if id == 0 {
			v.selectChannel(0)
		} else if id-1 < len(v.chans) {
			v.selectChannel(v.chans[id-1].ID)
		}
	}
	opts := make([]string, len(filterStates))
	for i, s := range filterStates {
		if s == "all" {
			opts[i] = L("All")
		} else {
			opts[i] = StateText(s)
		}
	}
	v.filter = widget.NewRadioGroup(opts, func(title string) {
		for i, o := range opts {
			if o == title {
				v.SetFilter(filterStates[i])
			}
		}
	})
	v.filter.Horizontal = true
	v.filter.Required = true

	v.title = widget.NewLabel("")
	v.title.TextStyle.Bold = true
	v.summary = widget.NewLabel("")
	v.create = widget.NewButtonWithIcon(L("New session in this channel"), theme.ContentAddIcon(), func() { c.showNewSession(v.selected) })

	v.queue = newSessionTable(c, []column{c.colState(), c.colEndUser(), c.colChannel(), c.colAssignee(), c.colWaiting(), c.colOS(), c.colIP()},
		0, false, L("No sessions in this view."), func() []api.Session { return c.m.Queue(v.selected, v.state) })
	v.queue.onOpen = func(s api.Session) { c.openDetail(s.ID) }
	v.filter.SetSelected(opts[0])

	hint := widget.NewLabel(L("Click a column title to sort, a row to open the session."))
	hint.Importance = widget.LowImportance
	top := container.NewVBox(
		container.NewHBox(v.title, v.summary, layout.NewSpacer(), v.create),
		container.NewHBox(widget.NewLabel(L("Show:")), v.filter),
		hint,
	)
	right := container.NewBorder(top, nil, nil, nil, v.queue.content)
	left := container.NewBorder(widget.NewLabelWithStyle(L("Channels"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, v.list)
	split := container.NewHSplit(left, right)
	split.Offset = 0.22
	v.content = split
	v.list.Select(0)
	return v
}

// SetFilter shows only sessions in state ("all": every state).
func (v *channelsView) SetFilter(state string) {
	v.state = state
	if state == "expired" || state == "closed" || state == "all" {
		v.loadHistory(v.selected)
	}
	v.queue.Refresh()
}

func (v *channelsView) selectChannel(id int64) {
	v.selected = id
	v.loadHistory(id)
	v.refreshHeader()
	v.queue.Refresh()
}

// loadHistory fetches a channel's ended sessions, which the initial load
// leaves out; events keep them current afterwards.
func (v *channelsView) loadHistory(id int64) {
	if v.loaded[id] {
		return
	}
	v.loaded[id] = true
	m := v.c.m
	since := m.Gen()
	v.c.run(func(ctx context.Context, cl Client) error {
		list, err := cl.ListSessions(ctx, SessionQuery{ChannelID: id, Limit: 500})
		if err != nil {
			return err
		}
		m.merge(list, since)
		return nil
	}, func(err error) {
		if err != nil {
			v.loaded[id] = false
			return
		}
		v.queue.Refresh()
	})
}

func (v *channelsView) refreshHeader() {
	now := v.c.cfg.Now()
	name := L("All my channels")
	var ch *api.Channel
	if v.selected != 0 {
		ch = v.c.m.Channel(v.selected)
		if ch != nil {
			name = ch.Name
		}
	}
	v.title.SetText(L("Queue:") + " " + name)
	n, longest := v.c.m.Waiting(v.selected, now)
	if n > 0 {
		v.summary.SetText(fmt.Sprintf(L("%d queued for a technician, longest wait %s"), n, Dur(longest)))
	} else {
		v.summary.SetText(L("nobody queued"))
	}
	if ch != nil && CanCreate(v.c.m.Me(), *ch) {
		v.create.Show()
	} else {
		v.create.Hide()
	}
}

func (v *channelsView) refreshChannels() {
	v.chans = v.c.m.Channels()
	if v.selected != 0 && v.c.m.Channel(v.selected) == nil {
		v.selected = 0
		v.list.Select(0)
	}
	v.list.Refresh()
	v.refreshHeader()
}

func (v *channelsView) refreshSessions() {
	v.list.Refresh()
	v.refreshHeader()
	v.queue.Refresh()
}

func (v *channelsView) tick() {
	v.refreshHeader()
	v.queue.table.Refresh()
}
