// Tests needing an X server (Xvfb) run on Linux only.

//go:build linux

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/rtc"
)

// The shared screen: small, so two media pipelines and a broker fit on
// two busy cores.
const screenW, screenH = 320, 240

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	// xgb logs every connection without ~/.Xauthority; Xvfb needs none.
	xgb.Logger = log.New(io.Discard, "", 0)
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// brokerBinary compiles the real broker once per test binary, the way
// `make broker` does: pure Go.
func brokerBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "tether-e2e-")
		if buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "tether-broker")
		cmd := exec.Command("go", "build", "-o", buildBin, "github.com/tetherdesk/tether/broker")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build broker: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// logBuf is one captured log, safe for concurrent writers.
type logBuf struct {
	name string
	mu   sync.Mutex // guards the following field
	buf  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// logs is the set of every log a test captured, by name.
type logs struct {
	mu  sync.Mutex // guards the following field
	all []*logBuf
}

func (ls *logs) buf(name string) *logBuf {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	b := &logBuf{name: name}
	ls.all = append(ls.all, b)
	return b
}

// logger returns a debug-level JSON slog.Logger writing into a new
// captured log.
func (ls *logs) logger(name string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(ls.buf(name), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (ls *logs) list() []*logBuf {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return append([]*logBuf(nil), ls.all...)
}

// broker is the real broker binary over one data directory; it can be
// killed and started again on the same address.
type broker struct {
	t        *testing.T
	bin      string
	data     string
	addr     string // 127.0.0.1:port once first started
	base     string
	logLevel string
	out      *logBuf // stdout and stderr of every run

	cmd    *exec.Cmd
	exited chan error
}

func newBroker(t *testing.T, ls *logs, logLevel string) *broker {
	t.Helper()
	var out *logBuf
	if ls != nil {
		out = ls.buf("broker stdout+stderr")
	} else {
		out = &logBuf{name: "broker"}
	}
	b := &broker{t: t, bin: brokerBinary(t), data: t.TempDir(), addr: "127.0.0.1:0", logLevel: logLevel, out: out}
	t.Cleanup(func() {
		if b.cmd != nil {
			b.cmd.Process.Kill()
			<-b.exited
		}
	})
	return b
}

// admin runs an admin subcommand on the data directory and returns its
// output.
func (b *broker) admin(stdin string, args ...string) string {
	b.t.Helper()
	cmd := exec.Command(b.bin, append(args, "--data", b.data)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	b.out.Write(out)
	if err != nil {
		b.t.Fatalf("tether-broker %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// credentials of the seeded accounts.
const (
	ownerEmail = "owner@example.com"
	techEmail  = "tess@example.com"
)

// seed creates an owner, a technician in a group and a channel routed to
// it, with the given passwords.
func (b *broker) seed(ownerPass, techPass string) {
	b.t.Helper()
	b.admin(ownerPass+"\n", "owner", "create", "--email", ownerEmail, "--password-stdin")
	b.admin("", "group", "add", "--name", "Tier 1")
	b.admin(techPass+"\n", "technician", "add", "--email", techEmail, "--name", "Tess", "--groups", "Tier 1", "--password-stdin")
	b.admin("", "channel", "add", "--name", "Help Desk", "--groups", "Tier 1", "--sos")
}

var listeningRE = regexp.MustCompile(`listening on (http://\S+)`)

// start runs `serve` and returns when the broker accepts connections
// (it prints "listening on" after binding), with that moment.
func (b *broker) start() time.Time {
	b.t.Helper()
	args := []string{"serve", "--insecure-http", "--addr", b.addr, "--data", b.data, "--org-name", "Acme IT"}
	if b.logLevel != "" {
		args = append(args, "--log-level", b.logLevel)
	}
	cmd := exec.Command(b.bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.t.Fatal(err)
	}
	cmd.Stderr = b.out
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	b.cmd, b.exited = cmd, make(chan error, 1)
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		b.out.Write([]byte(l))
		line <- l
		io.Copy(b.out, stdout)
	}()
	go func() { b.exited <- cmd.Wait() }()
	select {
	case l := <-line:
		at := time.Now()
		m := listeningRE.FindStringSubmatch(l)
		if m == nil {
			b.t.Fatalf("no listening line: %q\n%s", l, b.out.String())
		}
		b.base = m[1]
		b.addr = strings.TrimPrefix(m[1], "http://")
		return at
	case <-time.After(20 * time.Second):
		b.t.Fatalf("broker did not start\n%s", b.out.String())
	}
	return time.Time{}
}

// kill sends SIGKILL and waits for the process to be gone.
func (b *broker) kill() {
	b.t.Helper()
	if err := b.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		b.t.Fatal(err)
	}
	<-b.exited
	b.cmd = nil
}

// stop sends SIGTERM and waits for a clean exit.
func (b *broker) stop() {
	b.t.Helper()
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.exited:
		if err != nil {
			b.t.Errorf("broker exit: %v", err)
		}
	case <-time.After(15 * time.Second):
		b.t.Error("broker did not stop on SIGTERM")
		b.cmd.Process.Kill()
		<-b.exited
	}
	b.cmd = nil
}

// stateAt is an events connection state and when it was reported.
type stateAt struct {
	apiclient.State
	At time.Time
}

// party is one apiclient user (technician, owner or agent) with its
// events connection.
type party struct {
	name string
	c    *apiclient.Client
	ev   *apiclient.Events

	mu     sync.Mutex // guards the following fields
	states []stateAt
	chats  []api.Message
	events []api.Envelope
}

func newParty(t *testing.T, name, base string, logger *slog.Logger) *party {
	t.Helper()
	c, err := apiclient.New(base, apiclient.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	return &party{name: name, c: c}
}

// connect starts the events connection with the apps' default backoff.
func (p *party) connect(t *testing.T, since int64) {
	t.Helper()
	p.ev = p.c.Connect(context.Background(), apiclient.EventsConfig{
		Since: since,
		OnEvent: func(env api.Envelope) {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.events = append(p.events, env)
			if env.Type == "chat.message" {
				var m api.Message
				if err := json.Unmarshal(env.Data, &m); err == nil {
					p.chats = append(p.chats, m)
				}
			}
		},
		OnState: func(s apiclient.State) {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.states = append(p.states, stateAt{State: s, At: time.Now()})
		},
	})
	t.Cleanup(func() { p.ev.Close() })
	waitFor(t, 10*time.Second, p.name+" events connected", func() bool { return p.connectedSince(time.Time{}) })
}

// connectedSince reports whether the events connection reported
// Connected at or after t and has not left that state since.
func (p *party) connectedSince(t time.Time) bool {
	_, ok := p.connectedAt(t)
	return ok
}

// connectedAt returns when the connection last became Connected, if that
// was at or after t and it is still connected.
func (p *party) connectedAt(t time.Time) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.states); n > 0 && p.states[n-1].Status == apiclient.StatusConnected && !p.states[n-1].At.Before(t) {
		return p.states[n-1].At, true
	}
	return time.Time{}, false
}

// disconnectedSince reports whether the connection reported Disconnected
// at or after t.
func (p *party) disconnectedSince(t time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.states {
		if s.Status == apiclient.StatusDisconnected && !s.At.Before(t) {
			return true
		}
	}
	return false
}

// chatTexts returns the texts of the chat messages received as events.
func (p *party) chatTexts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, m := range p.chats {
		out = append(out, m.Text)
	}
	return out
}

func (p *party) hasChat(text string) bool {
	for _, s := range p.chatTexts() {
		if s == text {
			return true
		}
	}
	return false
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var testDevice = api.Device{
	OS: "linux", OSVersion: "Debian 12", Hostname: "pc-7", User: "aaron",
	Screens:  []api.Screen{{Width: screenW, Height: screenH, Primary: true}},
	LocalIPs: []string{"192.168.1.7"},
}

// signaler adapts an apiclient.SignalChannel to rtc.Signaler, as the
// apps do (apiclient's package documentation), and counts what passes.
type signaler struct {
	sc             *apiclient.SignalChannel
	offersSent     atomic.Int64
	answersSent    atomic.Int64
	offersRecvd    atomic.Int64
	answersRecvd   atomic.Int64
	candidatesSent atomic.Int64

	mu      sync.Mutex // guards the following field
	icePwds []string   // the ICE passwords of the descriptions sent
}

var icePwdLine = regexp.MustCompile(`a=ice-pwd:(\S+)`)

// sentICEPasswords returns the ICE passwords this side sent in its offers
// and answers: secrets that must not reach a log.
func (s *signaler) sentICEPasswords() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.icePwds...)
}

func (s *signaler) Send(ctx context.Context, sig rtc.Signal) error {
	b, err := json.Marshal(sig)
	if err != nil {
		return err
	}
	if err := s.sc.Send(ctx, b); err != nil {
		return err
	}
	if m := icePwdLine.FindAllStringSubmatch(sig.SDP, -1); m != nil {
		s.mu.Lock()
		for _, g := range m {
			s.icePwds = append(s.icePwds, g[1])
		}
		s.mu.Unlock()
	}
	switch sig.Type {
	case rtc.SignalOffer:
		s.offersSent.Add(1)
	case rtc.SignalAnswer:
		s.answersSent.Add(1)
	case rtc.SignalCandidate:
		s.candidatesSent.Add(1)
	}
	return nil
}

func (s *signaler) Recv(ctx context.Context) (rtc.Signal, error) {
	var sig rtc.Signal
	b, err := s.sc.Recv(ctx)
	if err != nil {
		return sig, err
	}
	if err := json.Unmarshal(b, &sig); err != nil {
		return sig, err
	}
	switch sig.Type {
	case rtc.SignalOffer:
		s.offersRecvd.Add(1)
	case rtc.SignalAnswer:
		s.answersRecvd.Add(1)
	}
	return sig, nil
}

// screen draws into an override-redirect window covering the whole
// display, from its own X connection, as an application would. The left
// half shows a solid "scene" colour the tests look for in the viewer's
// pictures; a square on the right can blink to keep frames flowing.
type screen struct {
	t    *testing.T
	conn *xgb.Conn
	win  xproto.Window
	gc   xproto.Gcontext

	mu sync.Mutex // serialises drawing from the test and the blinker

	stop chan struct{}
	done chan struct{}
}

// scene is the probed area: the middle of the left half.
var scene = image.Rect(40, 60, 120, 180)

func newScreen(t *testing.T, display string) *screen {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("connect to %s: %v", display, err)
	}
	s := &screen{t: t, conn: conn}
	t.Cleanup(func() {
		s.stopBlinking()
		conn.Close()
	})
	root := xproto.Setup(conn).DefaultScreen(conn)
	if s.win, err = xproto.NewWindowId(conn); err != nil {
		t.Fatal(err)
	}
	err = xproto.CreateWindowChecked(conn, root.RootDepth, s.win, root.Root, 0, 0, screenW, screenH, 0,
		xproto.WindowClassInputOutput, root.RootVisual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect, []uint32{0xffffff, 1}).Check()
	if err != nil {
		t.Fatalf("create window: %v", err)
	}
	if s.gc, err = xproto.NewGcontextId(conn); err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateGCChecked(conn, s.gc, xproto.Drawable(s.win), xproto.GcForeground|xproto.GcGraphicsExposures, []uint32{0, 0}).Check(); err != nil {
		t.Fatalf("create GC: %v", err)
	}
	if err := xproto.MapWindowChecked(conn, s.win).Check(); err != nil {
		t.Fatalf("map window: %v", err)
	}
	s.fill(image.Rect(0, 0, screenW, screenH), 0xffffff)
	return s
}

