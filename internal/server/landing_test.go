package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/assets"
	"github.com/tetherdesk/tether/internal/desk"
)

const (
	uaWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	uaMac     = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15"
	uaLinux   = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	uaIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)

func TestNegotiateLang(t *testing.T) {
	for _, tc := range []struct {
		accept, override, want string
	}{
		{"", "", "en"},
		{"de", "", "de"},
		{"de-DE,de;q=0.9,en;q=0.8", "", "de"},
		{"en-US,en;q=0.9,de;q=0.8", "", "en"},
		{"pt-BR,pt;q=0.9", "", "pt"},
		{"pt-PT", "", "pt"},
		{"fr-FR,fr;q=0.9,de;q=0.7,en;q=0.5", "", "de"},
		{"en;q=0.3, de;q=0.8", "", "de"},
		{"de;q=0.5, pt;q=0.5", "", "de"}, // a tie goes to the earlier entry
		{"DE-at", "", "de"},
		{"fr, es", "", "en"},
		{"de;q=0", "", "en"},
		{"de;q=abc, pt;q=0.1", "", "pt"},
		{"*", "", "en"},
		{"de", "pt", "pt"},
		{"de", "PT", "pt"},
		{"de", "fr", "de"}, // unsupported overrides are ignored
		{";;;,,q=1", "", "en"},
	} {
		if got := negotiateLang(tc.accept, tc.override); got != tc.want {
			t.Errorf("negotiateLang(%q, %q) = %q, want %q", tc.accept, tc.override, got, tc.want)
		}
	}
}

