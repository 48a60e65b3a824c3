package desk

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Actor is who makes a call: a technician (Account set), an end user's
// agent (SessionID set) or the broker itself.
type Actor struct {
	Kind      ActorKind
	Account   *Account
	SessionID int64
	// IP is the caller's address as the edge saw it.
	IP string
}

// SystemAccount is the identity of the broker's own administration (its
// command line): owner rights, no stored account. Only in-process code can
// build an ActorSystem; Authenticate never returns one.
var SystemAccount = Account{ID: 0, Name: "broker admin", Role: RoleOwner, Availability: Away}

// Technician returns the actor's account, or an EUNAUTHORIZED error when the
// caller is not a logged-in, enabled technician or the system.
func (a Actor) Technician() (*Account, error) {
	if a.Kind == ActorSystem {
		acct := SystemAccount
		return &acct, nil
	}
	if a.Kind != ActorTechnician || a.Account == nil {
		return nil, Errorf(EUNAUTHORIZED, "technician login required")
	}
	if a.Account.Disabled {
		return nil, Errorf(EUNAUTHORIZED, "account is disabled")
	}
	return a.Account, nil
}

// Agent returns the session an agent actor is bound to.
func (a Actor) Agent() (int64, error) {
	if a.Kind != ActorAgent || a.SessionID == 0 {
		return 0, Errorf(EUNAUTHORIZED, "agent token required")
	}
	return a.SessionID, nil
}

// ServiceConfig wires a Service to its adapters.
type ServiceConfig struct {
	Store  Store
	Blobs  Blobs
	Hasher PasswordHasher
	// Publisher receives events after their transaction committed (optional).
	Publisher Publisher
	// Now is the clock (default time.Now); tests inject their own.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service is the service desk: every flow of the product as one method that
// checks rights, applies the change, writes the audit record and the events
// in one transaction, and publishes the events after commit.
type Service struct {
	store  Store
	blobs  Blobs
	hasher PasswordHasher
	pub    Publisher
	now    func() time.Time
	log    *slog.Logger

	dummyOnce sync.Once
	dummy     string // see dummyHash

	commitMu sync.Mutex // orders commits with their publication (see update)
}

// NewService returns a Service; Store and Hasher are required.
func NewService(cfg ServiceConfig) (*Service, error) {
	if cfg.Store == nil || cfg.Hasher == nil {
		return nil, fmt.Errorf("desk: NewService needs a Store and a PasswordHasher")
	}
	s := &Service{store: cfg.Store, blobs: cfg.Blobs, hasher: cfg.Hasher, pub: cfg.Publisher, now: cfg.Now, log: cfg.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Now returns the service's clock reading, in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

// change is the bookkeeping of one write transaction: the audit records
// and events it adds, published after commit.
type change struct {
	tx     Tx
	at     time.Time
	actor  Actor
	events []*Event
}

// update runs fn in a write transaction and publishes its events after
// the commit succeeded. Commits and their publication happen under one
// lock so events reach subscribers in sequence order: a client that saw
// event N+1 before N would take N for a duplicate. The store serializes
// writes anyway, so the lock costs no write concurrency; Publish must not
// block (the hub only queues).
func (s *Service) update(ctx context.Context, actor Actor, fn func(c *change) error) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	var c *change
	err := s.store.Update(ctx, func(tx Tx) error {
		c = &change{tx: tx, at: s.Now(), actor: actor}
		return fn(c)
	})
	if err != nil {
		return err
	}
	if s.pub != nil && len(c.events) > 0 {
		s.pub.Publish(c.events...)
	}
	return nil
}

// audit appends an audit record for the change's actor.
func (c *change) audit(action string, sessionID, channelID int64, target, detail string) error {
	r := &AuditRecord{
		At: c.at, ActorKind: c.actor.Kind, Action: action,
		SessionID: sessionID, ChannelID: channelID, Target: target, Detail: detail,
	}
	switch c.actor.Kind {
	case ActorTechnician:
		r.ActorID, r.ActorName = c.actor.Account.ID, c.actor.Account.Name
	case ActorAgent:
		r.ActorName = "end user"
	case ActorSystem:
		r.ActorName = SystemAccount.Name
	}
	if r.ActorKind == ActorUnknown {
		r.ActorKind, r.ActorName = ActorSystem, "system"
	}
	if err := c.tx.AppendAudit(r); err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// emit persists an event and queues it for publishing.
func (c *change) emit(e *Event) error {
	e.At = c.at
	if e.Session != nil {
		e.SessionID, e.ChannelID = e.Session.ID, e.Session.ChannelID
	}
	if err := c.tx.AppendEvent(e); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	c.events = append(c.events, e)
	return nil
}

// technician loads the actor's account afresh inside the transaction, so a
// disabled account or changed rights take effect on the very next call.
func (c *change) technician() (*Account, error) {
	return freshTechnician(c.tx, c.actor)
}

func freshTechnician(tx Tx, actor Actor) (*Account, error) {
	a, err := actor.Technician()
	if err != nil || actor.Kind == ActorSystem {
		return a, err
	}
	fresh, err := tx.Account(a.ID)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, Errorf(EUNAUTHORIZED, "account no longer exists")
		}
		return nil, err
	}
	if fresh.Disabled {
		return nil, Errorf(EUNAUTHORIZED, "account is disabled")
	}
	return fresh, nil
}

// view runs fn in a read transaction.
func (s *Service) view(ctx context.Context, fn func(tx Tx) error) error {
	return s.store.View(ctx, fn)
}

// sessionAndChannel loads a session and its channel (nil for an unclaimed code).
func sessionAndChannel(tx Tx, id int64) (*Session, *Channel, error) {
	sess, err := tx.Session(id)
	if err != nil {
		return nil, nil, err
	}
	if sess.Deleted() {
		return nil, nil, Errorf(ENOTFOUND, "session %d not found", id)
	}
	if sess.ChannelID == 0 {
		return sess, nil, nil
	}
	ch, err := tx.Channel(sess.ChannelID)
	if err != nil {
		return nil, nil, err
	}
	return sess, ch, nil
}