// fill paints r with the 0xRRGGBB colour and waits until the server did.
func (s *screen) fill(r image.Rectangle, rgb uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	xproto.ChangeGC(s.conn, s.gc, xproto.GcForeground, []uint32{rgb})
	xproto.PolyFillRectangle(s.conn, xproto.Drawable(s.win), s.gc, []xproto.Rectangle{{
		X: int16(r.Min.X), Y: int16(r.Min.Y), Width: uint16(r.Dx()), Height: uint16(r.Dy()),
	}})
	if _, err := xproto.GetInputFocus(s.conn).Reply(); err != nil {
		s.t.Errorf("X sync: %v", err)
	}
}

// setScene paints the left half.
func (s *screen) setScene(rgb uint32) { s.fill(image.Rect(0, 0, screenW/2, screenH), rgb) }

// blink changes a square on the right every interval until stopBlinking,
// so the host always has damage to send.
func (s *screen) blink(interval time.Duration) {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		tk := time.NewTicker(interval)
		defer tk.Stop()
		for i := 0; ; i++ {
			select {
			case <-s.stop:
				return
			case <-tk.C:
			}
			c := uint32(0x202020)
			if i%2 == 1 {
				c = 0xe0e0e0
			}
			s.fill(image.Rect(220, 80, 300, 160), c)
		}
	}()
}

