package console

import (
	"context"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tetherdesk/tether/internal/api"
)

var availabilities = []string{"available", "busy", "away"}

var availabilityTitles = map[string]string{"available": "Available", "busy": "Busy", "away": "Away"}

var roleTitles = map[string]string{"technician": "Channel technician", "channel_manager": "Channel manager",
	"tech_manager": "Technical manager", "owner": "Owner"}

// mainScreen is the console after login.
type mainScreen struct {
	c       *Console
	content fyne.CanvasObject

	who          *widget.Label
	availability *widget.Select
	newSession   *widget.Button
	byCode       *widget.Button
	logoutBtn    *widget.Button
	banner       *fyne.Container
	bannerText   *canvas.Text
	errLabel     *widget.Label
	tabs         *container.AppTabs

	home      *sessionTable
	homeTab   *container.TabItem
	channels  *channelsView
	settingAv bool
}

func newMainScreen(c *Console) *mainScreen {
	s := &mainScreen{c: c}
	s.who = widget.NewLabel("")
	s.who.TextStyle.Bold = true
	opts := make([]string, len(availabilities))
	for i, a := range availabilities {
		opts[i] = L(availabilityTitles[a])
	}
	s.availability = widget.NewSelect(opts, s.availabilityChanged)
	s.newSession = widget.NewButtonWithIcon(L("New session"), theme.ContentAddIcon(), func() { c.showNewSession(0) })
	s.newSession.Importance = widget.HighImportance
	s.byCode = widget.NewButtonWithIcon(L("Connect by code"), theme.LoginIcon(), c.showConnectByCode)
	s.logoutBtn = widget.NewButtonWithIcon(L("Log out"), theme.LogoutIcon(), c.logout)

	s.bannerText = canvas.NewText("", color.Black)
	s.bannerText.TextStyle.Bold = true
	bg := canvas.NewRectangle(color.NRGBA{R: 0xff, G: 0xc1, B: 0x07, A: 0xff})
	s.banner = container.NewStack(bg, container.NewPadded(container.NewCenter(s.bannerText)))
	s.banner.Hide()
	s.errLabel = widget.NewLabel("")
	s.errLabel.Importance = widget.DangerImportance
	s.errLabel.Wrapping = fyne.TextWrapWord
	s.errLabel.Hide()

	header := container.NewHBox(
		widget.NewIcon(theme.AccountIcon()), s.who,
		widget.NewLabel(L("Status:")), s.availability,
		layout.NewSpacer(),
		s.newSession, s.byCode, s.logoutBtn,
	)

	s.home = newSessionTable(c, []column{c.colState(), c.colEndUser(), c.colChannel(), c.colTimer(), c.colOS(), c.colIP(), c.colProblem()},
		0, false, L("No sessions assigned to you. Take one from a channel's queue, create a new session or connect by code."), c.m.Home)
	s.home.onOpen = func(sess api.Session) { c.openDetail(sess.ID) }
	homeHint := widget.NewLabel(L("Sessions assigned to you and sessions you collaborate on. Click a row to open it."))
	homeHint.Importance = widget.LowImportance
	s.homeTab = container.NewTabItemWithIcon(L("Home"), theme.HomeIcon(), container.NewBorder(homeHint, nil, nil, nil, s.home.content))

	s.channels = newChannelsView(c)
	s.tabs = container.NewAppTabs(s.homeTab, container.NewTabItemWithIcon(L("Queues"), theme.ListIcon(), s.channels.content))

	top := container.NewVBox(container.NewPadded(header), s.banner, s.errLabel, widget.NewSeparator())
	s.content = container.NewBorder(top, nil, nil, nil, s.tabs)
	s.updateMe()
	return s
}

// updateMe redraws what depends on the account: name, availability, buttons.
func (s *mainScreen) updateMe() {
	me := s.c.m.Me()
	role := roleTitles[me.Role]
	if role == "" {
		role = me.Role
	}
	s.who.SetText(fmt.Sprintf("%s (%s)", me.Name, L(role)))
	s.settingAv = true
	if t, ok := availabilityTitles[me.Availability]; ok {
		s.availability.SetSelected(L(t))
	}
	s.settingAv = false
	if CanClaimCodes(me) {
		s.byCode.Show()
	} else {
		s.byCode.Hide()
	}
	s.refreshCreate()
}

func (s *mainScreen) refreshCreate() {
	me := s.c.m.Me()
	can := false
	for _, ch := range s.c.m.Channels() {
		if CanCreate(me, ch) {
			can = true
		}
	}
	if can {
		s.newSession.Show()
	} else {
		s.newSession.Hide()
	}
}

func (s *mainScreen) availabilityChanged(title string) {
	if s.settingAv {
		return
	}
	var av string
	for _, a := range availabilities {
		if L(availabilityTitles[a]) == title {
			av = a
		}
	}
	if av == "" {
		return
	}
	c := s.c
	var me api.Account
	c.run(func(ctx context.Context, cl Client) error {
		var err error
		me, err = cl.SetAvailability(ctx, av)
		return err
	}, func(err error) {
		if err != nil {
			s.setError(L("Could not change your status:") + " " + errText(err))
			s.updateMe()
			return
		}
		c.m.setMe(me)
		s.setError("")
		s.updateMe()
	})
}

func (s *mainScreen) setBanner(st ConnState) {
	switch st {
	case Reconnecting:
		s.bannerText.Text = L("Connection to the broker lost — reconnecting… Lists catch up automatically.")
	case Stopped:
		s.bannerText.Text = L("Disconnected from the broker. Log out and log in again.")
	default:
		s.banner.Hide()
		return
	}
	s.bannerText.Refresh()
	s.banner.Show()
}

func (s *mainScreen) setError(msg string) {
	s.errLabel.SetText(msg)
	if msg == "" {
		s.errLabel.Hide()
	} else {
		s.errLabel.Show()
	}
}

func (s *mainScreen) refreshChannels() {
	s.channels.refreshChannels()
	s.refreshCreate()
}

func (s *mainScreen) refreshSessions() {
	s.home.Refresh()
	n := len(s.home.Rows())
	if n > 0 {
		s.homeTab.Text = fmt.Sprintf("%s (%d)", L("Home"), n)
	} else {
		s.homeTab.Text = L("Home")
	}
	s.tabs.Refresh()
	s.channels.refreshSessions()
}

func (s *mainScreen) tick() {
	s.home.table.Refresh()
	s.channels.tick()
}
