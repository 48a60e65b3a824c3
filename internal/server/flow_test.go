package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
)

// world is the fixture of the flow tests: one group routed to channel A.
type world struct {
	*env
	group    int64
	chanA    api.Channel
	t1       int64
	t1Token  string
	t2Token  string // not routed to A
	otherGrp int64
}

func newWorld(t *testing.T, configure ...func(*Config)) *world {
	e := newEnv(t, configure...)
	w := &world{env: e}
	w.group = e.createGroup("Mac experts")
	w.otherGrp = e.createGroup("Windows")
	w.t1, w.t1Token = e.createTech("t1@example.com", "technician", []int64{w.group})
	_, w.t2Token = e.createTech("t2@example.com", "technician", []int64{w.otherGrp})
	w.chanA = e.createChannel(api.ChannelRequest{
		Name: "Design", GroupIDs: []int64{w.group}, AcceptsSOS: true,
		FileTypes: []string{"png", "txt"}, MaxFileSize: 1000, ExpirationSeconds: 3600,
	})
	e.createChannel(api.ChannelRequest{Name: "Windows desk", GroupIDs: []int64{w.otherGrp}})
	return w
}

func (e *env) upload(path, token, name, contentType string, content []byte, multi bool) (int, []byte) {
	e.t.Helper()
	var body bytes.Buffer
	ct := contentType
	if multi {
		mw := multipart.NewWriter(&body)
		mw.WriteField("comment", "ignored")
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			e.t.Fatal(err)
		}
		fw.Write(content)
		mw.Close()
		ct = mw.FormDataContentType()
	} else {
		body.Write(content)
		path += "?name=" + url.QueryEscape(name)
	}
	req, _ := http.NewRequest("POST", e.ts.URL+path, &body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	return e.send(req)
}

