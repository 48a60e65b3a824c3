//go:build screenshots

package viewer

import (
	"context"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/rtc"
	"github.com/tetherdesk/tether/internal/xvfbtest"
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

func TestScreenshots(t *testing.T) {
	dir := os.Getenv("SHOTS")
	local := os.Getenv("DISPLAY")
	remote := xvfbtest.Start(t, 1280, 720)
	if out, err := exec.Command("display", "-display", remote, "-window", "root", "-resize", "1280x720!", dir+"/remote.png").CombinedOutput(); err != nil {
		t.Logf("display: %v %s", err, out)
	}
	e := newEnv(t)
	g, _ := e.owner.CreateGroup(ctx(), "Tier 1", "")
	ch, _ := e.owner.CreateChannel(ctx(), api.ChannelRequest{Name: "Design", GroupIDs: []int64{g.ID}, AcceptsSOS: true})
	e.createTech("tina@example.com", "technician", g.ID)
	tom := e.createTech("tom@example.com", "technician", g.ID)
	tc, tina := e.login("tina@example.com")
	tina.Name = "tina"
	agent, _ := apiclient.New(e.url, apiclient.Options{})
	j, _ := agent.SubmitSOS(ctx(), api.SOSRequest{ChannelID: ch.ID, Name: "Aaron Meyer", Problem: "printer", Device: testDevice})
	sid := j.Session.SessionID
	tc.Take(ctx(), sid)
	sess, _ := tc.Invite(ctx(), sid, tom.ID)
	agent.AgentPostMessage(ctx(), "Hello, my printer says it is offline.")
	tc.PostMessage(ctx(), sid, "Hi Aaron, I am connecting to your computer now.")

	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	var win atomic.Pointer[Window]
	techEvents := tc.Connect(runCtx, apiclient.EventsConfig{OnEvent: func(env api.Envelope) {
		if w := win.Load(); w != nil && env.SessionID == sid {
			w.HandleEvent(env)
		}
	}})
	agentEvents := agent.Connect(runCtx, apiclient.EventsConfig{})
	agentSigs := agentEvents.Signals(sid)
	time.Sleep(500 * time.Millisecond)
	consent, _ := tc.RequestRemote(ctx(), sid, "control")

	a := realApp
	loop := rtc.Config{ListenAddr: "127.0.0.1"}
	var w *Window
	var err error
	fyne.DoAndWait(func() {
		w, err = Open(Config{App: a, Client: tc, Events: techEvents, Session: *sess, Me: tina, Mode: ModeControl, ConsentID: consent.ID, RTC: loop})
	})
	if err != nil {
		t.Fatal(err)
	}
	win.Store(w)
	shot := func(name string) {
		time.Sleep(1500 * time.Millisecond)
		if out, err := exec.Command("import", "-display", local, "-window", "root", dir+"/"+name+".png").CombinedOutput(); err != nil {
			t.Errorf("import: %v %s", err, out)
		}
	}
	func() {
		shot("7-viewer-waiting")
		agent.AnswerConsent(ctx(), consent.ID, "allow_control")
		rec := &input.Recorder{}
		h, err := media.NewHost(ctx(), media.HostConfig{RTC: loop, Capture: capture.Config{Display: remote}, Injector: rec},
			&agentSignaler{ch: agentSigs, technicianID: tina.ID})
		if err != nil {
			t.Error(err)
			return
		}
		defer h.Close()
		h.Allow(input.ModeControl)
		time.Sleep(2 * time.Second)
		shot("8-viewer-view-only")
		fyne.DoAndWait(func() { w.tb.control.SetSelected("Control"); w.tb.toggleChat() })
		agent.AgentPostMessage(ctx(), "I can see your pointer moving!")
		shot("9-viewer-control-chat")
		fyne.DoAndWait(w.tb.showActions)
		shot("9b-viewer-actions")
		fyne.DoAndWait(func() { w.tb.quality.SetSelected("Speed (smooth)") }) // closes the menu
		fyne.DoAndWait(w.tb.showActions)
		shot("9c-viewer-quality-speed")
		fyne.DoAndWait(w.tb.actionMenu.Hide)
		fyne.DoAndWait(func() { w.tb.showCollaborators() })
		shot("10-viewer-collaborators")
		w.Close()
	}()
}
