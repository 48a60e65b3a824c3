package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
)

// account is a seeded login.
type account struct {
	email, password, name string
}

var (
	owner = account{"olga@example.com", "owner-password-1", "Olga Owner"}
	tess  = account{"tess@example.com", "tess-password-1", "Tess Tech"}
	tom   = account{"tom@example.com", "tom-password-1", "Tom Second"}
)

// broker is the real broker binary on a loopback port, seeded with its
// admin commands the way an administrator (or `make demo`) does.
type broker struct {
	t    *testing.T
	url  string
	data string
	obs  *observer
}

func startBroker(t *testing.T) *broker {
	t.Helper()
	data := t.TempDir()
	admin := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(brokerBin, append(args, "--data", data)...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("tether-broker %v: %v\n%s", args, err, out)
		}
	}
	admin(owner.password+"\n", "owner", "create", "--email", owner.email, "--name", owner.name, "--password-stdin")
	admin("", "group", "add", "--name", "Tier 1")
	admin(tess.password+"\n", "technician", "add", "--email", tess.email, "--name", tess.name, "--groups", "Tier 1", "--password-stdin")
	admin(tom.password+"\n", "technician", "add", "--email", tom.email, "--name", tom.name, "--groups", "Tier 1", "--password-stdin")
	admin("", "channel", "add", "--name", "Help Desk", "--groups", "Tier 1", "--sos")

	logf, err := os.Create(filepath.Join(shotDir, "broker.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(brokerBin, "serve", "--insecure-http", "--addr", "127.0.0.1:0", "--data", data, "--org-name", "Acme IT")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
		io.Copy(io.Discard, stdout)
	}()
	b := &broker{t: t, data: data}
	select {
	case l := <-line:
		m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("broker: no listening line in %q (log: %s)", l, logf.Name())
		}
		b.url = m[1]
	case <-time.After(20 * time.Second):
		t.Fatalf("broker did not start within 20 s (log: %s)", logf.Name())
	}
	b.obs = &observer{t: t, base: b.url + "/api/v1"}
	b.obs.token = b.obs.login(owner)
	return b
}

// observer reads the broker's API as the owner, only to check what the
// windows cannot be asked (a session's state, the messages both sides
// sent, the report). It never changes anything.
type observer struct {
	t     *testing.T
	base  string
	token string
}

func (o *observer) login(a account) string {
	o.t.Helper()
	var resp api.LoginResponse
	if err := o.call("POST", "/login", api.LoginRequest{Email: a.email, Password: a.password}, &resp); err != nil {
		o.t.Fatalf("login %s: %v", a.email, err)
	}
	return resp.Token
}

func (o *observer) call(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, o.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, raw)
	}
	return json.Unmarshal(raw, out)
}

func (o *observer) get(path string, out any) {
	o.t.Helper()
	if err := o.call("GET", path, nil, out); err != nil {
		o.t.Fatal(err)
	}
}

func (o *observer) session(id int64) api.Session {
	o.t.Helper()
	var s api.Session
	o.get(fmt.Sprintf("/sessions/%d", id), &s)
	return s
}

// newest is the most recently created session, or zero.
func (o *observer) newest() api.Session {
	o.t.Helper()
	var list []api.Session
	o.get("/sessions?limit=500", &list)
	var s api.Session
	for _, x := range list {
		if x.ID > s.ID {
			s = x
		}
	}
	return s
}

func (o *observer) messages(id int64) []api.Message {
	o.t.Helper()
	var list []api.Message
	o.get(fmt.Sprintf("/sessions/%d/messages", id), &list)
	return list
}

func (o *observer) report() api.Report {
	o.t.Helper()
	var r api.Report
	o.get("/reports", &r)
	return r
}

// proc is one of the apps, running on a display with its own home
// folder (Fyne keeps preferences there), logging to the output folder.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// startApp runs bin with args on display d. name names its log file.
func startApp(t *testing.T, d *display, name, bin string, args ...string) *proc {
	t.Helper()
	home := t.TempDir()
	logPath := filepath.Join(shotDir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = home
	cmd.Env = appEnv(d.name, home)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{t: t, name: name, cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	t.Cleanup(p.stop)
	return p
}

// appEnv is the environment of an app: the display, a private home, and
// English with Fyne's dark theme at scale 1, so that layouts — and the
// click targets taken from them — are the same on every machine.
func appEnv(disp, home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "DISPLAY" || k == "HOME" || k == "LANG" || k == "LANGUAGE" || strings.HasPrefix(k, "LC_") ||
			strings.HasPrefix(k, "XDG_") || strings.HasPrefix(k, "FYNE_") || k == "XAUTHORITY":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "DISPLAY="+disp, "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "XDG_DOWNLOAD_DIR="+filepath.Join(home, "Downloads"),
		"LANG=en_US.UTF-8", "LANGUAGE=en", "FYNE_THEME=dark", "FYNE_SCALE=1")
}

// exited waits for the program to end by itself.
func (p *proc) exited(timeout time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// stop ends the program if it still runs.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if !p.exited(3 * time.Second) {
		p.cmd.Process.Kill()
		<-p.done
	}
}