func (s *screen) stopBlinking() {
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
}

// frames consumes a Viewer's pictures, remembering how many arrived, when,
// and the mean colour of the scene area of each.
type frames struct {
	mu   sync.Mutex // guards the following fields
	seen []frameSeen

	cancel context.CancelFunc
	done   chan struct{}
}

type frameSeen struct {
	at     time.Time
	colour [3]int
}

func watchFrames(t *testing.T, v *media.Viewer) *frames {
	ctx, cancel := context.WithCancel(context.Background())
	f := &frames{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(f.done)
		for {
			select {
			case <-ctx.Done():
				return
			case p := <-v.Frames():
				c := meanRGB(p.Image, scene)
				p.Release()
				f.mu.Lock()
				f.seen = append(f.seen, frameSeen{at: time.Now(), colour: c})
				f.mu.Unlock()
			}
		}
	}()
	t.Cleanup(f.close)
	return f
}

func (f *frames) close() {
	f.cancel()
	<-f.done
}

// countSince returns how many pictures arrived at or after t.
func (f *frames) countSince(t time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.seen {
		if !s.at.Before(t) {
			n++
		}
	}
	return n
}

// firstMatch returns when the first picture at or after t showed the
// scene colour rgb.
func (f *frames) firstMatch(t time.Time, rgb uint32) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.seen {
		if !s.at.Before(t) && sameColour(s.colour, rgb) {
			return s.at, true
		}
	}
	return time.Time{}, false
}

