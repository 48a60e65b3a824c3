package desk

import (
	"strings"
	"time"
)

// Kind is how a support session came to be. The zero value is invalid.
type Kind int

const (
	KindUnknown Kind = iota
	// KindLink: a technician created a support link (invitation).
	KindLink
	// KindCode: the end user's agent showed a 9-digit code a technician claimed.
	KindCode
	// KindSOS: the end user submitted an SOS Call to a channel's queue.
	KindSOS
)

var kindNames = map[Kind]string{KindLink: "link", KindCode: "code", KindSOS: "sos"}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown"
}

// ParseKind parses "link", "code" or "sos".
func ParseKind(s string) (Kind, error) {
	for k, n := range kindNames {
		if n == s {
			return k, nil
		}
	}
	return KindUnknown, Errorf(EINVALID, "unknown session kind %q", s)
}

// State is a support session's state, as shown in the queue.
type State int

const (
	StateUnknown State = iota
	// Waiting: created; the end user's agent has not joined yet (links), or
	// a code has not been claimed yet (codes).
	Waiting
	// Active: the agent is running and a technician is assigned.
	Active
	// Queued: released or user-initiated; waits for a technician to take it.
	Queued
	// Expired: passed its expiration while Waiting or Queued.
	Expired
	// Closed: closed by a technician; no further connection.
	Closed
)

var stateNames = map[State]string{Waiting: "waiting", Active: "active", Queued: "queued", Expired: "expired", Closed: "closed"}

func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return "unknown"
}

// ParseState parses a state name as written by String.
func ParseState(s string) (State, error) {
	for st, n := range stateNames {
		if n == s {
			return st, nil
		}
	}
	return StateUnknown, Errorf(EINVALID, "unknown state %q (want waiting, active, queued, expired or closed)", s)
}

// Open reports whether the session can still be worked on.
func (s State) Open() bool { return s == Waiting || s == Active || s == Queued }

// Session is one support session between an end user and technicians.
type Session struct {
	ID        int64
	ChannelID int64 // 0 only for a code session no technician has claimed yet
	Kind      Kind
	State     State
	// EndUserName and Problem come from the technician (links) or the end user (SOS Call).
	EndUserName string
	Problem     string
	Device      DeviceInfo
	// CreatedBy is the technician who created a link, 0 when the end user started it.
	CreatedBy     int64
	AssigneeID    int64
	Collaborators []int64

	CreatedAt       time.Time
	AgentJoinedAt   time.Time // the agent first reached the broker
	TakenAt         time.Time // the current assignee took it: starts the first-line timer
	FirstResponseAt time.Time // a technician first responded to the waiting end user
	ConnectedAt     time.Time // remote access was first granted
	ClosedAt        time.Time
	DeletedAt       time.Time
	// ExpiresAt is when a Waiting or Queued session expires; zero otherwise.
	ExpiresAt time.Time

	// LinkHash and CodeHash are SHA-256 hashes of the support link token and
	// the 9-digit code; the secrets themselves are never stored.
	LinkHash string
	CodeHash string
}

// Deleted reports whether the session was removed from the lists.
func (s *Session) Deleted() bool { return !s.DeletedAt.IsZero() }

// Participant reports whether the account works this session, as assignee
// or collaborator.
func (s *Session) Participant(id int64) bool {
	return id != 0 && (s.AssigneeID == id || contains(s.Collaborators, id))
}

// Validate checks the fields a client can set.
func (s *Session) Validate() error {
	s.EndUserName = strings.TrimSpace(s.EndUserName)
	if err := validText("end_user_name", s.EndUserName, 0, 100); err != nil {
		return err
	}
	if err := validText("problem", s.Problem, 0, 4000); err != nil {
		return err
	}
	return s.Device.Validate()
}
