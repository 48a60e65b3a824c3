package server

// The broker's public pages: the page a support link opens (/s/{token})
// with the agent download for the visitor's OS, the public support page
// for the code flow and SOS Call (/support), and the agent downloads
// themselves. Pages come from assets/templates in the visitor's language
// (assets/translations/landing.<lang>.json).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tetherdesk/tether/assets"
	"github.com/tetherdesk/tether/internal/desk"
)

// Agent binaries the admin puts in Config.AgentDir, one per OS. A missing
// file means downloads for that OS answer 404.
const (
	AgentFileWindows = "tether-sos-windows-amd64.exe"
	AgentFileMacOS   = "tether-sos-macos.zip" // the app bundle, zipped
	AgentFileLinux   = "tether-sos-linux-amd64"
)

// agentOS is one downloadable agent. The table is the only source of file
// names: nothing from the request reaches the file system.
type agentOS struct {
	ID    string // path segment: /download/{os}
	Label string
	File  string // in Config.AgentDir
	Ext   string // of the download name
}

var agentOSes = []agentOS{
	{ID: "windows", Label: "Windows", File: AgentFileWindows, Ext: ".exe"},
	{ID: "macos", Label: "macOS", File: AgentFileMacOS, Ext: ".zip"},
	{ID: "linux", Label: "Linux", File: AgentFileLinux},
}

func findOS(id string) (agentOS, bool) {
	i := slices.IndexFunc(agentOSes, func(o agentOS) bool { return o.ID == id })
	if i < 0 {
		return agentOS{}, false
	}
	return agentOSes[i], true
}

// downloadName is the name the browser saves the agent under. With a
// support link token the agent finds its session from its own file name.
func downloadName(o agentOS, token string) string {
	if token == "" {
		return "TetherSOS" + o.Ext
	}
	return "TetherSOS-" + token + o.Ext
}