// anyMatch reports whether a picture in [from, to) showed rgb.
func (f *frames) anyMatch(from, to time.Time, rgb uint32) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.seen {
		if !s.at.Before(from) && s.at.Before(to) && sameColour(s.colour, rgb) {
			return true
		}
	}
	return false
}

func (f *frames) last() (frameSeen, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		return frameSeen{}, false
	}
	return f.seen[len(f.seen)-1], true
}

// waitScene waits until a picture at or after since shows rgb and
// returns when it arrived.
func (f *frames) waitScene(t *testing.T, since time.Time, rgb uint32, timeout time.Duration) time.Time {
	t.Helper()
	var at time.Time
	waitFor(t, timeout, fmt.Sprintf("a picture showing %06x", rgb), func() bool {
		var ok bool
		at, ok = f.firstMatch(since, rgb)
		return ok
	})
	return at
}

// sameColour allows for VP8's quantisation and 4:2:0 chroma.
func sameColour(got [3]int, rgb uint32) bool {
	want := [3]int{int(rgb >> 16 & 0xff), int(rgb >> 8 & 0xff), int(rgb & 0xff)}
	for k := range 3 {
		if d := got[k] - want[k]; d > 24 || -d > 24 {
			return false
		}
	}
	return true
}

func meanRGB(img *image.RGBA, r image.Rectangle) [3]int {
	r = r.Intersect(img.Rect)
	if r.Empty() {
		return [3]int{-1000, -1000, -1000}
	}
	var sum [3]int
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[(y-img.Rect.Min.Y)*img.Stride:]
		for x := r.Min.X - img.Rect.Min.X; x < r.Max.X-img.Rect.Min.X; x++ {
			sum[0] += int(row[4*x])
			sum[1] += int(row[4*x+1])
			sum[2] += int(row[4*x+2])
			n++
		}
	}
	return [3]int{sum[0] / n, sum[1] / n, sum[2] / n}
}

// recorded returns the recorder's events of the given kinds.
func recorded(rec *input.Recorder, kinds ...input.Kind) []input.Event {
	var out []input.Event
	for _, ev := range rec.Events() {
		for _, k := range kinds {
			if ev.Kind == k {
				out = append(out, ev)
			}
		}
	}
	return out
}

// sendKey sends a press and release of key, waits until the host's
// recorder has both and returns how long that took.
func sendKey(t *testing.T, v *media.Viewer, rec *input.Recorder, key string, timeout time.Duration) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	before := len(recorded(rec, input.KindKey))
	start := time.Now()
	for _, down := range []bool{true, false} {
		if err := v.SendInput(ctx, input.Event{Kind: input.KindKey, Key: key, Down: down}); err != nil {
			t.Fatalf("send key %s: %v", key, err)
		}
	}
	waitFor(t, timeout, "key "+key+" injected on the host", func() bool {
		evs := recorded(rec, input.KindKey)
		return len(evs) >= before+2 && evs[len(evs)-1].Key == key && !evs[len(evs)-1].Down
	})
	return time.Since(start)
}

// hostConfig is a media.Host sharing the test display over loopback.
func hostConfig(display string, rec input.Injector, logger *slog.Logger, onState func(rtc.ConnState)) media.HostConfig {
	return media.HostConfig{
		RTC:      rtc.Config{ListenAddr: "127.0.0.1", Logger: logger, OnState: onState},
		Capture:  capture.Config{Display: display, Logger: logger},
		Injector: rec,
		Logger:   logger,
	}
}

func viewerConfig(logger *slog.Logger, onState func(rtc.ConnState)) media.ViewerConfig {
	return media.ViewerConfig{
		RTC:    rtc.Config{ListenAddr: "127.0.0.1", Logger: logger, OnState: onState},
		Logger: logger,
	}
}

// connStates records a peer connection's state changes.
type connStates struct {
	mu  sync.Mutex // guards the following field
	seq []stateChange
}

type stateChange struct {
	state rtc.ConnState
	at    time.Time
}

func (c *connStates) add(s rtc.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq = append(c.seq, stateChange{s, time.Now()})
}

// since lists the states reported at or after t, e.g. "disconnected connected".
func (c *connStates) since(t time.Time) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var parts []string
	for _, s := range c.seq {
		if !s.at.Before(t) {
			parts = append(parts, s.state.String())
		}
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, " ")
}
