package e2e

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
)

// Screens and where each window is put. The technician's screen is large
// enough that no two windows overlap (no window manager arranges them);
// the agent's screen shows the test pattern around the agent's window.
const (
	techW, techH   = 2600, 1600
	agentW, agentH = 1440, 810
	patCols        = 4
	patRows        = 3
)

var (
	mainRect   = image.Rect(0, 0, 1280, 800)       // Tess's console
	secondRect = image.Rect(1300, 760, 2580, 1560) // Tom's console, later the owner's
	detailRect = image.Rect(1300, 0, 2340, 720)    // session windows
	viewerRect = image.Rect(0, 820, 1200, 1580)    // the remote viewer
	agentRect  = image.Rect(990, 200, 1430, 800)   // tether-sos on the agent's screen
)

// Click targets relative to their window at the sizes above, measured on
// screenshots (Fyne's dark theme, scale 1, English). Fyne lays a window
// out the same way for the same size, so these hold until a screen's
// layout changes; then a failing step leaves a screenshot to re-measure.
var (
	// console (1280×800)
	loginEmail    = image.Pt(700, 357)
	newSessionBtn = image.Pt(952, 26)
	byCodeBtn     = image.Pt(1098, 26)
	logoutBtn     = image.Pt(1226, 26)
	headerProbe   = image.Pt(952, 14) // blue "New session" button: the console is shown
	homeTab       = image.Pt(45, 75)
	queuesTab     = image.Pt(165, 75)
	dashboardTab  = image.Pt(232, 75) // owner: Home, Queues, Dashboard, …
	homeRow1      = image.Pt(150, 190)
	showQueued    = image.Pt(643, 153)
	queueRow1     = image.Pt(470, 268)
	flaggedRow1   = image.Rect(16, 390, 520, 412) // dashboard: first low rating

	// New session dialog
	nsName   = image.Pt(700, 301)
	nsCreate = image.Pt(640, 380)
	nsCopy   = image.Pt(862, 464)
	nsDone   = image.Pt(640, 571)

	// Connect by code dialog
	codeEntry   = image.Pt(693, 357)
	codeConnect = image.Pt(640, 436)
	dialogProbe = image.Pt(420, 290) // inside the code dialog's panel

	// session window (1040×720)
	remoteBtn    = image.Pt(100, 148)
	remoteProbe  = image.Pt(100, 134) // blue top band of "Start remote session"
	takeBtn      = image.Pt(72, 148)
	takeProbe    = image.Pt(72, 134)
	transferBtn  = image.Pt(348, 148)
	closeBtn     = image.Pt(620, 148)
	askBtn       = image.Pt(600, 434) // "Ask the end user"
	askProbe     = image.Pt(600, 424)
	chatEntry    = image.Pt(590, 693)
	trTechSelect = image.Pt(565, 380)
	trOption3    = image.Pt(445, 492) // third technician offered: Tom (Away) after the owner (Available)
	trOK         = image.Pt(570, 471)
	trProbe      = image.Pt(570, 460)

	// remote viewer (1200×760)
	controlRadio = image.Pt(155, 25)

	// tether-sos (440×600)
	allowControl = image.Pt(220, 383)
	denyProbe    = image.Pt(350, 372)
	agentChat    = image.Pt(190, 533)
	stars        = [5]image.Point{image.Pt(48, 168), image.Pt(134, 168), image.Pt(220, 168), image.Pt(305, 168), image.Pt(391, 168)}
	surveyNote   = image.Pt(200, 250)
	sendRating   = image.Pt(215, 328)
	closeSOS     = image.Pt(215, 573)
	getCodeBtn   = image.Pt(215, 251)
	sosBtn       = image.Pt(215, 330)
	codeCopy     = image.Pt(220, 301)
	sosName      = image.Pt(300, 128)
	sosProblem   = image.Pt(300, 190)
	sosSend      = image.Pt(330, 574)
	sosProbe     = image.Pt(330, 566)
)

var (
	primary = color.RGBA{41, 111, 246, 255} // Fyne's dark theme: high-importance buttons
	panel   = color.RGBA{24, 29, 37, 255}   // a dialog's background
)

