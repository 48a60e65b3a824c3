//go:build screenshots

package manage

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"

	"github.com/tetherdesk/tether/internal/api"
)

// TestMain runs the GL driver on the main goroutine, as it must.
func TestMain(m *testing.M) {
	realApp = fyneapp.NewWithID("desk.tether.shots")
	code := make(chan int, 1)
	go func() {
		code <- m.Run()
		realApp.Quit()
	}()
	realApp.Run()
	os.Exit(<-code)
}

// TestScreenshots runs the screens in a real window on $DISPLAY and saves
// a screenshot of each tab to $SHOTS.
func TestScreenshots(t *testing.T) {
	e := newEnv(t)
	g, _ := e.owner.CreateGroup(ctx(), "Designers", "Mac and Adobe")
	e.owner.CreateGroup(ctx(), "Tier 2", "")
	e.createTech("tina@example.com", "technician", g.ID)
	e.createTech("bob@example.com", "technician", g.ID)
	e.createTech("carl@example.com", "channel_manager")
	bob, _ := e.login("bob@example.com")
	bob.SetAvailability(ctx(), "away")
	design, _ := e.owner.CreateChannel(ctx(), api.ChannelRequest{Name: "Design", Description: "Graphic design department (Macs)", GroupIDs: []int64{g.ID}, SLAResponseSeconds: 300, AcceptsSOS: true})
	accounts, _ := e.owner.CreateChannel(ctx(), api.ChannelRequest{Name: "Accounts", SLAResponseSeconds: 600, AcceptsSOS: true})
	tc, _ := e.login("tina@example.com")
	a1, s1 := e.agent(design.ID, "Aaron")
	a5, s5 := e.agent(design.ID, "Eve")
	e.clock.Advance(2 * time.Minute)
	tc.Take(ctx(), s5)
	e.clock.Advance(8 * time.Minute)
	tc.Take(ctx(), s1)
	e.clock.Advance(10 * time.Minute)
	tc.Close(ctx(), s1)
	tc.Close(ctx(), s5)
	a1.Rate(ctx(), 2, "took too long, and the printer still does not work")
	a5.Rate(ctx(), 5, "")
	e.agent(design.ID, "Bert")
	e.clock.Advance(5 * time.Minute)
	e.agent(accounts.ID, "Dora")
	e.clock.Advance(3 * time.Minute)

	a := realApp
	var w fyne.Window
	var s *Screens
	var tabs *container.AppTabs
	fyne.DoAndWait(func() {
		w = a.NewWindow("Tether — manager screens")
		s = New(Config{App: a, Window: w, Client: e.owner, Me: e.me, Now: e.clock.Now})
		tabs = container.NewAppTabs(s.Tabs()...)
		w.SetContent(tabs)
		w.Resize(fyne.NewSize(1400, 860))
		w.Show()
	})
	dir := os.Getenv("SHOTS")
	func() {
		time.Sleep(2 * time.Second)
		shot := func(name string) {
			time.Sleep(1200 * time.Millisecond)
			if out, err := exec.Command("import", "-window", "root", dir+"/"+name+".png").CombinedOutput(); err != nil {
				t.Errorf("import: %v %s", err, out)
			}
		}
		s.wait()
		shot("1-dashboard")
		fyne.DoAndWait(func() { tabs.SelectIndex(1); s.channels.list.Select(1) })
		shot("2-channels")
		fyne.DoAndWait(func() { tabs.SelectIndex(2); s.groups.list.Select(0) })
		shot("3-groups")
		fyne.DoAndWait(func() {
			tabs.SelectIndex(3)
			s.techs.list.Select(2)
			s.techs.rights[rightOrder[8]].SetChecked(false)
		})
		shot("4-technicians")
		fyne.DoAndWait(func() { tabs.SelectIndex(4) })
		shot("5-audit")
		fyne.DoAndWait(func() { tabs.SelectIndex(1); s.channels.startNew() })
		shot("6-new-channel")
		fyne.DoAndWait(func() { w.Close() })
	}()
}
