package api

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

type names map[int64]string

func (n names) ChannelName(id int64) string { return n[id] }
func (n names) AccountName(id int64) string { return n[-id] }

var snake = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// keys collects every object key of a JSON document.
func keys(t *testing.T, v any) []string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	json.Unmarshal(raw, &doc)
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				out = append(out, k)
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(doc)
	return out
}

func TestWireNamesAreSnakeCase(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sess := &desk.Session{ID: 7, ChannelID: 1, Kind: desk.KindSOS, State: desk.Active, AssigneeID: 3, CreatedAt: at, TakenAt: at,
		Device: desk.DeviceInfo{Screens: []desk.Screen{{Width: 1, Height: 1}}}}
	values := []any{
		FromSession(sess, names{1: "Design", -3: "Tina"}),
		FromAccount(&desk.Account{ID: 1, Role: desk.RoleOwner, GroupIDs: []int64{2}}),
		FromChannel(&desk.Channel{ID: 1, Expiration: time.Hour}),
		FromAgentView(&desk.AgentView{Session: sess}, "Org"),
		FromMessage(&desk.Message{Attachment: &desk.Attachment{ID: 1}}),
		FromReport(&desk.Report{Channels: []desk.ReportRow{{ChannelID: 1}}, Flagged: []*desk.Rating{{Stars: 1}}}),
		FromQueue([]desk.QueueRow{{ChannelID: 1}}),
		FromAudit([]*desk.AuditRecord{{Seq: 1}}),
		FromConsent(&desk.Consent{ID: 1, AnsweredAt: at}),
		LoginResponse{}, CreateLinkResponse{}, AgentJoinResponse{}, Error{}, Envelope{Type: "x", Data: json.RawMessage(`{"A":1}`)},
		CreateTechnicianRequest{}, UpdateTechnicianRequest{}, ChannelRequest{}, SOSRequest{}, AgentJoinRequest{}, Info{}, Ready{},
	}
	for _, v := range values {
		for _, k := range keys(t, v) {
			if k == "A" { // opaque data inside an envelope
				continue
			}
			if !snake.MatchString(k) {
				t.Errorf("%T has JSON key %q", v, k)
			}
		}
	}
}

func TestFromSession(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	s := FromSession(&desk.Session{ID: 7, ChannelID: 1, Kind: desk.KindLink, State: desk.Waiting, AssigneeID: 3, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}, names{1: "Design", -3: "Tina"})
	if s.Kind != "link" || s.State != "waiting" || s.ChannelName != "Design" || s.AssigneeName != "Tina" {
		t.Fatalf("session = %+v", s)
	}
	if s.CreatedAt.Location() != time.UTC || s.ExpiresAt == nil || s.ExpiresAt.Location() != time.UTC {
		t.Fatalf("times not in UTC: %+v", s)
	}
	raw, _ := json.Marshal(s)
	for _, absent := range []string{"closed_at", "taken_at", "connected_at"} {
		if strings.Contains(string(raw), absent) {
			t.Errorf("unset %s present: %s", absent, raw)
		}
	}
	if !strings.Contains(string(raw), `"collaborators":[]`) || !strings.Contains(string(raw), `"created_at":"2026-03-02T08:00:00Z"`) {
		t.Errorf("encoded session: %s", raw)
	}
	if got := FromSession(&desk.Session{ID: 1, AssigneeID: 3}, nil); got.AssigneeName != "" {
		t.Errorf("nil namer gave %q", got.AssigneeName)
	}
}

func TestChannelRequest(t *testing.T) {
	tests := []struct {
		name string
		req  ChannelRequest
		want time.Duration
		err  bool
	}{
		{"seconds", ChannelRequest{ExpirationSeconds: 3600}, time.Hour, false},
		{"zero takes the default later", ChannelRequest{}, 0, false},
		{"negative", ChannelRequest{ExpirationSeconds: -1}, 0, true},
		{"would overflow", ChannelRequest{SLAResponseSeconds: 1 << 62}, 0, true},
	}
	for _, tt := range tests {
		ch, err := tt.req.ToChannel(4)
		if (err != nil) != tt.err {
			t.Fatalf("%s: error %v", tt.name, err)
		}
		if err == nil && (ch.Expiration != tt.want || ch.ID != 4) {
			t.Fatalf("%s: %+v", tt.name, ch)
		}
		if err != nil && desk.ErrorCode(err) != desk.EINVALID {
			t.Fatalf("%s: code %s", tt.name, desk.ErrorCode(err))
		}
	}
	back := FromChannel(&desk.Channel{Expiration: 90 * time.Second, SLAResponse: 5 * time.Minute, FirstLineLimit: 15 * time.Minute})
	if back.ExpirationSeconds != 90 || back.SLAResponseSeconds != 300 || back.FirstLineLimitSeconds != 900 {
		t.Fatalf("durations = %+v", back)
	}
}