func isRed(c color.RGBA) bool    { return c.R > 200 && c.G < 110 && c.B < 110 }
func isOrange(c color.RGBA) bool { return c.R > 200 && c.G > 100 && c.G < 200 && c.B < 90 }
func isBright(c color.RGBA) bool { return c.R > 200 && c.G > 200 && c.B > 200 }

// e2e holds the running product of one test.
type e2e struct {
	t       *testing.T
	tech    *display
	agent   *display
	b       *broker
	pattern []block
	tessID  int64
	tomID   int64

	main   *window // Tess's console
	second *window // Tom's console, then the owner's
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: the end-to-end test through the apps' windows does not run in -short mode")
	}
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("e2e: %s is not installed (run `make deps`)", tool)
		}
	}
	start := time.Now()
	e := &e2e{t: t}
	e.tech = startDisplay(t, "tech", techW, techH)
	e.agent = startDisplay(t, "agent", agentW, agentH)
	e.pattern = e.agent.drawPattern(patCols, patRows)
	e.b = startBroker(t)
	t.Logf("broker at %s; screenshots and logs in %s", e.b.url, shotDir)

	startApp(t, e.tech, "tether-tess", techBin, "--broker", e.b.url)
	e.main = e.tech.findWindow("^Tether$", 60*time.Second)
	e.main.place(mainRect.Min.X, mainRect.Min.Y, mainRect.Dx(), mainRect.Dy())
	e.login(e.main, tess)
	e.main.shot("tess-logged-in")

	steps := []struct {
		name string
		run  func()
	}{
		{"support link, remote control, chat, close, rating", e.linkFlow},
		{"9-digit code", e.codeFlow},
		{"SOS Call and transfer to a second technician", e.sosFlow},
		{"low rating flagged on the lead's dashboard", e.dashboard},
	}
	for _, s := range steps {
		t0 := time.Now()
		t.Logf("== %s", s.name)
		s.run()
		t.Logf("== %s: done in %v", s.name, time.Since(t0).Round(100*time.Millisecond))
	}
	t.Logf("end-to-end test: %v", time.Since(start).Round(time.Second))
}

// login signs a in on a console's login screen, typed like a person.
func (e *e2e) login(w *window, a account) {
	e.t.Helper()
	w.click(loginEmail.X, loginEmail.Y)
	w.key("ctrl+a") // a remembered address from an earlier login is replaced
	w.typeText(a.email)
	w.key("Tab")
	w.typeText(a.password)
	w.key("Return")
	w.waitColor(headerProbe.X, headerProbe.Y, primary, 30*time.Second, "the console after "+a.email+" logs in")
	if a == tess {
		e.tessID = e.accountID(a)
	}
	if a == tom {
		e.tomID = e.accountID(a)
	}
}

func (e *e2e) accountID(a account) int64 {
	var list []api.Account
	e.b.obs.get("/technicians", &list)
	for _, x := range list {
		if x.Email == a.email {
			return x.ID
		}
	}
	e.t.Fatalf("no account %s", a.email)
	return 0
}

// waitSession polls the session (as the owner) until ok, failing with
// the technician's screen otherwise.
func (e *e2e) waitSession(id int64, what string, ok func(api.Session) bool) api.Session {
	e.t.Helper()
	var s api.Session
	poll(e.t, e.tech, 30*time.Second, what, func() bool {
		s = e.b.obs.session(id)
		return ok(s)
	})
	return s
}

// waitNewest polls until the newest session satisfies ok.
func (e *e2e) waitNewest(after int64, what string, ok func(api.Session) bool) api.Session {
	e.t.Helper()
	var s api.Session
	poll(e.t, e.tech, 30*time.Second, what, func() bool {
		s = e.b.obs.newest()
		return s.ID > after && ok(s)
	})
	return s
}

// startAgent runs tether-sos on the agent's screen and puts its window
// beside the pattern.
func (e *e2e) startAgent(name string, args ...string) (*proc, *window) {
	e.t.Helper()
	p := startApp(e.t, e.agent, name, agentBin, append(args, "--downloads", e.t.TempDir())...)
	w := e.agent.findWindow("^Tether SOS", 60*time.Second)
	w.place(agentRect.Min.X, agentRect.Min.Y, agentRect.Dx(), agentRect.Dy())
	return p, w
}

