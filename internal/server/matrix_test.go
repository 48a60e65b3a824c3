package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// The roles of the matrix, in the column order of its expectations.
const (
	rOwner      = iota
	rTechMgr    // technical manager
	rChanMgr    // channel manager of the session's channel
	rOtherMgr   // channel manager of another channel only
	rTech       // technician routed to the channel
	rUnrouted   // technician not routed to the channel
	rRevoked    // technician routed, but with session rights revoked
	rAgent      // agent of the session
	rOtherAgent // agent of another session
	rAnon       // no token
	nRoles
)

var roleNames = [nRoles]string{"owner", "tech_manager", "channel_manager", "other_channel_manager", "technician", "unrouted_technician", "revoked_technician", "agent", "other_agent", "anonymous"}

// revokedRights are what the revoked technician lacks.
var revokedRights = []string{"take", "create_session", "close", "release", "transfer", "invite", "remote_control", "file_transfer"}

type matrix struct {
	*env
	chanA, chanB  int64
	groupA        int64
	ids           [nRoles]int64
	tokens        [nRoles]string
	emails        [nRoles]string
	invitee       int64 // a spare technician routed to A
	otherAgent    string
	seq           int
	ownerActor    desk.Actor
	assigneeActor map[int64]desk.Actor
}

func newMatrix(t *testing.T) *matrix {
	e := newEnv(t, func(c *Config) { c.AgentLimit, c.AgentDir = RateLimit{Events: 1 << 20}, fakeAgentDir(t) })
	m := &matrix{env: e}
	m.groupA = e.createGroup("A techs")
	groupB := e.createGroup("B techs")
	m.emails[rOwner], m.tokens[rOwner] = "owner@example.com", e.owner
	for _, r := range []struct {
		role   int
		kind   string
		groups []int64
		revoke []string
	}{
		{rTechMgr, "tech_manager", nil, nil},
		{rChanMgr, "channel_manager", nil, nil},
		{rOtherMgr, "channel_manager", nil, nil},
		{rTech, "technician", []int64{m.groupA}, nil},
		{rUnrouted, "technician", []int64{groupB}, nil},
		{rRevoked, "technician", []int64{m.groupA}, revokedRights},
	} {
		m.emails[r.role] = roleNames[r.role] + "@example.com"
		m.ids[r.role], m.tokens[r.role] = e.createTech(m.emails[r.role], r.kind, r.groups, r.revoke...)
	}
	m.invitee, _ = e.createTech("invitee@example.com", "technician", []int64{m.groupA})
	m.chanA = e.createChannel(api.ChannelRequest{Name: "A", GroupIDs: []int64{m.groupA}, ManagerIDs: []int64{m.ids[rChanMgr]}, AcceptsSOS: true}).ID
	m.chanB = e.createChannel(api.ChannelRequest{Name: "B", GroupIDs: []int64{groupB}, ManagerIDs: []int64{m.ids[rOtherMgr]}}).ID
	var err error
	if m.ownerActor, err = e.svc.Authenticate(context.Background(), e.owner, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	m.otherAgent = m.sosSession().Token
	return m
}

func (m *matrix) must(v any, err error) {
	m.t.Helper()
	if err != nil {
		m.t.Fatal(err)
	}
}

func (m *matrix) uniq() int { m.seq++; return m.seq }

// fixture is what one matrix cell acts on.
type fixture struct {
	session, consent, file, channel, group, tech int64
	agent, code, link                            string
}

func (m *matrix) sosSession() *desk.AgentJoin {
	j, err := m.svc.SubmitSOS(context.Background(), m.chanA, "Carl", "broken", desk.DeviceInfo{OS: "linux"}, "127.0.0.2")
	m.must(nil, err)
	return j
}

// Fixture kinds.
const (
	fxNone = iota
	fxQueued
	fxActive // assigned to the technician (the revoked one in its own column)
	fxClosed
	fxCode
	fxLink
	fxChannel
	fxGroup
	fxTech
)

func (m *matrix) setup(kind, role int) fixture {
	m.t.Helper()
	ctx := context.Background()
	var fx fixture
	switch kind {
	case fxQueued, fxActive, fxClosed:
		j := m.sosSession()
		fx.session, fx.agent = j.Session.ID, j.Token
		if kind == fxQueued {
			break
		}
		assignee := m.ids[rTech]
		if role == rRevoked {
			assignee = m.ids[rRevoked]
		}
		_, err := m.svc.Transfer(ctx, m.ownerActor, fx.session, assignee, 0)
		m.must(nil, err)
		con, err := m.svc.RequestRemote(ctx, m.ownerActor, fx.session, desk.ConsentView)
		m.must(nil, err)
		fx.consent = con.ID
		agent := desk.Actor{Kind: desk.ActorAgent, SessionID: fx.session}
		msg, err := m.svc.SendFile(ctx, agent, fx.session, "log.txt", "text/plain", strings.NewReader("log line"))
		m.must(nil, err)
		fx.file = msg.Attachment.ID
		if kind == fxClosed {
			_, err := m.svc.Close(ctx, m.ownerActor, fx.session)
			m.must(nil, err)
		}
	case fxCode:
		j, err := m.svc.RequestCode(ctx, "Bea", desk.DeviceInfo{}, "127.0.0.3")
		m.must(nil, err)
		fx.code = j.Code
	case fxLink:
		_, token, err := m.svc.CreateLink(ctx, m.ownerActor, m.chanA, "Aaron", "")
		m.must(nil, err)
		fx.link = token
	case fxChannel:
		ch := &desk.Channel{Name: fmt.Sprintf("C%d", m.uniq()), GroupIDs: []int64{m.groupA}, ManagerIDs: []int64{m.ids[rChanMgr]}}
		m.must(nil, m.svc.CreateChannel(ctx, m.ownerActor, ch))
		fx.channel = ch.ID
	case fxGroup:
		g := &desk.Group{Name: fmt.Sprintf("G%d", m.uniq())}
		m.must(nil, m.svc.CreateGroup(ctx, m.ownerActor, g))
		fx.group = g.ID
	case fxTech:
		a := &desk.Account{Email: fmt.Sprintf("x%d@example.com", m.uniq()), Name: "X", Role: desk.RoleTechnician}
		m.must(nil, m.svc.CreateAccount(ctx, m.ownerActor, a, password))
		fx.tech = a.ID
	}
	return fx
}

// expect parses a row of statuses in role order.
func expect(s string) [nRoles]int {
	var out [nRoles]int
	f := strings.Fields(s)
	if len(f) != nRoles {
		panic("matrix row needs " + strconv.Itoa(nRoles) + " statuses: " + s)
	}
	for i, v := range f {
		out[i], _ = strconv.Atoi(v)
	}
	return out
}

// TestRoleMatrix proves, for every endpoint and every kind of caller, what
// the caller may and may not do.
func TestRoleMatrix(t *testing.T) {
	m := newMatrix(t)
	type row struct {
		method string
		path   func(fx fixture) string
		body   func(m *matrix, fx fixture) any
		fx     int
		want   string // owner tech_mgr chan_mgr other_mgr tech unrouted revoked agent other_agent anon
	}
	p := func(s string) func(fixture) string { return func(fixture) string { return s } }
	sess := func(suffix string) func(fixture) string {
		return func(fx fixture) string { return fmt.Sprintf("/api/v1/sessions/%d%s", fx.session, suffix) }
	}
	body := func(v any) func(*matrix, fixture) any { return func(*matrix, fixture) any { return v } }
	const techOnly = "401 401 401"
	rows := []row{
		{"GET", p("/healthz"), nil, fxNone, "200 200 200 200 200 200 200 200 200 200"},
		{"GET", p("/api/v1/openapi.yaml"), nil, fxNone, "200 200 200 200 200 200 200 200 200 200"},
		{"GET", p("/api/v1/info"), nil, fxNone, "200 200 200 200 200 200 200 200 200 200"},
		{"GET", func(fx fixture) string { return "/s/" + fx.link }, nil, fxLink, "200 200 200 200 200 200 200 200 200 200"},
		{"GET", func(fx fixture) string { return "/s/" + fx.link + "/download/windows" }, nil, fxLink, "200 200 200 200 200 200 200 200 200 200"},
		{"GET", p("/support"), nil, fxNone, "200 200 200 200 200 200 200 200 200 200"},
		{"GET", p("/download/linux"), nil, fxNone, "200 200 200 200 200 200 200 200 200 200"},
		{"GET", p("/static/icon.png"), nil, fxNone, "200 200 200 200 200 200 200 200 200 200"},
		{"POST", p("/api/v1/login"), body(api.LoginRequest{Email: "owner@example.com", Password: password}), fxNone, "200 200 200 200 200 200 200 200 200 200"},
		{"POST", p("/api/v1/agent/join"), func(_ *matrix, fx fixture) any { return api.AgentJoinRequest{LinkToken: fx.link} }, fxLink, "200 200 200 200 200 200 200 200 200 200"},
		{"POST", p("/api/v1/agent/code"), body(api.AgentCodeRequest{Name: "Bea"}), fxNone, "201 201 201 201 201 201 201 201 201 201"},
		{"GET", p("/api/v1/agent/sos-channels"), nil, fxNone, "200 200 200 200 200 200 200 200 200 200"},
		{"POST", p("/api/v1/agent/sos"), func(m *matrix, _ fixture) any {
			return api.SOSRequest{ChannelID: m.chanA, Name: "Dan", Problem: "slow"}
		}, fxNone, "201 201 201 201 201 201 201 201 201 201"},

		{"POST", p("/api/v1/logout"), nil, fxNone, "204 204 204 204 204 204 204 " + techOnly},
		{"GET", p("/api/v1/me"), nil, fxNone, "200 200 200 200 200 200 200 " + techOnly},
		{"PUT", p("/api/v1/me/availability"), body(api.AvailabilityRequest{Availability: "available"}), fxNone, "200 200 200 200 200 200 200 " + techOnly},
		{"GET", p("/api/v1/technicians"), nil, fxNone, "200 200 200 200 200 200 200 " + techOnly},
		{"POST", p("/api/v1/technicians"), func(m *matrix, _ fixture) any {
			return api.CreateTechnicianRequest{Email: fmt.Sprintf("new%d@example.com", m.uniq()), Name: "New", Role: "technician", Password: password}
		}, fxNone, "201 201 403 403 403 403 403 " + techOnly},
		{"PATCH", func(fx fixture) string { return fmt.Sprintf("/api/v1/technicians/%d", fx.tech) }, body(map[string]any{"name": "Renamed"}), fxTech, "200 200 403 403 403 403 403 " + techOnly},
		{"GET", p("/api/v1/groups"), nil, fxNone, "200 200 200 200 200 200 200 " + techOnly},
		{"POST", p("/api/v1/groups"), func(m *matrix, _ fixture) any { return map[string]string{"name": fmt.Sprintf("N%d", m.uniq())} }, fxNone, "201 201 403 403 403 403 403 " + techOnly},
		{"PATCH", func(fx fixture) string { return fmt.Sprintf("/api/v1/groups/%d", fx.group) }, body(map[string]string{"description": "d"}), fxGroup, "200 200 403 403 403 403 403 " + techOnly},
		{"DELETE", func(fx fixture) string { return fmt.Sprintf("/api/v1/groups/%d", fx.group) }, nil, fxGroup, "204 204 403 403 403 403 403 " + techOnly},
		{"GET", p("/api/v1/channels"), nil, fxNone, "200 200 200 200 200 200 200 " + techOnly},
		{"POST", p("/api/v1/channels"), func(m *matrix, _ fixture) any { return api.ChannelRequest{Name: fmt.Sprintf("N%d", m.uniq())} }, fxNone, "201 201 403 403 403 403 403 " + techOnly},
		{"GET", func(fx fixture) string { return fmt.Sprintf("/api/v1/channels/%d", fx.channel) }, nil, fxChannel, "200 200 200 404 200 404 200 " + techOnly},
		{"PUT", func(fx fixture) string { return fmt.Sprintf("/api/v1/channels/%d", fx.channel) }, func(m *matrix, _ fixture) any {
			return api.ChannelRequest{Name: fmt.Sprintf("R%d", m.uniq()), GroupIDs: []int64{m.groupA}, ManagerIDs: []int64{m.ids[rChanMgr]}}
		}, fxChannel, "200 200 200 404 403 404 403 " + techOnly},
		{"DELETE", func(fx fixture) string { return fmt.Sprintf("/api/v1/channels/%d", fx.channel) }, nil, fxChannel, "204 204 403 403 403 403 403 " + techOnly},
		{"GET", func(fx fixture) string { return fmt.Sprintf("/api/v1/channels/%d/sessions", fx.channel) }, nil, fxChannel, "200 200 200 404 200 404 200 " + techOnly},

		{"POST", p("/api/v1/sessions"), func(m *matrix, _ fixture) any { return api.CreateLinkRequest{ChannelID: m.chanA} }, fxNone, "201 201 201 404 201 404 403 " + techOnly},
		{"GET", p("/api/v1/sessions"), nil, fxNone, "200 200 200 200 200 200 200 " + techOnly},
		{"GET", sess(""), nil, fxActive, "200 200 200 404 200 404 200 " + techOnly},
		{"DELETE", sess(""), nil, fxActive, "204 204 204 404 403 404 403 " + techOnly},
		{"POST", sess("/take"), nil, fxQueued, "200 200 200 404 200 404 403 " + techOnly},
		{"POST", sess("/release"), nil, fxActive, "200 200 200 404 200 404 403 " + techOnly},
		{"POST", sess("/close"), nil, fxActive, "200 200 200 404 200 404 403 " + techOnly},
		{"POST", sess("/transfer"), func(m *matrix, _ fixture) any { return api.TransferRequest{ChannelID: m.chanB} }, fxActive, "200 200 200 404 200 404 403 " + techOnly},
		{"GET", sess("/transfer-targets"), nil, fxActive, "200 200 200 404 200 404 403 " + techOnly},
		{"POST", sess("/invite"), func(m *matrix, _ fixture) any { return api.InviteRequest{TechnicianID: m.invitee} }, fxActive, "200 200 200 404 200 404 403 " + techOnly},
		{"POST", sess("/remote"), body(api.RemoteRequest{Mode: "control"}), fxActive, "201 201 201 404 201 404 403 " + techOnly},
		{"GET", sess("/ice"), nil, fxActive, "403 403 403 404 200 404 200 " + techOnly},
		{"GET", sess("/timeline"), nil, fxActive, "200 200 200 404 200 404 200 " + techOnly},
		{"GET", sess("/messages"), nil, fxActive, "200 200 200 404 200 404 200 " + techOnly},
		{"POST", sess("/messages"), body(api.PostMessageRequest{Text: "hi"}), fxActive, "201 201 201 404 201 404 201 " + techOnly},
		{"POST", sess("/files"), nil, fxActive, "201 201 201 404 201 404 403 " + techOnly},
		{"GET", func(fx fixture) string { return fmt.Sprintf("/api/v1/files/%d", fx.file) }, nil, fxActive, "200 200 200 404 200 404 403 " + techOnly},
		{"GET", func(fx fixture) string { return fmt.Sprintf("/api/v1/consents/%d", fx.consent) }, nil, fxActive, "200 200 200 404 200 404 200 " + techOnly},
		{"POST", p("/api/v1/codes/claim"), func(m *matrix, fx fixture) any { return api.ClaimCodeRequest{Code: fx.code, ChannelID: m.chanA} }, fxCode, "200 200 200 403 200 403 403 " + techOnly},

		{"GET", p("/api/v1/reports"), nil, fxNone, "200 200 200 200 403 403 403 " + techOnly},
		{"GET", p("/api/v1/queue"), nil, fxNone, "200 200 200 200 200 200 200 " + techOnly},
		{"GET", p("/api/v1/audit"), nil, fxNone, "200 200 200 200 403 403 403 " + techOnly},
		{"GET", p("/api/v1/audit.csv"), nil, fxNone, "200 200 200 200 403 403 403 " + techOnly},

		{"GET", p("/api/v1/agent/session"), nil, fxActive, "401 401 401 401 401 401 401 200 200 401"},
		{"PUT", p("/api/v1/agent/device"), body(api.Device{OS: "windows"}), fxActive, "401 401 401 401 401 401 401 200 200 401"},
		{"GET", func(fx fixture) string { return fmt.Sprintf("/api/v1/agent/consents/%d", fx.consent) }, nil, fxActive, "401 401 401 401 401 401 401 200 404 401"},
		{"POST", func(fx fixture) string { return fmt.Sprintf("/api/v1/agent/consents/%d", fx.consent) }, body(api.ConsentAnswerRequest{Answer: "allow_view"}), fxActive, "401 401 401 401 401 401 401 200 404 401"},
		{"GET", p("/api/v1/agent/ice"), nil, fxActive, "401 401 401 401 401 401 401 200 409 401"},
		{"GET", p("/api/v1/agent/messages"), nil, fxActive, "401 401 401 401 401 401 401 200 200 401"},
		{"POST", p("/api/v1/agent/messages"), body(api.PostMessageRequest{Text: "hello"}), fxActive, "401 401 401 401 401 401 401 201 201 401"},
		{"POST", p("/api/v1/agent/files"), nil, fxActive, "401 401 401 401 401 401 401 201 201 401"},
		{"GET", func(fx fixture) string { return fmt.Sprintf("/api/v1/agent/files/%d", fx.file) }, nil, fxActive, "401 401 401 401 401 401 401 200 404 401"},
		{"POST", p("/api/v1/agent/rating"), body(api.RatingRequest{Stars: 4}), fxClosed, "401 401 401 401 401 401 401 201 409 401"},

		// Without an upgrade the WebSocket endpoint answers 426 to anyone it accepts.
		{"GET", p("/api/v1/events"), nil, fxNone, "426 426 426 426 426 426 426 426 426 401"},
	}

	covered := map[string]bool{}
	for _, r := range rows {
		pattern := r.method + " " + r.path(fixture{session: 1, consent: 1, file: 1, channel: 1, group: 1, tech: 1, link: "x"})
		want := expect(r.want)
		t.Run(strings.ReplaceAll(pattern, "/", "_"), func(t *testing.T) {
			var fx fixture
			fresh := true
			for role := 0; role < nRoles; role++ {
				// A fixture serves until a call changed it; the revoked
				// technician needs a session assigned to them.
				if fresh || role == rRevoked && (r.fx == fxActive || r.fx == fxClosed) {
					fx, fresh = m.setup(r.fx, role), false
				}
				token := m.tokens[role]
				switch role {
				case rAgent:
					token = fx.agent
					if token == "" {
						token = m.otherAgent // rows without a session: any agent
					}
				case rOtherAgent:
					token = m.otherAgent
				}
				if r.method == "POST" && strings.HasSuffix(pattern, "/logout") && role < rAgent {
					token = m.login(m.emails[role]) // logging out must not cost the matrix its tokens
				}
				var status int
				var raw []byte
				if strings.HasSuffix(pattern, "/files") {
					status, raw = m.upload(r.path(fx), token, "notes.txt", "text/plain", []byte("notes"), false)
				} else {
					var b any
					if r.body != nil {
						b = r.body(m, fx)
					}
					status, raw = m.call(r.method, r.path(fx), token, b)
				}
				if r.method != "GET" && status < 300 {
					fresh = true
				}
				if status != want[role] {
					t.Errorf("%s as %s: status %d, want %d: %s", pattern, roleNames[role], status, want[role], bytes.TrimSpace(raw))
				}
				if status >= 400 && status != http.StatusUpgradeRequired && m.errCode(raw) == "" {
					t.Errorf("%s as %s: error without an error body: %s", pattern, roleNames[role], raw)
				}
			}
		})
		covered[patternOf(r.method, r.path(fixture{session: 1, consent: 1, file: 1, channel: 1, group: 1, tech: 1, link: "x"}))] = true
	}
	// Every route is in the matrix.
	for _, pat := range m.srv.Patterns() {
		if !covered[pat] {
			t.Errorf("route %q is missing from the matrix", pat)
		}
	}
}

// patternOf maps a concrete request back to its route pattern.
func patternOf(method, path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			parts[i] = "{id}"
		}
		if i == 2 && parts[1] == "s" {
			parts[i] = "{token}"
		}
		if i > 0 && parts[i-1] == "download" {
			parts[i] = "{os}"
		}
		if i == 2 && parts[1] == "static" {
			parts[i] = "{name}"
		}
	}
	return method + " " + strings.Join(parts, "/")
}