func TestTechnicianRequests(t *testing.T) {
	c := CreateTechnicianRequest{Email: "a@example.com", Name: "A", Role: "channel_manager", Grant: []string{"see_others"}, Revoke: []string{"delete"}, Availability: "busy"}
	a, err := c.ToAccount()
	if err != nil || a.Role != desk.RoleChannelManager || !a.Grant.Has(desk.RightSeeOthers) || !a.Revoke.Has(desk.RightDelete) || a.Availability != desk.Busy {
		t.Fatalf("account = %+v, %v", a, err)
	}
	for _, bad := range []CreateTechnicianRequest{{Role: "admin"}, {Role: "technician", Grant: []string{"fly"}}, {Role: "technician", Availability: "asleep"}} {
		if _, err := bad.ToAccount(); desk.ErrorCode(err) != desk.EINVALID {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	var u UpdateTechnicianRequest
	if err := json.Unmarshal([]byte(`{"role":"technician","revoke":[],"disabled":true}`), &u); err != nil {
		t.Fatal(err)
	}
	p, err := u.ToPatch()
	if err != nil || p.Role == nil || *p.Role != desk.RoleTechnician || p.Revoke == nil || *p.Revoke != 0 || p.Grant != nil || p.Disabled == nil || !*p.Disabled || p.Name != nil {
		t.Fatalf("patch = %+v, %v", p, err)
	}
}

func TestEventData(t *testing.T) {
	sess := &desk.Session{ID: 7, ChannelID: 1, State: desk.Active, AssigneeID: 3}
	tests := []struct {
		name  string
		event desk.Event
		agent bool
		want  string // a fragment of the encoded data
	}{
		{"session for technicians", desk.Event{Type: desk.EventSessionUpdated, Session: sess}, false, `"assignee_name":"Tina"`},
		{"session for the agent", desk.Event{Type: desk.EventSessionUpdated, Session: sess}, true, `"technician_name":"Tina"`},
		{"chat", desk.Event{Type: desk.EventChatMessage, Session: sess, Message: &desk.Message{Text: "hi", FromKind: desk.ActorAgent}}, true, `"from":"agent"`},
		{"consent", desk.Event{Type: desk.EventConsentRequested, Session: sess, Consent: &desk.Consent{Mode: desk.ConsentControl}}, true, `"mode":"control"`},
		{"deleted channel", desk.Event{Type: desk.EventChannelChanged, Channel: &desk.Channel{ID: 2, Name: "Old"}}, false, `"deleted":true`},
		{"rating", desk.Event{Type: desk.EventRatingSubmitted, Session: sess, Rating: &desk.Rating{Stars: 2, Flagged: true}}, false, `"flagged":true`},
	}
	for _, tt := range tests {
		var data any
		if tt.agent {
			data = AgentEventData(&tt.event, names{1: "Design", -3: "Tina"}, "Org")
		} else {
			data = EventData(&tt.event, names{1: "Design", -3: "Tina"})
		}
		env, err := NewEventEnvelope(&tt.event, data)
		if err != nil || env.Type != string(tt.event.Type) || !strings.Contains(string(env.Data), tt.want) {
			t.Errorf("%s: %+v %s %v", tt.name, env, env.Data, err)
		}
	}
}

func TestOpenAPIEmbedded(t *testing.T) {
	if !strings.HasPrefix(string(OpenAPI), "openapi: 3.") || !strings.Contains(string(OpenAPI), "/api/v1/events:") {
		t.Fatal("openapi.yaml is not embedded")
	}
}