func (e *e2e) openDetail(id int64, except ...*window) *window {
	e.t.Helper()
	d := e.tech.findWindow(fmt.Sprintf("^Session #%d($|:)", id), 30*time.Second, except...)
	d.place(detailRect.Min.X, detailRect.Min.Y, detailRect.Dx(), detailRect.Dy())
	return d
}

// linkFlow: the technician creates a support link, the agent joins with
// it, the technician asks for control, the end user allows it, the
// viewer shows the end user's screen and a click in it moves their
// pointer, both sides chat, the technician closes and the end user rates
// two stars.
func (e *e2e) linkFlow() {
	t, m := e.t, e.main

	m.click(newSessionBtn.X, newSessionBtn.Y)
	m.waitColor(nsCreate.X, nsCreate.Y-10, primary, 10*time.Second, "the New session dialog")
	m.clickType(nsName.X, nsName.Y, "Aaron Miller")
	m.click(nsCreate.X, nsCreate.Y)
	// Copy puts the link on the clipboard, as the technician would to paste
	// it into an e-mail; read it back like another program's paste.
	var link string
	poll(t, e.tech, 20*time.Second, "the support link on the clipboard after Copy", func() bool {
		m.click(nsCopy.X, nsCopy.Y)
		s, err := e.tech.readClipboard(2 * time.Second)
		link = strings.TrimSpace(s)
		return err == nil && strings.HasPrefix(link, e.b.url+"/s/")
	})
	m.shot("link-created")
	m.click(nsDone.X, nsDone.Y)
	sess := e.waitNewest(0, "the new link session", func(s api.Session) bool { return s.Kind == "link" })
	if sess.State != "waiting" || sess.EndUserName != "Aaron Miller" || sess.AssigneeID != e.tessID {
		t.Fatalf("after New session: %+v", sess)
	}
	id := sess.ID

	agent, aw := e.startAgent("tether-sos-link", "--link", link)
	e.waitSession(id, "the agent to join through the link (session Active)", func(s api.Session) bool {
		return s.State == "active" && s.AgentJoinedAt != nil
	})
	time.Sleep(time.Second) // the console's list follows the event
	m.click(homeTab.X, homeTab.Y)
	m.shot("home-link-active")
	aw.shot("agent-joined")

	m.click(homeRow1.X, homeRow1.Y)
	d := e.openDetail(id)
	d.waitColor(remoteProbe.X, remoteProbe.Y, primary, 15*time.Second, "the Start remote session button")
	d.click(remoteBtn.X, remoteBtn.Y)
	d.waitColor(askProbe.X, askProbe.Y, primary, 10*time.Second, "the Start remote session dialog")
	d.click(askBtn.X, askBtn.Y)
	v := e.tech.findWindow(fmt.Sprintf("^Remote session #%d ", id), 20*time.Second)
	v.place(viewerRect.Min.X, viewerRect.Min.Y, viewerRect.Dx(), viewerRect.Dy())

	aw.waitPixel(denyProbe.X, denyProbe.Y, isRed, 20*time.Second, "the consent dialog on the agent")
	aw.shot("agent-consent")
	aw.click(allowControl.X, allowControl.Y)
	e.waitSession(id, "the remote connection (connected_at)", func(s api.Session) bool { return s.ConnectedAt != nil })

	origin, scale := e.checkViewer(v)
	v.shot("viewer-shows-agent-screen")

	// Control: a click in the viewer lands at the same place on the end
	// user's screen.
	v.click(controlRadio.X, controlRadio.Y)
	target := image.Pt(250, 470) // on the agent's screen, away from any window
	at := image.Pt(origin.X+int(math.Round(float64(target.X)*scale)), origin.Y+int(math.Round(float64(target.Y)*scale)))
	tol := int(math.Ceil(2/scale)) + 2
	poll(t, e.agent, 15*time.Second, fmt.Sprintf("the agent's pointer at %v after a click at %v in the viewer", target, at), func() bool {
		v.click(at.X, at.Y)
		p := e.agent.pointer()
		return abs(p.X-target.X) <= tol && abs(p.Y-target.Y) <= tol
	})
	t.Logf("click at %v in the viewer moved the agent's pointer to %v (want %v ±%d)", at, e.agent.pointer(), target, tol)

	// Chat, both ways.
	const fromTech, fromUser = "Hello Aaron, I can see your screen now.", "Thanks! The printer is still offline."
	d.clickType(chatEntry.X, chatEntry.Y, fromTech)
	d.key("Return")
	aw.clickType(agentChat.X, agentChat.Y, fromUser)
	aw.key("Return")
	poll(t, e.tech, 15*time.Second, "both chat messages at the broker", func() bool {
		var tech, user bool
		for _, msg := range e.b.obs.messages(id) {
			tech = tech || msg.From == "technician" && msg.FromID == e.tessID && msg.Text == fromTech
			user = user || msg.From == "agent" && msg.Text == fromUser
		}
		return tech && user
	})
	time.Sleep(time.Second) // both windows draw the other side's message
	d.shot("session-chat")
	aw.shot("agent-chat-controlled")

	// The technician closes; the end user rates two stars.
	d.click(closeBtn.X, closeBtn.Y)
	e.waitSession(id, "the session to close", func(s api.Session) bool { return s.State == "closed" })
	poll(t, e.agent, 15*time.Second, "two orange stars after clicking the second one", func() bool {
		aw.click(stars[1].X, stars[1].Y)
		img, err := aw.pixels()
		if err != nil {
			return false
		}
		return isOrange(img.RGBAAt(stars[0].X, stars[0].Y)) && isOrange(img.RGBAAt(stars[1].X, stars[1].Y)) &&
			!isOrange(img.RGBAAt(stars[2].X, stars[2].Y))
	})
	aw.clickType(surveyNote.X, surveyNote.Y, "Took too long")
	aw.click(sendRating.X, sendRating.Y)
	poll(t, e.agent, 15*time.Second, "the two-star rating, flagged, in the report", func() bool {
		for _, f := range e.b.obs.report().Flagged {
			if f.SessionID == id && f.Stars == 2 && f.Flagged {
				return true
			}
		}
		return false
	})
	aw.shot("agent-rated")
	v.shot("viewer-after-close")
	aw.click(closeSOS.X, closeSOS.Y)
	if !agent.exited(15 * time.Second) {
		e.agent.fail("tether-sos did not exit after Close Tether SOS")
	}
}

