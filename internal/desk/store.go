package desk

import (
	"context"
	"io"
	"time"
)

// Store persists the domain. Every change and its audit record and events
// are written in one Update transaction.
type Store interface {
	// Update runs fn in one write transaction; an error from fn rolls back.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx is the store's view inside one transaction. Lookups of a missing row
// return an *Error with code ENOTFOUND; uniqueness violations ECONFLICT.
type Tx interface {
	CreateAccount(a *Account, passwordHash string) error // sets ID and CreatedAt
	Account(id int64) (*Account, error)
	// AccountByEmail returns the account and its password hash.
	AccountByEmail(email string) (*Account, string, error)
	UpdateAccount(a *Account) error // all fields but the password
	SetPassword(id int64, passwordHash string) error
	ListAccounts() ([]*Account, error)
	CountAccounts() (int, error)

	CreateGroup(g *Group) error
	Group(id int64) (*Group, error)
	UpdateGroup(g *Group) error
	DeleteGroup(id int64) error // also removes it from accounts and channels
	ListGroups() ([]*Group, error)

	CreateChannel(c *Channel) error
	Channel(id int64) (*Channel, error)
	UpdateChannel(c *Channel) error
	DeleteChannel(id int64) error // ECONFLICT while it has open sessions
	ListChannels() ([]*Channel, error)

	CreateSession(s *Session) error // sets ID
	Session(id int64) (*Session, error)
	SessionByLinkHash(hash string) (*Session, error)
	SessionByCodeHash(hash string) (*Session, error)
	UpdateSession(s *Session) error
	ListSessions(f SessionFilter) ([]*Session, error)
	// CountSessionsByState counts the sessions not deleted, by state.
	CountSessionsByState() (map[State]int, error)

	CreateToken(t *Token) error
	TokenByHash(hash string) (*Token, error)
	DeleteToken(hash string) error
	DeleteSessionTokens(sessionID int64) error
	DeleteExpiredTokens(now time.Time) (int, error)

	CreateMessage(m *Message) error // sets ID; stores m.Attachment's ID when set
	ListMessages(sessionID, afterID int64, limit int) ([]*Message, error)
	CreateAttachment(a *Attachment) error // sets ID
	Attachment(id int64) (*Attachment, error)

	CreateConsent(c *Consent) error // sets ID
	Consent(id int64) (*Consent, error)
	UpdateConsent(c *Consent) error

	CreateRating(r *Rating) error // ECONFLICT when the session was already rated
	Rating(sessionID int64) (*Rating, error)
	ListRatings(f RatingFilter) ([]*Rating, error)

	// AppendAudit sets r.Seq, chains r to the last record (Chain) and stores it.
	AppendAudit(r *AuditRecord) error
	ListAudit(f AuditFilter) ([]*AuditRecord, error)
	// WalkAudit calls fn for every record in Seq order.
	WalkAudit(fn func(*AuditRecord) error) error

	// AppendEvent sets e.Seq (one more than the last) and stores it.
	AppendEvent(e *Event) error
	EventsSince(seq int64, limit int) ([]*Event, error)
	// SessionEventsSince returns one session's events after seq.
	SessionEventsSince(sessionID, seq int64, limit int) ([]*Event, error)
	LastEventSeq() (int64, error)
	// DeleteEventsBefore deletes at most limit of the oldest events stored
	// before t and returns how many. The newest event is always kept:
	// sequence numbers continue from it.
	DeleteEventsBefore(t time.Time, limit int) (int64, error)
}

// SessionFilter selects sessions; zero fields do not filter. Deleted
// sessions are never listed.
type SessionFilter struct {
	IDs        []int64
	ChannelIDs []int64
	States     []State
	AssigneeID int64
	// Participant lists sessions the account is assignee or collaborator of.
	Participant int64
	// ExpiresBefore lists Waiting or Queued sessions whose ExpiresAt is before it.
	ExpiresBefore time.Time
	// CreatedFrom and CreatedTo bound CreatedAt.
	CreatedFrom, CreatedTo time.Time
	// Sort is a field name ("created_at", "state", "end_user_name",
	// "channel", "assignee", "wait"), "-" prefixed for descending.
	Sort  string
	Limit int
}

// SessionSorts are the fields a session list can be sorted by.
var SessionSorts = []string{"created_at", "state", "end_user_name", "channel", "assignee", "wait"}

// RatingFilter selects ratings; zero fields do not filter.
type RatingFilter struct {
	ChannelIDs  []int64
	AssigneeID  int64
	FlaggedOnly bool
	From, To    time.Time
}

// Blobs stores attachment contents under random keys.
type Blobs interface {
	// Put stores at most max bytes from r; more is an ETOOLARGE error and
	// nothing is kept.
	Put(ctx context.Context, r io.Reader, max int64) (key string, size int64, sha256 string, err error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// PasswordHasher hashes and checks passwords (argon2id in production).
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(hash, password string) (bool, error)
}

// Publisher delivers committed events to connected clients.
type Publisher interface {
	Publish(events ...*Event)
}
