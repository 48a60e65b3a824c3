package api

import (
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// AgentJoinRequest is the body of POST /agent/join: the support link's
// token (the last path element of the link URL) and the device.
type AgentJoinRequest struct {
	LinkToken string `json:"link_token"`
	Device    Device `json:"device"`
}

// AgentCodeRequest is the body of POST /agent/code.
type AgentCodeRequest struct {
	Name   string `json:"name,omitempty"`
	Device Device `json:"device"`
}

// SOSRequest is the body of POST /agent/sos.
type SOSRequest struct {
	ChannelID int64  `json:"channel_id"`
	Name      string `json:"name"`
	Problem   string `json:"problem"`
	Device    Device `json:"device"`
}

// AgentJoinResponse gives the agent its bearer token, valid for its one
// session, and the session. Code is set for the 9-digit code flow, with
// CodeExpiresAt.
type AgentJoinResponse struct {
	Token         string       `json:"token"`
	Code          string       `json:"code,omitempty"`
	CodeExpiresAt *time.Time   `json:"code_expires_at,omitempty"`
	Session       AgentSession `json:"session"`
	// Seq is the newest event at the join: connect the events WebSocket
	// with ?since=Seq to miss nothing that happens after it.
	Seq int64 `json:"seq"`
}

// AgentSession is what the end user's agent sees of its session: no
// technician-internal details.
type AgentSession struct {
	SessionID       int64      `json:"session_id"`
	Kind            string     `json:"kind"`
	State           string     `json:"state"`
	EndUserName     string     `json:"end_user_name"`
	Problem         string     `json:"problem"`
	OrgName         string     `json:"org_name"`
	ChannelName     string     `json:"channel_name,omitempty"`
	TechnicianName  string     `json:"technician_name,omitempty"`
	ProtocolVersion int        `json:"protocol_version"`
	CreatedAt       time.Time  `json:"created_at"`
	ConnectedAt     *time.Time `json:"connected_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	ExpiresAt       *time.Time `json:"expires_at,omitempty"`
	Device          Device     `json:"device"`
}

// FromAgentView converts the desk's agent view; org is the organisation
// name the broker shows end users.
func FromAgentView(v *desk.AgentView, org string) AgentSession {
	s := v.Session
	return AgentSession{
		SessionID: s.ID, Kind: s.Kind.String(), State: s.State.String(),
		EndUserName: s.EndUserName, Problem: s.Problem, OrgName: org,
		ChannelName: v.ChannelName, TechnicianName: v.TechnicianName, ProtocolVersion: ProtocolVersion,
		CreatedAt: s.CreatedAt.UTC(), ConnectedAt: timePtr(s.ConnectedAt), ClosedAt: timePtr(s.ClosedAt),
		ExpiresAt: timePtr(s.ExpiresAt), Device: FromDevice(s.Device),
	}
}

// ConsentAnswerRequest is the body of POST /agent/consents/{id}:
// "allow_view", "allow_control" or "deny".
type ConsentAnswerRequest struct {
	Answer string `json:"answer"`
}

// RatingRequest is the body of POST /agent/rating.
type RatingRequest struct {
	Stars   int    `json:"stars"`
	Comment string `json:"comment,omitempty"`
}

// Rating is an end user's satisfaction rating; Flagged marks ratings below 3.
type Rating struct {
	SessionID  int64     `json:"session_id"`
	ChannelID  int64     `json:"channel_id"`
	AssigneeID int64     `json:"assignee_id,omitempty"`
	Stars      int       `json:"stars"`
	Comment    string    `json:"comment"`
	Flagged    bool      `json:"flagged"`
	At         time.Time `json:"at"`
}

// FromRating converts a desk rating.
func FromRating(r *desk.Rating) Rating {
	return Rating{SessionID: r.SessionID, ChannelID: r.ChannelID, AssigneeID: r.AssigneeID,
		Stars: r.Stars, Comment: r.Comment, Flagged: r.Flagged, At: r.At.UTC()}
}

// Info is GET /api/v1/info: what a client needs before logging in.
type Info struct {
	OrgName         string `json:"org_name"`
	PublicURL       string `json:"public_url"`
	ProtocolVersion int    `json:"protocol_version"`
}
