package apiclient_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

func TestAccountsGroupsChannels(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)

	info, err := w.client(t).Info(ctx)
	if err != nil || info.OrgName != "Example Corp" || info.ProtocolVersion != api.ProtocolVersion {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	me, err := w.tech.Me(ctx)
	if err != nil || me.ID != w.techID || me.Name != "Tina" {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	if a, err := w.tech.SetAvailability(ctx, "busy"); err != nil || a.Availability != "busy" {
		t.Fatalf("SetAvailability = %+v, %v", a, err)
	}

	techs, err := w.owner.ListTechnicians(ctx)
	if err != nil || len(techs) != 2 {
		t.Fatalf("ListTechnicians = %+v, %v", techs, err)
	}
	name := "Tina Tech"
	if a, err := w.owner.UpdateTechnician(ctx, w.techID, api.UpdateTechnicianRequest{Name: &name}); err != nil || a.Name != name {
		t.Fatalf("UpdateTechnician = %+v, %v", a, err)
	}
	if _, err := w.tech.CreateTechnician(ctx, api.CreateTechnicianRequest{Email: "x@example.com", Name: "X", Role: "owner", Password: password}); !apiclient.IsCode(err, apiclient.CodeForbidden) {
		t.Fatalf("technician creating an owner: %v", err)
	}

	g, err := w.owner.CreateGroup(ctx, "Windows", "PCs")
	if err != nil {
		t.Fatal(err)
	}
	desc := "Windows PCs"
	if g2, err := w.owner.UpdateGroup(ctx, g.ID, api.GroupRequest{Description: &desc}); err != nil || g2.Description != desc || g2.Name != "Windows" {
		t.Fatalf("UpdateGroup = %+v, %v", g2, err)
	}
	if gs, err := w.owner.ListGroups(ctx); err != nil || len(gs) != 2 {
		t.Fatalf("ListGroups = %+v, %v", gs, err)
	}
	if err := w.owner.DeleteGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.owner.DeleteGroup(ctx, g.ID); !apiclient.IsCode(err, apiclient.CodeNotFound) {
		t.Fatalf("deleting a deleted group: %v", err)
	}

	ch, err := w.owner.CreateChannel(ctx, api.ChannelRequest{Name: "Temp", GroupIDs: []int64{w.group.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if ch2, err := w.owner.UpdateChannel(ctx, ch.ID, api.ChannelRequest{Name: "Temporary", GroupIDs: []int64{w.group.ID}, ExpirationSeconds: 600}); err != nil || ch2.Name != "Temporary" || ch2.ExpirationSeconds != 600 {
		t.Fatalf("UpdateChannel = %+v, %v", ch2, err)
	}
	if got, err := w.tech.Channel(ctx, ch.ID); err != nil || got.Name != "Temporary" {
		t.Fatalf("Channel = %+v, %v", got, err)
	}
	if list, err := w.tech.ListChannels(ctx); err != nil || len(list) != 2 {
		t.Fatalf("ListChannels = %+v, %v", list, err)
	}
	if err := w.owner.DeleteChannel(ctx, ch.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.owner.Channel(ctx, ch.ID); !apiclient.IsCode(err, apiclient.CodeNotFound) {
		t.Fatalf("deleted channel: %v", err)
	}

	if err := w.tech.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if w.tech.Token() != "" {
		t.Fatal("Logout kept the token")
	}
	if _, err := w.tech.Me(ctx); !apiclient.IsCode(err, apiclient.CodeUnauthorized) {
		t.Fatalf("Me after logout: %v", err)
	}
}

// transfer checks a file transfer's progress calls, which may come from
// the HTTP transport's goroutine.
type transfer struct {
	mu         sync.Mutex
	calls      int
	last, want int64
}

func (p *transfer) progress(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < p.last {
		p.calls = -1 << 30 // progress went backwards: fail the check
	}
	p.calls++
	p.last = done
	p.want = total
}

func (p *transfer) check(t *testing.T, what string, done, total int64) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.calls == 0 || p.last != done || p.want != total {
		t.Fatalf("%s progress: %d calls, last %d of %d; want %d of %d", what, p.calls, p.last, p.want, done, total)
	}
}

func TestLinkFlowChatFilesConsent(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)

	link, err := w.tech.CreateLink(ctx, api.CreateLinkRequest{ChannelID: w.channel.ID, EndUserName: "Aaron", Problem: "mail"})
	if err != nil {
		t.Fatal(err)
	}
	base, token, err := apiclient.ParseLink(link.LinkURL)
	if err != nil || base != w.URL() || token != link.LinkToken {
		t.Fatalf("ParseLink(%q) = %q, %q, %v", link.LinkURL, base, token, err)
	}
	agent, err := apiclient.New(base, apiclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := agent.JoinLink(ctx, token, testDevice)
	if err != nil {
		t.Fatal(err)
	}
	id := j.Session.SessionID
	if id != link.Session.ID || agent.Token() == "" || j.Session.OrgName != "Example Corp" {
		t.Fatalf("JoinLink = %+v", j)
	}
	if s, err := w.tech.Session(ctx, id); err != nil || s.State != "active" || s.AssigneeID != w.techID || s.Device.Hostname != "pc-1" {
		t.Fatalf("Session = %+v, %v", s, err)
	}
	dev := testDevice
	dev.Screens = append(dev.Screens, api.Screen{Width: 1280, Height: 1024})
	if s, err := agent.UpdateDevice(ctx, dev); err != nil || len(s.Device.Screens) != 2 {
		t.Fatalf("UpdateDevice = %+v, %v", s, err)
	}
	if s, err := agent.AgentSession(ctx); err != nil || s.State != "active" || s.TechnicianName != "Tina" {
		t.Fatalf("AgentSession = %+v, %v", s, err)
	}

	// Chat both ways.
	m1, err := w.tech.PostMessage(ctx, id, "hello, I am Tina")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.AgentPostMessage(ctx, "hi Tina"); err != nil {
		t.Fatal(err)
	}
	if msgs, err := agent.AgentMessages(ctx, 0); err != nil || len(msgs) != 2 || msgs[0].Text != "hello, I am Tina" {
		t.Fatalf("AgentMessages = %+v, %v", msgs, err)
	}
	if msgs, err := w.tech.Messages(ctx, id, m1.ID); err != nil || len(msgs) != 1 || msgs[0].From != "agent" {
		t.Fatalf("Messages after %d = %+v, %v", m1.ID, msgs, err)
	}
	if msgs, err := agent.AgentMessages(ctx, m1.ID); err != nil || len(msgs) != 1 {
		t.Fatalf("AgentMessages after = %+v, %v", msgs, err)
	}

	// Files both ways, streamed, with progress reaching the total.
	content := make([]byte, 300<<10)
	rand.Read(content)
	up := &transfer{}
	msg, err := agent.AgentSendFile(ctx, "screen.png", bytes.NewReader(content), int64(len(content)), up.progress)
	if err != nil {
		t.Fatal(err)
	}
	up.check(t, "agent upload", int64(len(content)), int64(len(content)))
	if msg.Attachment == nil || msg.Attachment.Size != int64(len(content)) {
		t.Fatalf("upload message = %+v", msg)
	}
	var got bytes.Buffer
	down := &transfer{}
	name, err := w.tech.DownloadFile(ctx, msg.Attachment.ID, &got, down.progress)
	if err != nil || name != "screen.png" || !bytes.Equal(got.Bytes(), content) {
		t.Fatalf("DownloadFile = %q, %d bytes, %v", name, got.Len(), err)
	}
	down.check(t, "technician download", int64(len(content)), int64(len(content)))

	text := strings.Repeat("log line\n", 1000)
	up = &transfer{}
	msg, err = w.tech.SendFile(ctx, id, "../../etc/notes.txt", strings.NewReader(text), -1, up.progress)
	if err != nil {
		t.Fatal(err)
	}
	up.check(t, "technician upload of unknown size", int64(len(text)), -1)
	got.Reset()
	down = &transfer{}
	name, err = agent.AgentDownloadFile(ctx, msg.Attachment.ID, &got, down.progress)
	if err != nil || strings.ContainsAny(name, `/\`) || got.String() != text {
		t.Fatalf("AgentDownloadFile = %q, %d bytes, %v", name, got.Len(), err)
	}
	down.check(t, "agent download", int64(len(text)), int64(len(text)))
	if _, err := w.tech.SendFile(ctx, id, "tool.exe", strings.NewReader("MZ"), 2, nil); err == nil {
		t.Fatal("a forbidden file type was accepted")
	}
	big := bytes.Repeat([]byte{'a'}, 5<<20)
	if _, err := agent.AgentSendFile(ctx, "big.txt", bytes.NewReader(big), int64(len(big)), nil); !apiclient.IsCode(err, apiclient.CodeTooLarge) {
		t.Fatalf("oversized upload: %v", err)
	}

	// Consent.
	con, err := w.tech.RequestRemote(ctx, id, "control")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := agent.AgentConsent(ctx, con.ID); err != nil || c.Mode != "control" || c.Technician != "Tina" {
		t.Fatalf("AgentConsent = %+v, %v", c, err)
	}
	if c, err := agent.AnswerConsent(ctx, con.ID, "allow_control"); err != nil || c.Answer != "allow_control" {
		t.Fatalf("AnswerConsent = %+v, %v", c, err)
	}
	if c, err := w.tech.Consent(ctx, con.ID); err != nil || c.Answer != "allow_control" || c.AnsweredAt == nil {
		t.Fatalf("Consent = %+v, %v", c, err)
	}

	// Collaboration, transfer, release, close, rating.
	a2, err := w.owner.CreateTechnician(ctx, api.CreateTechnicianRequest{Email: "t2@example.com", Name: "Tom", Role: "technician",
		Password: password, GroupIDs: []int64{w.group.ID}, Availability: "available"})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := w.tech.Invite(ctx, id, a2.ID); err != nil || len(s.Collaborators) != 1 {
		t.Fatalf("Invite = %+v, %v", s, err)
	}
	if s, err := w.tech.Transfer(ctx, id, a2.ID, 0); err != nil || s.AssigneeID != a2.ID {
		t.Fatalf("Transfer = %+v, %v", s, err)
	}
	tom := w.login(t, "t2@example.com")
	if s, err := tom.Release(ctx, id); err != nil || s.State != "queued" {
		t.Fatalf("Release = %+v, %v", s, err)
	}
	if _, err := w.tech.Take(ctx, id); err != nil {
		t.Fatal(err)
	}
	if s, err := w.tech.Close(ctx, id); err != nil || s.State != "closed" {
		t.Fatalf("Close = %+v, %v", s, err)
	}
	if r, err := agent.Rate(ctx, 2, "slow"); err != nil || !r.Flagged {
		t.Fatalf("Rate = %+v, %v", r, err)
	}
	tl, err := w.tech.Timeline(ctx, id)
	if err != nil || len(tl) < 5 {
		t.Fatalf("Timeline = %d records, %v", len(tl), err)
	}
	for _, r := range tl {
		if strings.Contains(r.Detail, "hello, I am Tina") {
			t.Fatalf("chat text in the timeline: %+v", r)
		}
	}

	// Reports and audit.
	rep, err := w.owner.Report(ctx, apiclient.ReportQuery{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour), ChannelID: w.channel.ID})
	if err != nil || rep.Total.Sessions != 1 || rep.Total.Ratings != 1 || len(rep.Flagged) != 1 {
		t.Fatalf("Report = %+v, %v", rep, err)
	}
	if q, err := w.owner.Queue(ctx); err != nil || len(q) != 1 || q[0].ChannelID != w.channel.ID {
		t.Fatalf("Queue = %+v, %v", q, err)
	}
	recs, err := w.owner.Audit(ctx, apiclient.AuditQuery{SessionID: id, Limit: 3})
	if err != nil || len(recs) != 3 {
		t.Fatalf("Audit = %d records, %v", len(recs), err)
	}
	next, err := w.owner.Audit(ctx, apiclient.AuditQuery{SessionID: id, AfterSeq: recs[2].Seq})
	if err != nil || len(next) == 0 || next[0].Seq <= recs[2].Seq {
		t.Fatalf("Audit page 2 = %+v, %v", next, err)
	}
	var buf bytes.Buffer
	if err := w.owner.AuditCSV(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) < 10 || strings.Join(rows[0], ",") != strings.Join(api.AuditCSVHeader, ",") {
		t.Fatalf("AuditCSV: %d rows, %v", len(rows), err)
	}
	if err := w.tech.AuditCSV(ctx, io.Discard); !apiclient.IsCode(err, apiclient.CodeForbidden) {
		t.Fatalf("technician audit export: %v", err)
	}

	if err := w.owner.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.owner.Session(ctx, id); !apiclient.IsCode(err, apiclient.CodeNotFound) {
		t.Fatalf("deleted session: %v", err)
	}
}

func TestCodeAndSOSFlows(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)

	agent := w.client(t)
	j, err := agent.RequestCode(ctx, "Berta", testDevice)
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Code) != 9 || j.CodeExpiresAt == nil || agent.Token() == "" {
		t.Fatalf("RequestCode = %+v", j)
	}
	s, err := w.tech.ClaimCode(ctx, j.Code, w.channel.ID)
	if err != nil || s.ID != j.Session.SessionID || s.State != "active" {
		t.Fatalf("ClaimCode = %+v, %v", s, err)
	}
	if _, err := w.tech.ClaimCode(ctx, "000000000", 0); !apiclient.IsCode(err, apiclient.CodeNotFound) {
		t.Fatalf("wrong code: %v", err)
	}

	chans, err := w.client(t).SOSChannels(ctx)
	if err != nil || len(chans) != 1 || chans[0].ID != w.channel.ID {
		t.Fatalf("SOSChannels = %+v, %v", chans, err)
	}
	_, sos1 := w.sos(t, "Carl")
	_, sos2 := w.sos(t, "Dora")
	queue, err := w.tech.ChannelSessions(ctx, w.channel.ID, apiclient.SessionQuery{States: []string{"queued"}, Sort: "end_user_name"})
	if err != nil || len(queue) != 2 || queue[0].ID != sos1.Session.SessionID || queue[1].ID != sos2.Session.SessionID {
		t.Fatalf("ChannelSessions = %+v, %v", queue, err)
	}
	desc, err := w.tech.ListSessions(ctx, apiclient.SessionQuery{States: []string{"queued", "active"}, Sort: "-end_user_name", ChannelID: w.channel.ID, Limit: 2})
	if err != nil || len(desc) != 2 || desc[0].EndUserName != "Dora" {
		t.Fatalf("ListSessions = %+v, %v", desc, err)
	}
	mine, err := w.tech.ListSessions(ctx, apiclient.SessionQuery{Mine: true})
	if err != nil || len(mine) != 1 || mine[0].ID != j.Session.SessionID {
		t.Fatalf("ListSessions mine = %+v, %v", mine, err)
	}
	if _, err := w.tech.ListSessions(ctx, apiclient.SessionQuery{States: []string{"sleeping"}}); !apiclient.IsCode(err, apiclient.CodeInvalid) {
		t.Fatalf("bad state: %v", err)
	}
}

// A canceled context is the caller's doing, not an unreachable broker.
func TestCanceledContext(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := w.tech.Me(ctx)
	if err == nil || apiclient.IsUnreachable(err) || ctx.Err() == nil {
		t.Fatalf("Me with a canceled ctx: %v", err)
	}
}