func (e *env) download(path, token string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

func TestLinkFlow(t *testing.T) {
	w := newWorld(t)
	e := w.env

	var link api.CreateLinkResponse
	e.must(201, "POST", "/api/v1/sessions", w.t1Token, api.CreateLinkRequest{ChannelID: w.chanA.ID, EndUserName: "Aaron"}, &link)
	if !strings.HasPrefix(link.LinkURL, "https://support.example.com/s/") || !strings.HasSuffix(link.LinkURL, link.LinkToken) || len(link.LinkToken) < 22 {
		t.Fatalf("link = %+v", link)
	}
	if link.Session.State != "waiting" || link.Session.AssigneeID != w.t1 || link.Session.ChannelName != "Design" {
		t.Fatalf("new link session = %+v", link.Session)
	}
	sid := link.Session.ID

	// The landing page shows the link, escaped, and never logs it.
	status, page := e.call("GET", "/s/"+link.LinkToken, "", nil)
	if status != 200 || !bytes.Contains(page, []byte(link.LinkToken)) {
		t.Fatalf("landing page: %d %s", status, page)
	}

	e.clock.Advance(2 * time.Minute)
	var join api.AgentJoinResponse
	e.must(200, "POST", "/api/v1/agent/join", "", api.AgentJoinRequest{LinkToken: link.LinkToken, Device: testDevice}, &join)
	agent := join.Token
	if join.Session.State != "active" || join.Session.TechnicianName != "t1" || join.Session.OrgName != "Example Corp" {
		t.Fatalf("joined session = %+v", join.Session)
	}

	var mine []api.Session
	e.must(200, "GET", "/api/v1/sessions?mine=1&state=active", w.t1Token, nil, &mine)
	if len(mine) != 1 || mine[0].ID != sid || mine[0].Device.Hostname != "pc-1" || mine[0].Device.PublicIP != "127.0.0.1" || mine[0].AssigneeName != "t1" {
		t.Fatalf("my active sessions = %+v", mine)
	}

	var con api.Consent
	e.must(201, "POST", fmt.Sprintf("/api/v1/sessions/%d/remote", sid), w.t1Token, api.RemoteRequest{Mode: "control"}, &con)
	if con.Answer != "pending" || con.Mode != "control" {
		t.Fatalf("consent = %+v", con)
	}
	e.must(200, "POST", fmt.Sprintf("/api/v1/agent/consents/%d", con.ID), agent, api.ConsentAnswerRequest{Answer: "allow_control"}, &con)
	if con.Answer != "allow_control" {
		t.Fatalf("answered consent = %+v", con)
	}
	e.must(200, "GET", fmt.Sprintf("/api/v1/consents/%d", con.ID), w.t1Token, nil, &con)
	if status, raw := e.call("POST", fmt.Sprintf("/api/v1/agent/consents/%d", con.ID), agent, api.ConsentAnswerRequest{Answer: "deny"}); status != 409 {
		t.Fatalf("second answer: %d %s", status, raw)
	}
	var audit []api.AuditRecord
	e.must(200, "GET", fmt.Sprintf("/api/v1/audit?session_id=%d&action=consent_granted", sid), e.owner, nil, &audit)
	if len(audit) != 1 || audit[0].Detail != "allow_control" {
		t.Fatalf("consent audit = %+v", audit)
	}

	// Chat both ways.
	e.must(201, "POST", fmt.Sprintf("/api/v1/sessions/%d/messages", sid), w.t1Token, api.PostMessageRequest{Text: "Hello Aaron"}, nil)
	e.must(201, "POST", "/api/v1/agent/messages", agent, api.PostMessageRequest{Text: "Hi, <b>thanks</b>"}, nil)
	for _, c := range []struct{ path, token string }{
		{fmt.Sprintf("/api/v1/sessions/%d/messages", sid), w.t1Token},
		{"/api/v1/agent/messages", agent},
	} {
		var msgs []api.Message
		e.must(200, "GET", c.path, c.token, nil, &msgs)
		if len(msgs) != 2 || msgs[0].From != "technician" || msgs[1].From != "agent" || msgs[1].Text != "Hi, <b>thanks</b>" {
			t.Fatalf("%s: messages = %+v", c.path, msgs)
		}
	}

	// Files: allowed types both ways, forbidden type, too large.
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...)
	files := []struct {
		name      string
		path      string
		token     string
		file      string
		content   []byte
		multipart bool
		want      int
	}{
		{"agent raw png", "/api/v1/agent/files", agent, "screen shot.png", png, false, 201},
		{"technician multipart txt", fmt.Sprintf("/api/v1/sessions/%d/files", sid), w.t1Token, "../../etc/notes.txt", []byte("hello"), true, 201},
		{"disallowed type", "/api/v1/agent/files", agent, "setup.exe", []byte("MZ"), false, 400},
		{"no extension", fmt.Sprintf("/api/v1/sessions/%d/files", sid), w.t1Token, "README", []byte("x"), true, 400},
		{"too large", "/api/v1/agent/files", agent, "big.png", bytes.Repeat([]byte{1}, 1001), false, 413},
		{"too large multipart", fmt.Sprintf("/api/v1/sessions/%d/files", sid), w.t1Token, "big.txt", bytes.Repeat([]byte{1}, 5000), true, 413},
	}
	var sent []api.Message
	for _, f := range files {
		status, raw := e.upload(f.path, f.token, f.file, "image/png", f.content, f.multipart)
		if status != f.want {
			t.Fatalf("%s: status %d, want %d: %s", f.name, status, f.want, raw)
		}
		if status == 201 {
			var m api.Message
			if err := jsonUnmarshal(raw, &m); err != nil || m.Attachment == nil {
				t.Fatalf("%s: %s", f.name, raw)
			}
			sent = append(sent, m)
		}
	}
	if sent[1].Attachment.Name != "notes.txt" {
		t.Errorf("sanitised name = %q", sent[1].Attachment.Name)
	}
	resp, got := e.download(fmt.Sprintf("/api/v1/files/%d", sent[0].Attachment.ID), w.t1Token)
	if resp.StatusCode != 200 || !bytes.Equal(got, png) {
		t.Fatalf("download: %d, %d bytes", resp.StatusCode, len(got))
	}
	if resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") || !strings.Contains(resp.Header.Get("Content-Disposition"), "screen shot.png") {
		t.Fatalf("download headers = %v", resp.Header)
	}
	resp, got = e.download(fmt.Sprintf("/api/v1/agent/files/%d", sent[1].Attachment.ID), agent)
	if resp.StatusCode != 200 || string(got) != "hello" {
		t.Fatalf("agent download: %d %q", resp.StatusCode, got)
	}
	var msgs []api.Message
	e.must(200, "GET", "/api/v1/agent/messages", agent, nil, &msgs)
	if len(msgs) != 4 {
		t.Fatalf("after files, %d messages, want 4 (rejected files leave nothing)", len(msgs))
	}

	// Close, rate 2, flagged in the report.
	if status, raw := e.call("POST", "/api/v1/agent/rating", agent, api.RatingRequest{Stars: 2}); status != 409 {
		t.Fatalf("rating an open session: %d %s", status, raw)
	}
	e.clock.Advance(10 * time.Minute)
	var closed api.Session
	e.must(200, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", sid), w.t1Token, nil, &closed)
	if closed.State != "closed" || closed.ClosedAt == nil {
		t.Fatalf("closed = %+v", closed)
	}
	var rating api.Rating
	e.must(201, "POST", "/api/v1/agent/rating", agent, api.RatingRequest{Stars: 2, Comment: "slow"}, &rating)
	if !rating.Flagged {
		t.Fatalf("rating = %+v", rating)
	}
	if status, _ := e.call("POST", "/api/v1/agent/rating", agent, api.RatingRequest{Stars: 5}); status != 409 {
		t.Fatalf("second rating: %d", status)
	}
	e.clock.Advance(time.Minute)
	var rep api.Report
	e.must(200, "GET", "/api/v1/reports?from=2026-03-01", e.owner, nil, &rep)
	if len(rep.Flagged) != 1 || rep.Flagged[0].SessionID != sid || rep.Total.Flagged != 1 || rep.Total.Closed != 1 {
		t.Fatalf("report = %+v", rep)
	}
	if status, _ := e.call("POST", "/api/v1/agent/join", "", api.AgentJoinRequest{LinkToken: link.LinkToken, Device: testDevice}); status != 410 {
		t.Fatalf("joining a closed session: %d", status)
	}

	// The CSV export parses and has the header row and the consent record.
	resp, got = e.download(fmt.Sprintf("/api/v1/audit.csv?session_id=%d", sid), e.owner)
	rows, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(rows) < 5 || strings.Join(rows[0], ",") != strings.Join(api.AuditCSVHeader, ",") {
		t.Fatalf("audit.csv: %d %v\n%s", resp.StatusCode, err, got)
	}
	var timeline []api.AuditRecord
	e.must(200, "GET", fmt.Sprintf("/api/v1/sessions/%d/timeline", sid), w.t1Token, nil, &timeline)
	if len(timeline) != len(rows)-1 {
		t.Fatalf("timeline has %d records, csv %d rows", len(timeline), len(rows)-1)
	}

	// Nothing secret reached the log.
	for _, secret := range []string{link.LinkToken, agent, w.t1Token, password, "Hello Aaron"} {
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("log contains a secret or chat text %q", secret)
		}
	}
}