func TestDetectOS(t *testing.T) {
	for _, tc := range []struct{ ua, want string }{
		{uaWindows, "windows"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "windows"},
		{uaMac, "macos"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:133.0) Gecko/20100101 Firefox/133.0", "macos"},
		{uaLinux, "linux"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "linux"},
		{uaIPhone, ""},
		{"Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15", ""},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36", ""},
		{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", ""},
		{"Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1)", ""},
		{"curl/8.5.0", ""},
		{"", ""},
	} {
		if got := detectOS(tc.ua); got != tc.want {
			t.Errorf("detectOS(%q) = %q, want %q", tc.ua, got, tc.want)
		}
	}
}

// TestTranslationsComplete fails when a language lacks a key another has,
// when a placeholder differs, or when a template uses a key no language has.
func TestTranslationsComplete(t *testing.T) {
	placeholders := regexp.MustCompile(`%\[\d\]s`)
	en := catalogs["en"]
	for _, lang := range pageLangs {
		raw, err := assets.FS.ReadFile("translations/landing." + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for k, v := range en {
			tr, ok := m[k]
			switch {
			case !ok:
				t.Errorf("%s lacks key %q", lang, k)
			case strings.TrimSpace(tr) == "":
				t.Errorf("%s: key %q is empty", lang, k)
			case !slices.Equal(slices.Sorted(slices.Values(placeholders.FindAllString(v, -1))), slices.Sorted(slices.Values(placeholders.FindAllString(tr, -1)))):
				t.Errorf("%s: key %q has placeholders %q; en has %q", lang, k, tr, v)
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has key %q that en lacks", lang, k)
			}
		}
	}
	used := regexp.MustCompile(`\.T "([a-z0-9_]+)"`)
	tmpls, err := fs.Glob(assets.FS, "templates/*.html")
	if err != nil || len(tmpls) == 0 {
		t.Fatalf("templates: %v %v", tmpls, err)
	}
	for _, name := range tmpls {
		raw, _ := assets.FS.ReadFile(name)
		for _, m := range used.FindAllStringSubmatch(string(raw), -1) {
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s uses key %q, which no translation has", name, m[1])
			}
		}
	}
	// The Go code's own keys.
	for _, k := range []string{"notfound_title", "notfound_text", "gone_title", "gone_text", "missing_title", "missing_text",
		"page_notfound_title", "page_notfound_text", "error_title", "error_text", "support_heading", "remote_support", "lang_name"} {
		if _, ok := en[k]; !ok {
			t.Errorf("the server uses key %q, which no translation has", k)
		}
	}
}

// fakeAgentDir provisions a fake agent binary for every OS.
func fakeAgentDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, o := range agentOSes {
		if err := os.WriteFile(filepath.Join(dir, o.File), []byte("agent for "+o.ID), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// landingEnv is a broker with agent binaries and a link by the owner.
type landingEnv struct {
	*env
	owner    desk.Actor
	channel  int64
	agentDir string
}

func newLandingEnv(t *testing.T, configure ...func(*Config)) *landingEnv {
	t.Helper()
	dir := fakeAgentDir(t)
	e := newEnv(t, append([]func(*Config){func(c *Config) { c.AgentDir = dir }}, configure...)...)
	owner, err := e.svc.Authenticate(context.Background(), e.owner, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ch := &desk.Channel{Name: "Front desk", Expiration: time.Hour}
	if err := e.svc.CreateChannel(context.Background(), owner, ch); err != nil {
		t.Fatal(err)
	}
	return &landingEnv{env: e, owner: owner, channel: ch.ID, agentDir: dir}
}

func (l *landingEnv) link() (*desk.Session, string) {
	l.t.Helper()
	sess, token, err := l.svc.CreateLink(context.Background(), l.owner, l.channel, "Aaron", "")
	if err != nil {
		l.t.Fatal(err)
	}
	return sess, token
}

// get fetches a page as a browser would.
func (l *landingEnv) get(path, ua, acceptLang string) (*http.Response, string) {
	l.t.Helper()
	req, err := http.NewRequest("GET", l.ts.URL+path, nil)
	if err != nil {
		l.t.Fatal(err)
	}
	req.Header.Set("User-Agent", ua)
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	resp, err := l.ts.Client().Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp, buf.String()
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	if strings.Contains(body, missingMark) {
		t.Errorf("%s has a missing translation: %s", what, body[strings.Index(body, missingMark):][:60])
	}
}

func TestLinkPage(t *testing.T) {
	l := newLandingEnv(t)
	_, token := l.link()
	path := "/s/" + token

	resp, body := l.get(path, uaWindows, "de-DE,de;q=0.9,en;q=0.5")
	if resp.StatusCode != 200 {
		t.Fatalf("link page: %d %s", resp.StatusCode, body)
	}
	mustContain(t, "German Windows page", body,
		`<html lang="de">`, "Example Corp", "Olga Owner hilft Ihnen gleich weiter", "Fernwartung",
		`id="download" href="/s/`+token+`/download/windows" download="TetherSOS-`+token+`.exe"`,
		"Für Windows herunterladen", "Andere Systeme:", `href="/s/`+token+`/download/macos"`, `href="/s/`+token+`/download/linux"`,
		"1", "Laden Sie die App herunter.", "Öffnen Sie die Datei.", "um Erlaubnis gefragt",
		"Wenn Sie jemand unerwartet angerufen und aufgefordert hat, dies zu öffnen, schließen Sie diese Seite.",
		`href="/static/landing.css"`, `src="/static/icon.png"`)
	for h, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"Content-Language":        "de",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if strings.Contains(body, "<style") || strings.Contains(body, "style=") || strings.Contains(body, "<script") || strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Error("the page has inline styles, scripts or external resources, which the CSP forbids or it should not need")
	}
	if strings.Contains(l.logs.String(), token) {
		t.Error("the token was logged")
	}

	// The visitor's OS comes first; the others are listed.
	for _, tc := range []struct{ ua, os, name, button string }{
		{uaMac, "macos", "TetherSOS-" + token + ".zip", "Download for macOS"},
		{uaLinux, "linux", "TetherSOS-" + token, "Download for Linux"},
	} {
		_, body := l.get(path, tc.ua, "en-US,en")
		mustContain(t, tc.os+" page", body, `<html lang="en">`, "Olga Owner is ready to help you",
			`id="download" href="/s/`+token+`/download/`+tc.os+`" download="`+tc.name+`"`, tc.button,
			"If someone called you unexpectedly and told you to open this, close this page.")
	}
	// An unknown OS gets every download and no primary one.
	_, body = l.get(path, uaIPhone, "pt-BR")
	mustContain(t, "Portuguese phone page", body, `<html lang="pt">`, "Olga Owner, do suporte, vai ajudar você", "Escolha o sistema do seu computador:",
		`download="TetherSOS-`+token+`.exe">Windows`, `download="TetherSOS-`+token+`.zip">macOS`, `download="TetherSOS-`+token+`">Linux`,
		"Se alguém ligou para você inesperadamente e pediu para abrir isto, feche esta página.")
	if strings.Contains(body, `id="download"`) {
		t.Error("a primary download for an unknown OS")
	}
	// ?lang= wins over Accept-Language, and the language links keep the path.
	_, body = l.get(path+"?lang=pt", uaWindows, "de")
	mustContain(t, "?lang=pt page", body, `<html lang="pt">`, "Baixar para Windows",
		`<a href="/s/`+token+`?lang=de" hreflang="de" lang="de">Deutsch</a>`, `<strong>Português</strong>`)

	// Every page in every language renders without a missing key.
	for _, lang := range pageLangs {
		for _, ua := range []string{uaWindows, uaLinux, uaIPhone} {
			for _, p := range []string{path, "/support", "/s/unknown", "/download/bsd", "/static/nope"} {
				_, body := l.get(p+"?lang="+lang, ua, "")
				mustContain(t, p+" in "+lang, body, `<html lang="`+lang+`">`)
			}
		}
	}
}

func TestLinkPageStatuses(t *testing.T) {
	l := newLandingEnv(t)
	sess, token := l.link()

	resp, body := l.get("/s/"+token, uaWindows, "")
	if resp.StatusCode != 200 {
		t.Fatalf("fresh link: %d", resp.StatusCode)
	}
	// Unknown, malformed and deleted links: 404, localised.
	for _, p := range []string{"/s/unknown-token", "/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/s/" + strings.Repeat("a", 300), "/s/" + token + "x"} {
		resp, body := l.get(p, uaWindows, "de")
		if resp.StatusCode != 404 || strings.Contains(body, "<script>") {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
		mustContain(t, p, body, "Dieser Link ist ungültig", "Example Corp", `href="/support"`)
	}

	// Expired by time (the sweeper is off): 410, without a write.
	l.clock.Advance(time.Hour)
	resp, body = l.get("/s/"+token, uaWindows, "pt")
	if resp.StatusCode != 410 {
		t.Fatalf("expired link: %d %s", resp.StatusCode, body)
	}
	mustContain(t, "expired page", body, "Este link não funciona mais", "Peça um novo link ao técnico.")
	if strings.Contains(body, "/download/") {
		t.Error("the expired page offers a download")
	}
	if got, err := l.svc.Session(context.Background(), l.owner, sess.ID); err != nil || got.State != desk.Waiting {
		t.Errorf("the page changed the session: %+v %v", got, err)
	}
	if resp, _ := l.get("/s/"+token+"/download/windows", uaWindows, ""); resp.StatusCode != 410 {
		t.Errorf("download of an expired link: %d", resp.StatusCode)
	}

	// Closed: 410. Deleted: 404.
	sess, token = l.link()
	if _, err := l.svc.Close(context.Background(), l.owner, sess.ID); err != nil {
		t.Fatal(err)
	}
	if resp, body := l.get("/s/"+token, uaWindows, "en"); resp.StatusCode != 410 || !strings.Contains(body, "This link no longer works") {
		t.Errorf("closed link: %d %s", resp.StatusCode, body)
	}
	sess, token = l.link()
	if err := l.svc.Delete(context.Background(), l.owner, sess.ID); err != nil {
		t.Fatal(err)
	}
	if resp, body := l.get("/s/"+token, uaWindows, "en"); resp.StatusCode != 404 || !strings.Contains(body, "This link is not valid") {
		t.Errorf("deleted link: %d %s", resp.StatusCode, body)
	}
}

func TestLandingEscapes(t *testing.T) {
	l := newLandingEnv(t, func(c *Config) { c.OrgName = `<script>alert("org")</script> & Co` })
	ctx := context.Background()
	a := &desk.Account{Email: "evil@example.com", Name: `<img src=x onerror=alert(1)>`, Role: desk.RoleOwner}
	if err := l.svc.CreateAccount(ctx, l.owner, a, password); err != nil {
		t.Fatal(err)
	}
	tok, _, err := l.svc.Login(ctx, "evil@example.com", password, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	evil, err := l.svc.Authenticate(ctx, tok, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := l.svc.CreateLink(ctx, evil, l.channel, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/s/" + token, "/support", "/s/nope"} {
		_, body := l.get(p, uaWindows, "")
		if strings.Contains(body, "<script>") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s is not escaped: %s", p, body)
		}
		mustContain(t, p, body, "&lt;script&gt;alert(&#34;org&#34;)&lt;/script&gt; &amp; Co")
	}
}

func TestAgentDownload(t *testing.T) {
	l := newLandingEnv(t)
	_, token := l.link()
	for _, tc := range []struct{ path, name, content string }{
		{"/s/" + token + "/download/windows", "TetherSOS-" + token + ".exe", "agent for windows"},
		{"/s/" + token + "/download/macos", "TetherSOS-" + token + ".zip", "agent for macos"},
		{"/s/" + token + "/download/linux", "TetherSOS-" + token, "agent for linux"},
		{"/download/windows", "TetherSOS.exe", "agent for windows"},
		{"/download/macos", "TetherSOS.zip", "agent for macos"},
		{"/download/linux", "TetherSOS", "agent for linux"},
	} {
		resp, body := l.get(tc.path, uaWindows, "")
		if resp.StatusCode != 200 || body != tc.content {
			t.Errorf("%s: %d %q", tc.path, resp.StatusCode, body)
			continue
		}
		if got, want := resp.Header.Get("Content-Disposition"), `attachment; filename="`+tc.name+`"`; got != want {
			t.Errorf("%s: Content-Disposition %q, want %q", tc.path, got, want)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("%s: Content-Type %q", tc.path, ct)
		}
	}
	// Streamed with http.ServeContent: ranges work.
	req, _ := http.NewRequest("GET", l.ts.URL+"/download/linux", nil)
	req.Header.Set("Range", "bytes=0-4")
	if status, body := l.send(req); status != http.StatusPartialContent || string(body) != "agent" {
		t.Errorf("range: %d %q", status, body)
	}

	// Nothing outside the fixed table is served. A file the table does not
	// name sits in the directory and beside it, as bait.
	os.WriteFile(filepath.Join(l.agentDir, "secret.txt"), []byte("BAIT-CONTENT"), 0o644)
	os.WriteFile(filepath.Join(filepath.Dir(l.agentDir), "outside.txt"), []byte("BAIT-CONTENT"), 0o644)
	for _, p := range []string{
		"/download/secret.txt", "/download/..%2Fsecret.txt", "/download/..%2F..%2Foutside.txt", "/download/%2E%2E",
		"/download/windows.exe", "/download/WINDOWS", "/download/" + AgentFileLinux, "/download/windows%00",
		"/s/" + token + "/download/..%2Fsecret.txt", "/s/" + token + "/download/%2Fetc%2Fpasswd",
		"/s/..%2F..%2Fetc/download/linux", "/static/..%2Fassets.go", "/static/translations%2Flanding.en.json",
	} {
		resp, body := l.get(p, uaWindows, "")
		if resp.StatusCode != 404 || strings.Contains(body, "BAIT-CONTENT") || strings.Contains(body, "package assets") {
			t.Errorf("%s: %d %.80q", p, resp.StatusCode, body)
		}
	}

	// A binary that is not provisioned: a clear 404 page.
	os.Remove(filepath.Join(l.agentDir, AgentFileMacOS))
	os.Mkdir(filepath.Join(l.agentDir, AgentFileMacOS), 0o755) // not a regular file either
	for _, p := range []string{"/s/" + token + "/download/macos", "/download/macos"} {
		resp, body := l.get(p, uaMac, "de")
		if resp.StatusCode != 404 {
			t.Errorf("%s without a binary: %d", p, resp.StatusCode)
		}
		mustContain(t, p, body, "Download nicht verfügbar", "Die App für macOS ist auf diesem Server noch nicht verfügbar.")
	}
	// No AgentDir at all.
	bare := newLandingEnv(t, func(c *Config) { c.AgentDir = "" })
	if resp, body := bare.get("/download/windows", uaWindows, ""); resp.StatusCode != 404 || !strings.Contains(body, "The app for Windows is not available") {
		t.Errorf("no agent dir: %d %s", resp.StatusCode, body)
	}
}

func TestSupportPage(t *testing.T) {
	l := newLandingEnv(t)
	resp, body := l.get("/support", uaWindows, "de")
	if resp.StatusCode != 200 {
		t.Fatalf("support page: %d", resp.StatusCode)
	}
	mustContain(t, "support page", body, "Example Corp", "Hilfe erhalten", "9-stelligen Code", "SOS Call",
		`id="download" href="/download/windows" download="TetherSOS.exe"`, `href="/download/macos"`, `href="/download/linux"`)

	for name, ct := range map[string]string{"landing.css": "text/css; charset=utf-8", "icon.png": "image/png"} {
		resp, body := l.get("/static/"+name, uaWindows, "")
		want, _ := assets.FS.ReadFile(staticFiles[name])
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ct || body != string(want) {
			t.Errorf("/static/%s: %d %s", name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if got := slices.Sorted(maps.Keys(staticFiles)); !slices.Equal(got, []string{"icon.png", "landing.css"}) {
		t.Errorf("static files %v; update openapi.yaml with them", got)
	}
}

// TestLandingInChromium opens the support link page in headless Chromium
// with a German browser and checks what it shows and where its download
// points. With TETHER_LANDING_SCREENSHOTS=dir it also saves a screenshot
// of each page and language there, to look at.
func TestLandingInChromium(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("headless Chromium test: /usr/bin/chromium is missing (Debian package chromium; make test installs it)")
	}
	l := newLandingEnv(t)
	_, token := l.link()
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
		cmd := exec.CommandContext(ctx, chromium, append(base, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String()
	}

	url := l.ts.URL + "/s/" + token
	// Headless Chromium sends Accept-Language from --accept-lang, not --lang.
	dom := run("--lang=de", "--accept-lang=de-DE,de;q=0.9,en;q=0.5", "--dump-dom", url)
	mustContain(t, "Chromium's DOM", dom,
		`<html lang="de">`, `id="org">Example Corp<`, "Olga Owner hilft Ihnen gleich weiter", "Für Linux herunterladen",
		`id="download" href="/s/`+token+`/download/linux" download="TetherSOS-`+token+`"`,
		"schließen Sie diese Seite")

	dir := os.Getenv("TETHER_LANDING_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	type shot struct{ path, ua string }
	shots := map[string]shot{
		"gone":         {"/s/unknown", ""},
		"missing":      {"/download/bsd", ""},
		"link-windows": {"/s/" + token, uaWindows},
		"link-any-os":  {"/s/" + token + "?lang=de", uaIPhone},
	}
	for _, lang := range pageLangs {
		shots["link-"+lang] = shot{"/s/" + token + "?lang=" + lang, ""}
		shots["support-"+lang] = shot{"/support?lang=" + lang, ""}
	}
	for name, sh := range shots {
		file := filepath.Join(dir, name+".png")
		args := []string{"--window-size=1280,900", "--hide-scrollbars", "--screenshot=" + file}
		if sh.ua != "" {
			args = append(args, "--user-agent="+sh.ua)
		}
		run(append(args, l.ts.URL+sh.path)...)
		t.Log(fmt.Sprintf("screenshot %s: %s", sh.path, file))
	}
}