// checkViewer finds the agent's screen in the viewer window by the
// pattern's magenta top-left block, then checks every block the agent's
// own window does not cover: the right colour at the right relative
// place. It returns where the picture's origin is in the window and its
// scale.
func (e *e2e) checkViewer(v *window) (image.Point, float64) {
	e.t.Helper()
	var (
		origin image.Point
		scale  float64
		report string
	)
	poll(e.t, e.tech, 30*time.Second, "the agent's screen in the viewer", func() bool {
		img, err := v.pixels()
		if err != nil {
			report = err.Error()
			return false
		}
		origin, scale, report = matchPattern(img, e.pattern, agentRect)
		return report == ""
	})
	if report != "" {
		e.tech.fail("viewer picture: %s", report)
	}
	e.t.Logf("viewer shows the agent's screen at %v, scale %.3f", origin, scale)
	return origin, scale
}

// matchPattern returns "" when img shows the pattern, or what is wrong.
func matchPattern(img *image.RGBA, pattern []block, covered image.Rectangle) (image.Point, float64, string) {
	first := pattern[0]
	var box image.Rectangle
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if near(img.RGBAAt(x, y), first.c, 40) {
				n++
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if box.Dx() < 60 || box.Dy() < 40 || float64(n) < 0.85*float64(box.Dx()*box.Dy()) {
		return image.Point{}, 0, fmt.Sprintf("no solid magenta block (%d pixels in %v)", n, box)
	}
	sx := float64(box.Dx()) / float64(first.r.Dx())
	sy := float64(box.Dy()) / float64(first.r.Dy())
	if math.Abs(sx-sy) > 0.05*sx {
		return image.Point{}, 0, fmt.Sprintf("magenta block %v is distorted (scale %.3f × %.3f)", box, sx, sy)
	}
	scale := (sx + sy) / 2
	origin := box.Min
	var bad []string
	checked := 0
	for _, blk := range pattern {
		c := image.Pt((blk.r.Min.X+blk.r.Max.X)/2, (blk.r.Min.Y+blk.r.Max.Y)/2)
		if c.In(covered.Inset(-20)) {
			continue
		}
		p := image.Pt(origin.X+int(float64(c.X)*scale), origin.Y+int(float64(c.Y)*scale))
		got := avg(img, image.Rect(p.X-4, p.Y-4, p.X+5, p.Y+5))
		checked++
		if !near(got, blk.c, 45) || nearest(got) != blk.c {
			bad = append(bad, fmt.Sprintf("block at %v: viewer pixel %v is %v, want %v", blk.r.Min, p, got, blk.c))
		}
	}
	if checked < len(pattern)-3 {
		return image.Point{}, 0, fmt.Sprintf("only %d blocks visible", checked)
	}
	if len(bad) > 0 {
		return image.Point{}, 0, strings.Join(bad, "; ")
	}
	return origin, scale, ""
}

// nearest is the pattern colour closest to c.
func nearest(c color.RGBA) color.RGBA {
	best, bestD := patternColors[0], math.MaxFloat64
	for _, p := range patternColors {
		dr, dg, db := float64(c.R)-float64(p.R), float64(c.G)-float64(p.G), float64(c.B)-float64(p.B)
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = p, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

var nineDigits = regexp.MustCompile(`^\d{9}$`)

// codeFlow: the end user starts the agent without a link and asks for a
// code; the technician types the code in Connect by code.
func (e *e2e) codeFlow() {
	t, m := e.t, e.main
	before := e.b.obs.newest().ID
	agent, aw := e.startAgent("tether-sos-code", "--broker", e.b.url)
	aw.click(getCodeBtn.X, getCodeBtn.Y)
	// The end user reads the code to the technician; here it travels by
	// the agent's Copy button and the agent screen's clipboard.
	var code string
	poll(t, e.agent, 20*time.Second, "a 9-digit code on the agent's clipboard after Copy", func() bool {
		aw.click(codeCopy.X, codeCopy.Y)
		s, err := e.agent.readClipboard(2 * time.Second)
		code = strings.TrimSpace(s)
		return err == nil && nineDigits.MatchString(code)
	})
	aw.shot("agent-code")

	m.click(byCodeBtn.X, byCodeBtn.Y)
	m.waitColor(dialogProbe.X, dialogProbe.Y, panel, 10*time.Second, "the Connect by code dialog")
	m.clickType(codeEntry.X, codeEntry.Y, code[0:3]+" "+code[3:6]+" "+code[6:9])
	m.shot("connect-by-code")
	m.click(codeConnect.X, codeConnect.Y)
	sess := e.waitNewest(before, "the claimed code session", func(s api.Session) bool {
		return s.Kind == "code" && s.State == "active" && s.AssigneeID == e.tessID
	})
	d := e.openDetail(sess.ID)
	d.waitColor(remoteProbe.X, remoteProbe.Y, primary, 15*time.Second, "the code session's window")
	d.shot("code-session")
	aw.shot("agent-code-joined")

	// Tidy up like people would: the technician closes the session and
	// the end user closes the agent without rating.
	d.click(closeBtn.X, closeBtn.Y)
	e.waitSession(sess.ID, "the code session to close", func(s api.Session) bool { return s.State == "closed" })
	time.Sleep(time.Second)
	aw.click(closeSOS.X, closeSOS.Y)
	if !agent.exited(15 * time.Second) {
		e.agent.fail("tether-sos did not exit after Close Tether SOS")
	}
}

// sosFlow: the end user sends an SOS Call; it waits in the channel's
// queue; Tess takes it and transfers it to Tom, whose console shows it
// and who answers the end user.
func (e *e2e) sosFlow() {
	t, m := e.t, e.main
	before := e.b.obs.newest().ID
	_, aw := e.startAgent("tether-sos-sos", "--broker", e.b.url)
	aw.click(sosBtn.X, sosBtn.Y)
	aw.waitColor(sosProbe.X, sosProbe.Y, primary, 10*time.Second, "the SOS Call form")
	aw.clickType(sosName.X, sosName.Y, "Cem Yilmaz")
	aw.clickType(sosProblem.X, sosProblem.Y, "Printer offline since this morning")
	aw.shot("agent-sos-form")
	aw.click(sosSend.X, sosSend.Y)
	sess := e.waitNewest(before, "the SOS Call in the queue", func(s api.Session) bool {
		return s.Kind == "sos" && s.State == "queued" && s.EndUserName == "Cem Yilmaz"
	})
	aw.shot("agent-sos-queued")

	m.click(queuesTab.X, queuesTab.Y)
	m.click(showQueued.X, showQueued.Y)
	time.Sleep(500 * time.Millisecond)
	m.shot("queue-sos")
	m.click(queueRow1.X, queueRow1.Y)
	d := e.openDetail(sess.ID)
	d.waitColor(takeProbe.X, takeProbe.Y, primary, 15*time.Second, "Assign to me on the queued session")
	d.click(takeBtn.X, takeBtn.Y)
	e.waitSession(sess.ID, "Tess to take the SOS Call", func(s api.Session) bool {
		return s.State == "active" && s.AssigneeID == e.tessID
	})

	// Tom, second line, logs in on his own console.
	startApp(t, e.tech, "tether-tom", techBin, "--broker", e.b.url)
	tw := e.tech.findWindow("^Tether$", 60*time.Second, m)
	tw.place(secondRect.Min.X, secondRect.Min.Y, secondRect.Dx(), secondRect.Dy())
	e.login(tw, tom)

	d.waitColor(remoteProbe.X, remoteProbe.Y, primary, 15*time.Second, "the actions of the taken session")
	d.click(transferBtn.X, transferBtn.Y)
	d.waitColor(trProbe.X, trProbe.Y, primary, 10*time.Second, "the Transfer dialog")
	d.click(trTechSelect.X, trTechSelect.Y)
	time.Sleep(400 * time.Millisecond)
	d.shot("transfer-pick")
	d.click(trOption3.X, trOption3.Y)
	d.click(trOK.X, trOK.Y)
	e.waitSession(sess.ID, "the session to be transferred to Tom", func(s api.Session) bool {
		return s.State == "active" && s.AssigneeID == e.tomID
	})
	d.shot("transferred-away")

	// Tom finds it on his Home list, opens it and writes to the end user.
	time.Sleep(time.Second)
	tw.shot("tom-home")
	tw.click(homeRow1.X, homeRow1.Y)
	td := e.openDetail(sess.ID, d)
	td.waitColor(remoteProbe.X, remoteProbe.Y, primary, 15*time.Second, "Tom's session window")
	const hello = "Hi Cem, Tom from second line here."
	td.clickType(chatEntry.X, chatEntry.Y, hello)
	td.key("Return")
	poll(t, e.tech, 15*time.Second, "Tom's message at the broker", func() bool {
		for _, msg := range e.b.obs.messages(sess.ID) {
			if msg.FromID == e.tomID && msg.Text == hello {
				return true
			}
		}
		return false
	})
	time.Sleep(time.Second)
	td.shot("tom-session")
	aw.shot("agent-after-transfer")
	e.second = tw
}

// dashboard: the owner logs in (on Tom's console, after Tom logs out)
// and finds the two-star rating among the low ratings to follow up.
func (e *e2e) dashboard() {
	w := e.second
	w.click(logoutBtn.X, logoutBtn.Y)
	w.waitColor(loginEmail.X, loginEmail.Y+70, primary, 15*time.Second, "the login screen after Log out")
	e.login(w, owner)
	w.click(dashboardTab.X, dashboardTab.Y)
	poll(e.t, e.tech, 20*time.Second, "a low rating listed on the dashboard", func() bool {
		img, err := w.pixels()
		if err != nil {
			return false
		}
		n := 0
		for y := flaggedRow1.Min.Y; y < flaggedRow1.Max.Y; y++ {
			for x := flaggedRow1.Min.X; x < flaggedRow1.Max.X; x++ {
				if isBright(img.RGBAAt(x, y)) {
					n++
				}
			}
		}
		return n > 300 // a line of normal text; "No low ratings today." is dim
	})
	w.shot("dashboard-flagged")
	var found bool
	for _, f := range e.b.obs.report().Flagged {
		found = found || f.Stars == 2 && f.Comment == "Took too long"
	}
	if !found {
		e.t.Fatal("the report has no flagged two-star rating")
	}
}