// safeToken reports whether a link token can go into a file name and a
// header unquoted: desk.NewSecret makes base64url, nothing else is a link.
func safeToken(t string) bool {
	if t == "" || len(t) > 256 {
		return false
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// detectOS guesses the visitor's desktop OS from the User-Agent: "windows",
// "macos", "linux", or "" for phones, tablets, ChromeOS and anything else
// the agent does not run on (the page then lists every OS).
func detectOS(ua string) string {
	switch {
	case strings.Contains(ua, "Windows Phone"), strings.Contains(ua, "Android"),
		strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPad"), strings.Contains(ua, "iPod"),
		strings.Contains(ua, "CrOS"):
		return ""
	case strings.Contains(ua, "Windows"):
		return "windows"
	case strings.Contains(ua, "Macintosh"), strings.Contains(ua, "Mac OS X"):
		return "macos"
	case strings.Contains(ua, "Linux"):
		return "linux"
	}
	return ""
}

// Languages of the pages; the first is the default.
var pageLangs = []string{"en", "de", "pt"}

// negotiateLang picks the page language: a supported ?lang= override,
// else the supported language with the highest q-value in Accept-Language
// (by primary subtag: de-AT is de, pt-BR is pt; ties go to the earlier
// entry), else English.
func negotiateLang(acceptLanguage, override string) string {
	if o := strings.ToLower(strings.TrimSpace(override)); slices.Contains(pageLangs, o) {
		return o
	}
	best, bestQ := pageLangs[0], 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		primary, _, _ := strings.Cut(tag, "-")
		if !slices.Contains(pageLangs, primary) {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		if q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}

// catalogs holds each page language's strings by key.
var catalogs = loadCatalogs()

func loadCatalogs() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range pageLangs {
		raw, err := assets.FS.ReadFile("translations/landing." + lang + ".json")
		if err != nil {
			panic(fmt.Sprintf("server: translations for %s: %v", lang, err))
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(fmt.Sprintf("server: translations for %s: %v", lang, err))
		}
		out[lang] = m
	}
	return out
}

// missingMark starts what T shows for a key a language lacks; tests look
// for it in every rendered page.
const missingMark = "MISSING TRANSLATION: "

// Page templates, each with the shared layout.
var (
	linkPage    = parsePage("link.html", "downloads.html")
	supportPage = parsePage("support.html", "downloads.html")
	messagePage = parsePage("message.html")
)

func parsePage(files ...string) *template.Template {
	pats := []string{"templates/base.html"}
	for _, f := range files {
		pats = append(pats, "templates/"+f)
	}
	return template.Must(template.New(files[0]).ParseFS(assets.FS, pats...))
}

// staticFiles are the pages' style sheet and icon: GET /static/{name}.
var staticFiles = map[string]string{
	"landing.css": "templates/landing.css",
	"icon.png":    "icon.png",
}

type download struct {
	OS, Label, Href, FileName string
}

type langLink struct {
	Code, Name, Href string
	Current          bool
}

// pageData is what the templates see.
type pageData struct {
	Lang      string
	Base      string // path prefix of the broker's public URL ("" or "/help")
	LangQuery string // "?lang=de" when the language came from ?lang=
	Org       string
	Title     string
	Langs     []langLink

	Tech    string
	Primary *download // the visitor's OS; nil when unknown
	Others  []download

	Heading, Text string // message pages
}

// T returns the translation of key in the page's language, formatted
// with args (translations use %[1]s, so the order may differ by language).
func (d *pageData) T(key string, args ...any) string {
	s, ok := catalogs[d.Lang][key]
	if !ok {
		return missingMark + key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func (s *Server) landingRoutes() {
	s.handle("GET /support", http.HandlerFunc(s.supportPage))
	s.handle("GET /download/{os}", http.HandlerFunc(s.publicDownload))
	s.handle("GET /s/{token}", http.HandlerFunc(s.linkPage))
	s.handle("GET /s/{token}/download/{os}", http.HandlerFunc(s.linkDownload))
	s.handle("GET /static/{name}", http.HandlerFunc(s.static))
}

// newPage starts the data of a page for r.
func (s *Server) newPage(r *http.Request) *pageData {
	override := r.URL.Query().Get("lang")
	lang := negotiateLang(r.Header.Get("Accept-Language"), override)
	d := &pageData{Lang: lang, Base: s.basePath(), Org: s.cfg.OrgName}
	if d.Org == "" {
		d.Org = "Tether"
	}
	if slices.Contains(pageLangs, strings.ToLower(override)) {
		d.LangQuery = "?lang=" + lang
	}
	for _, l := range pageLangs {
		q := r.URL.Query()
		q.Set("lang", l)
		d.Langs = append(d.Langs, langLink{Code: l, Name: catalogs[l]["lang_name"], Href: r.URL.Path + "?" + q.Encode(), Current: l == lang})
	}
	return d
}

// basePath is the path of PublicURL, for links when the broker is served
// under a prefix.
func (s *Server) basePath() string {
	u, err := url.Parse(s.cfg.PublicURL)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

// downloads fills the page's download buttons: the visitor's OS first,
// the others after it; href makes each OS's address.
func (d *pageData) downloads(r *http.Request, href func(agentOS) string, token string) {
	mine := detectOS(r.Header.Get("User-Agent"))
	for _, o := range agentOSes {
		dl := download{OS: o.ID, Label: o.Label, Href: href(o), FileName: downloadName(o, token)}
		if o.ID == mine {
			d.Primary = &dl
		} else {
			d.Others = append(d.Others, dl)
		}
	}
}

// render writes a page with the headers every public page carries.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, t *template.Template, d *pageData) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "page", d); err != nil {
		s.log.Error("render page", "request_id", requestID(r.Context()), "pattern", r.Pattern, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	pageHeaders(h)
	h.Set("Content-Language", d.Lang)
	h.Set("Vary", "Accept-Language, User-Agent")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func pageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	// Support link pages carry the token in their address: no Referer
	// leaves them, no cache or robot keeps them.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Cache-Control", "no-store")
}

// message renders a page that only says something, e.g. why a link does
// not work.
func (s *Server) message(w http.ResponseWriter, r *http.Request, status int, d *pageData, title, text string) {
	d.Title, d.Heading, d.Text = title, title, text
	s.render(w, r, status, messagePage, d)
}

// linkProblem answers a link lookup error: 404 unknown, 410 expired or
// closed, 500 (logged) anything else.
func (s *Server) linkProblem(w http.ResponseWriter, r *http.Request, d *pageData, err error) {
	switch desk.ErrorCode(err) {
	case desk.ENOTFOUND:
		s.message(w, r, http.StatusNotFound, d, d.T("notfound_title"), d.T("notfound_text"))
	case desk.EGONE:
		s.message(w, r, http.StatusGone, d, d.T("gone_title"), d.T("gone_text"))
	default:
		s.pageError(w, r, d, err)
	}
}

func (s *Server) pageError(w http.ResponseWriter, r *http.Request, d *pageData, err error) {
	s.log.Error("internal error", "request_id", requestID(r.Context()), "pattern", r.Pattern, "err", err)
	s.message(w, r, http.StatusInternalServerError, d, d.T("error_title"), d.T("error_text"))
}

// lookupLink checks the token of a /s/{token} request.
func (s *Server) lookupLink(r *http.Request) (string, *desk.LinkView, error) {
	token := r.PathValue("token")
	if !safeToken(token) {
		return "", nil, desk.Errorf(desk.ENOTFOUND, "this support link is not valid")
	}
	v, err := s.svc.LinkInfo(r.Context(), token)
	return token, v, err
}

// linkPage is the page a support link opens. It names the technician, so
// it looks the token up; tokens are 256-bit secrets, not guessable.
func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) {
	d := s.newPage(r)
	token, v, err := s.lookupLink(r)
	if err != nil {
		s.linkProblem(w, r, d, err)
		return
	}
	d.Title = d.T("remote_support")
	d.Tech = v.TechnicianName
	d.downloads(r, func(o agentOS) string { return d.Base + "/s/" + token + "/download/" + o.ID }, token)
	s.render(w, r, http.StatusOK, linkPage, d)
}

// supportPage is the public page for the code flow and SOS Call.
func (s *Server) supportPage(w http.ResponseWriter, r *http.Request) {
	d := s.newPage(r)
	d.Title = d.T("support_heading")
	d.downloads(r, func(o agentOS) string { return d.Base + "/download/" + o.ID }, "")
	s.render(w, r, http.StatusOK, supportPage, d)
}

func (s *Server) linkDownload(w http.ResponseWriter, r *http.Request) {
	token, _, err := s.lookupLink(r)
	if err != nil {
		s.linkProblem(w, r, s.newPage(r), err)
		return
	}
	s.serveAgent(w, r, token)
}

func (s *Server) publicDownload(w http.ResponseWriter, r *http.Request) {
	s.serveAgent(w, r, "")
}

// serveAgent streams the agent binary for the {os} path value, named
// for the link token (none for the public download).
func (s *Server) serveAgent(w http.ResponseWriter, r *http.Request, token string) {
	o, ok := findOS(r.PathValue("os"))
	if !ok {
		d := s.newPage(r)
		s.message(w, r, http.StatusNotFound, d, d.T("page_notfound_title"), d.T("page_notfound_text"))
		return
	}
	f, st, err := s.openAgent(o)
	if err != nil {
		d := s.newPage(r)
		if errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("agent binary not provisioned", "os", o.ID, "file", o.File)
			s.message(w, r, http.StatusNotFound, d, d.T("missing_title"), d.T("missing_text", o.Label))
			return
		}
		s.pageError(w, r, d, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+downloadName(o, token)+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", st.ModTime(), f)
}

// openAgent opens o's binary in AgentDir; fs.ErrNotExist when there is
// no AgentDir or no regular file of that name.
func (s *Server) openAgent(o agentOS) (*os.File, os.FileInfo, error) {
	if s.cfg.AgentDir == "" {
		return nil, nil, fs.ErrNotExist
	}
	f, err := os.Open(filepath.Join(s.cfg.AgentDir, o.File))
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// static serves the pages' style sheet and icon from the fixed table.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name, ok := staticFiles[r.PathValue("name")]
	if !ok {
		d := s.newPage(r)
		s.message(w, r, http.StatusNotFound, d, d.T("page_notfound_title"), d.T("page_notfound_text"))
		return
	}
	b, err := assets.FS.ReadFile(name)
	if err != nil {
		s.pageError(w, r, s.newPage(r), err)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, path.Base(name), time.Time{}, bytes.NewReader(b))
}