func TestCodeFlow(t *testing.T) {
	w := newWorld(t)
	e := w.env

	var code api.AgentJoinResponse
	e.must(201, "POST", "/api/v1/agent/code", "", api.AgentCodeRequest{Name: "Bea", Device: testDevice}, &code)
	if len(code.Code) != 9 || code.CodeExpiresAt == nil || code.Session.State != "waiting" {
		t.Fatalf("code = %+v", code)
	}
	// Until claimed, nobody sees it.
	var all []api.Session
	e.must(200, "GET", "/api/v1/sessions", e.owner, nil, &all)
	if len(all) != 0 {
		t.Fatalf("unclaimed code visible: %+v", all)
	}
	spaced := code.Code[:3] + " " + code.Code[3:6] + "-" + code.Code[6:]
	var sess api.Session
	e.must(200, "POST", "/api/v1/codes/claim", w.t1Token, api.ClaimCodeRequest{Code: spaced, ChannelID: w.chanA.ID}, &sess)
	if sess.State != "active" || sess.AssigneeID != w.t1 || sess.ChannelID != w.chanA.ID {
		t.Fatalf("claimed = %+v", sess)
	}
	var view api.AgentSession
	e.must(200, "GET", "/api/v1/agent/session", code.Token, nil, &view)
	if view.State != "active" || view.TechnicianName != "t1" {
		t.Fatalf("agent view = %+v", view)
	}
	// A code works once.
	if status, _ := e.call("POST", "/api/v1/codes/claim", w.t1Token, api.ClaimCodeRequest{Code: code.Code}); status != 404 {
		t.Fatalf("second claim: %d", status)
	}

	// Wrong codes: 404 until 10 per minute (one already spent above), then 429.
	for i := 1; i < 10; i++ {
		status, raw := e.call("POST", "/api/v1/codes/claim", w.t1Token, api.ClaimCodeRequest{Code: fmt.Sprintf("%09d", i)})
		if status != 404 {
			t.Fatalf("wrong code %d: %d %s", i, status, raw)
		}
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/codes/claim", strings.NewReader(`{"code":"000000042"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.t1Token)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("11th wrong code: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	// A minute later the address may try again; an expired code is 410.
	e.clock.Advance(61 * time.Second)
	e.must(201, "POST", "/api/v1/agent/code", "", api.AgentCodeRequest{Name: "Ben", Device: testDevice}, &code)
	e.clock.Advance(11 * time.Minute)
	if status, raw := e.call("POST", "/api/v1/codes/claim", w.t1Token, api.ClaimCodeRequest{Code: code.Code, ChannelID: w.chanA.ID}); status != 410 {
		t.Fatalf("expired code: %d %s", status, raw)
	}
	e.must(200, "GET", "/api/v1/agent/session", code.Token, nil, &view)
	if view.State != "expired" {
		t.Fatalf("expired code session = %+v", view)
	}
}

func TestSOSFlow(t *testing.T) {
	w := newWorld(t)
	e := w.env

	var chans []api.SOSChannel
	e.must(200, "GET", "/api/v1/agent/sos-channels", "", nil, &chans)
	if len(chans) != 1 || chans[0].ID != w.chanA.ID {
		t.Fatalf("SOS channels = %+v", chans)
	}
	j := e.sos(w.chanA.ID, "Carl")
	if j.Session.State != "queued" || j.Session.ChannelName != "Design" {
		t.Fatalf("SOS session = %+v", j.Session)
	}
	sid := j.Session.SessionID

	var queue []api.Session
	e.must(200, "GET", fmt.Sprintf("/api/v1/channels/%d/sessions?state=queued,active&sort=-created_at", w.chanA.ID), w.t1Token, nil, &queue)
	if len(queue) != 1 || queue[0].ID != sid || queue[0].EndUserName != "Carl" || queue[0].Problem != "it is broken" {
		t.Fatalf("routed technician's queue = %+v", queue)
	}
	var other []api.Session
	e.must(200, "GET", "/api/v1/sessions?state=queued", w.t2Token, nil, &other)
	if len(other) != 0 {
		t.Fatalf("technician not routed sees %+v", other)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", fmt.Sprintf("/api/v1/sessions/%d", sid)},
		{"POST", fmt.Sprintf("/api/v1/sessions/%d/take", sid)},
		{"GET", fmt.Sprintf("/api/v1/channels/%d/sessions", w.chanA.ID)},
	} {
		if status, raw := e.call(c.method, c.path, w.t2Token, nil); status != 404 {
			t.Errorf("not routed %s %s: %d %s", c.method, c.path, status, raw)
		}
	}
	var rows []api.QueueRow
	e.must(200, "GET", "/api/v1/queue", w.t1Token, nil, &rows)
	if len(rows) != 1 || rows[0].Waiting != 1 || rows[0].Routed != 1 || rows[0].Available != 1 {
		t.Fatalf("queue = %+v", rows)
	}

	var taken api.Session
	e.must(200, "POST", fmt.Sprintf("/api/v1/sessions/%d/take", sid), w.t1Token, nil, &taken)
	if taken.State != "active" || taken.AssigneeID != w.t1 || taken.FirstResponseAt == nil {
		t.Fatalf("taken = %+v", taken)
	}
	if status, raw := e.call("POST", fmt.Sprintf("/api/v1/sessions/%d/take", sid), w.t1Token, nil); status != 409 || !strings.Contains(string(raw), "active") {
		t.Fatalf("second take: %d %s", status, raw)
	}
	var released api.Session
	e.must(200, "POST", fmt.Sprintf("/api/v1/sessions/%d/release", sid), w.t1Token, nil, &released)
	if released.State != "queued" || released.AssigneeID != 0 {
		t.Fatalf("released = %+v", released)
	}
}
