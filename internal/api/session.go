package api

import (
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// Screen is one of the end user's monitors.
type Screen struct {
	Width   int  `json:"width"`
	Height  int  `json:"height"`
	Primary bool `json:"primary,omitempty"`
}

// Device is the end user's computer, shown before connecting. PublicIP is
// recorded by the broker; a value sent by the agent is ignored.
type Device struct {
	OS        string   `json:"os"`
	OSVersion string   `json:"os_version"`
	Hostname  string   `json:"hostname"`
	User      string   `json:"user"`
	Screens   []Screen `json:"screens"`
	LocalIPs  []string `json:"local_ips"`
	PublicIP  string   `json:"public_ip,omitempty"`
}

// FromDevice converts desk device information.
func FromDevice(d desk.DeviceInfo) Device {
	out := Device{OS: d.OS, OSVersion: d.OSVersion, Hostname: d.Hostname, User: d.User,
		Screens: make([]Screen, 0, len(d.Screens)), LocalIPs: strs(d.LocalIPs), PublicIP: d.PublicIP}
	for _, s := range d.Screens {
		out.Screens = append(out.Screens, Screen{Width: s.Width, Height: s.Height, Primary: s.Primary})
	}
	return out
}

// ToDevice converts device information sent by an agent; PublicIP is dropped.
func (d *Device) ToDevice() desk.DeviceInfo {
	if d == nil {
		return desk.DeviceInfo{}
	}
	out := desk.DeviceInfo{OS: d.OS, OSVersion: d.OSVersion, Hostname: d.Hostname, User: d.User, LocalIPs: d.LocalIPs}
	for _, s := range d.Screens {
		out.Screens = append(out.Screens, desk.Screen{Width: s.Width, Height: s.Height, Primary: s.Primary})
	}
	return out
}

// Session is a support session as technicians see it. Unset times are
// omitted. ChannelName and AssigneeName are resolved by the broker for
// display and may be empty.
type Session struct {
	ID              int64      `json:"id"`
	ChannelID       int64      `json:"channel_id"`
	ChannelName     string     `json:"channel_name,omitempty"`
	Kind            string     `json:"kind"`
	State           string     `json:"state"`
	EndUserName     string     `json:"end_user_name"`
	Problem         string     `json:"problem"`
	Device          Device     `json:"device"`
	CreatedBy       int64      `json:"created_by,omitempty"`
	AssigneeID      int64      `json:"assignee_id,omitempty"`
	AssigneeName    string     `json:"assignee_name,omitempty"`
	Collaborators   []int64    `json:"collaborators"`
	CreatedAt       time.Time  `json:"created_at"`
	AgentJoinedAt   *time.Time `json:"agent_joined_at,omitempty"`
	TakenAt         *time.Time `json:"taken_at,omitempty"`
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ConnectedAt     *time.Time `json:"connected_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	ExpiresAt       *time.Time `json:"expires_at,omitempty"`
}

// FromSession converts a desk session; n resolves channel and assignee names.
func FromSession(s *desk.Session, n Namer) Session {
	return Session{
		ID: s.ID, ChannelID: s.ChannelID, ChannelName: channelName(n, s.ChannelID),
		Kind: s.Kind.String(), State: s.State.String(),
		EndUserName: s.EndUserName, Problem: s.Problem, Device: FromDevice(s.Device),
		CreatedBy: s.CreatedBy, AssigneeID: s.AssigneeID, AssigneeName: accountName(n, s.AssigneeID),
		Collaborators: ids(s.Collaborators), CreatedAt: s.CreatedAt.UTC(),
		AgentJoinedAt: timePtr(s.AgentJoinedAt), TakenAt: timePtr(s.TakenAt),
		FirstResponseAt: timePtr(s.FirstResponseAt), ConnectedAt: timePtr(s.ConnectedAt),
		ClosedAt: timePtr(s.ClosedAt), ExpiresAt: timePtr(s.ExpiresAt),
	}
}

// FromSessions converts a list of sessions.
func FromSessions(list []*desk.Session, n Namer) []Session {
	out := make([]Session, 0, len(list))
	for _, s := range list {
		out = append(out, FromSession(s, n))
	}
	return out
}

// CreateLinkRequest is the body of POST /sessions: a support link in a
// channel, optionally for a named end user.
type CreateLinkRequest struct {
	ChannelID   int64  `json:"channel_id"`
	EndUserName string `json:"end_user_name,omitempty"`
	Problem     string `json:"problem,omitempty"`
}

// CreateLinkResponse carries the link to send to the end user. LinkToken is
// shown once; the agent joins with it (POST /agent/join).
type CreateLinkResponse struct {
	Session   Session   `json:"session"`
	LinkToken string    `json:"link_token"`
	LinkURL   string    `json:"link_url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// TransferRequest is the body of POST /sessions/{id}/transfer: another
// technician, another channel, or both.
type TransferRequest struct {
	TechnicianID int64 `json:"technician_id,omitempty"`
	ChannelID    int64 `json:"channel_id,omitempty"`
}

// InviteRequest is the body of POST /sessions/{id}/invite.
type InviteRequest struct {
	TechnicianID int64 `json:"technician_id"`
}

// RemoteRequest is the body of POST /sessions/{id}/remote: "view" or "control".
type RemoteRequest struct {
	Mode string `json:"mode"`
}

// ClaimCodeRequest is the body of POST /codes/claim. ChannelID 0 takes the
// session into the first channel routed to the technician.
type ClaimCodeRequest struct {
	Code      string `json:"code"`
	ChannelID int64  `json:"channel_id,omitempty"`
}

// Consent is a request to view or control the end user's screen and the
// end user's answer.
type Consent struct {
	ID           int64      `json:"id"`
	SessionID    int64      `json:"session_id"`
	TechnicianID int64      `json:"technician_id"`
	Technician   string     `json:"technician"`
	Mode         string     `json:"mode"`
	Answer       string     `json:"answer"`
	RequestedAt  time.Time  `json:"requested_at"`
	AnsweredAt   *time.Time `json:"answered_at,omitempty"`
}

// FromConsent converts a desk consent.
func FromConsent(c *desk.Consent) Consent {
	return Consent{ID: c.ID, SessionID: c.SessionID, TechnicianID: c.TechnicianID, Technician: c.Technician,
		Mode: c.Mode.String(), Answer: c.Answer.String(), RequestedAt: c.RequestedAt.UTC(), AnsweredAt: timePtr(c.AnsweredAt)}
}

// TransferTarget is a channel a session can be transferred into and the
// technicians who may work it (GET /sessions/{id}/transfer-targets).
type TransferTarget struct {
	ChannelID   int64           `json:"channel_id"`
	ChannelName string          `json:"channel_name"`
	Technicians []TargetAccount `json:"technicians"`
}

// TargetAccount is a technician a transfer may name.
type TargetAccount struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Availability string `json:"availability"`
}

// FromTransferTargets converts the service's transfer targets.
func FromTransferTargets(list []desk.TransferTarget) []TransferTarget {
	out := make([]TransferTarget, 0, len(list))
	for _, t := range list {
		tt := TransferTarget{ChannelID: t.Channel.ID, ChannelName: t.Channel.Name, Technicians: []TargetAccount{}}
		for _, a := range t.Technicians {
			tt.Technicians = append(tt.Technicians, TargetAccount{ID: a.ID, Name: a.Name, Availability: a.Availability.String()})
		}
		out = append(out, tt)
	}
	return out
}
