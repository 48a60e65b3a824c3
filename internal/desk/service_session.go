package desk

import (
	"cmp"
	"context"
	"slices"
	"strconv"
)

func sessTarget(id int64) string { return "session " + strconv.FormatInt(id, 10) }

// CreateLink creates a support link session in a channel, optionally for a
// named end user. The creating technician is its assignee. It returns the
// session and the link token, which is shown once and stored only hashed.
func (s *Service) CreateLink(ctx context.Context, actor Actor, channelID int64, endUser, problem string) (*Session, string, error) {
	sess := &Session{ChannelID: channelID, Kind: KindLink, State: Waiting, EndUserName: endUser, Problem: problem}
	if err := sess.Validate(); err != nil {
		return nil, "", err
	}
	token := NewSecret()
	err := s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		ch, err := c.tx.Channel(channelID)
		if ErrorCode(err) == ENOTFOUND || err == nil && !CanSeeChannel(me, ch) {
			return Errorf(ENOTFOUND, "channel %d not found", channelID)
		}
		if err != nil {
			return err
		}
		if err := CanCreateIn(me, ch); err != nil {
			return err
		}
		sess.CreatedBy, sess.AssigneeID = me.ID, me.ID
		sess.CreatedAt, sess.ExpiresAt = c.at, c.at.Add(ch.Expiration)
		sess.LinkHash = HashSecret(token)
		if err := c.tx.CreateSession(sess); err != nil {
			return err
		}
		detail := "support link"
		if sess.EndUserName != "" {
			detail += " for " + sess.EndUserName
		}
		if err := c.audit(ActionCreate.String(), sess.ID, ch.ID, sessTarget(sess.ID), detail); err != nil {
			return err
		}
		return c.emit(&Event{Type: EventSessionCreated, Session: sess})
	})
	if err != nil {
		return nil, "", err
	}
	return sess, token, nil
}

// SessionQuery selects sessions for a technician's lists.
type SessionQuery struct {
	ChannelID int64
	States    []State
	// Mine lists only sessions the technician is assignee or collaborator of.
	Mine  bool
	Sort  string
	Limit int
}

// ListSessions lists the sessions the technician may see.
func (s *Service) ListSessions(ctx context.Context, actor Actor, q SessionQuery) ([]*Session, error) {
	if q.Sort != "" && !slices.Contains(SessionSorts, trimDesc(q.Sort)) {
		return nil, Errorf(EINVALID, "cannot sort by %q", q.Sort)
	}
	var out []*Session
	err := s.view(ctx, func(tx Tx) error {
		me, err := freshTechnician(tx, actor)
		if err != nil {
			return err
		}
		f := SessionFilter{States: q.States, Sort: q.Sort, Limit: q.Limit}
		if q.ChannelID != 0 {
			f.ChannelIDs = []int64{q.ChannelID}
		}
		if q.Mine {
			f.Participant = me.ID
		}
		list, err := tx.ListSessions(f)
		if err != nil {
			return err
		}
		chans, err := channelMap(tx)
		if err != nil {
			return err
		}
		for _, sess := range list {
			if CanSee(me, sess, chans[sess.ChannelID]) {
				out = append(out, sess)
			}
		}
		return nil
	})
	return out, err
}

func trimDesc(s string) string {
	if len(s) > 0 && s[0] == '-' {
		return s[1:]
	}
	return s
}

func channelMap(tx Tx) (map[int64]*Channel, error) {
	all, err := tx.ListChannels()
	if err != nil {
		return nil, err
	}
	m := make(map[int64]*Channel, len(all))
	for _, ch := range all {
		m[ch.ID] = ch
	}
	return m, nil
}

// Session returns one session the technician may see.
func (s *Service) Session(ctx context.Context, actor Actor, id int64) (*Session, error) {
	var out *Session
	err := s.view(ctx, func(tx Tx) error {
		var err error
		out, err = visibleSession(tx, actor, id)
		return err
	})
	return out, err
}

// visibleSession loads a session the technician may see; others are
// reported as not found so their existence is not revealed.
func visibleSession(tx Tx, actor Actor, id int64) (*Session, error) {
	me, err := freshTechnician(tx, actor)
	if err != nil {
		return nil, err
	}
	sess, ch, err := sessionAndChannel(tx, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(me, sess, ch) {
		return nil, Errorf(ENOTFOUND, "session %d not found", id)
	}
	return sess, nil
}

// Take assigns a queued session to the calling technician.
func (s *Service) Take(ctx context.Context, actor Actor, id int64) (*Session, error) {
	return s.act(ctx, actor, id, Change{Action: ActionTake}, 0)
}

// Release puts the session back in its channel's queue.
func (s *Service) Release(ctx context.Context, actor Actor, id int64) (*Session, error) {
	return s.act(ctx, actor, id, Change{Action: ActionRelease}, 0)
}

// Close closes the session; no further connection is possible.
func (s *Service) Close(ctx context.Context, actor Actor, id int64) (*Session, error) {
	return s.act(ctx, actor, id, Change{Action: ActionClose}, 0)
}

// Delete removes the session from every list; the audit log keeps it.
func (s *Service) Delete(ctx context.Context, actor Actor, id int64) error {
	_, err := s.act(ctx, actor, id, Change{Action: ActionDelete}, 0)
	return err
}

// Transfer hands the session to another technician, another channel, or
// both.
func (s *Service) Transfer(ctx context.Context, actor Actor, id, toAccount, toChannel int64) (*Session, error) {
	return s.act(ctx, actor, id, Change{Action: ActionTransfer, TargetID: toAccount, ChannelID: toChannel}, toAccount)
}

// Invite adds a collaborator to an active session.
func (s *Service) Invite(ctx context.Context, actor Actor, id, accountID int64) (*Session, error) {
	return s.act(ctx, actor, id, Change{Action: ActionInvite, TargetID: accountID}, accountID)
}

// act applies one technician action to a session: authorize, Apply,
// persist, audit and emit, in one transaction.
func (s *Service) act(ctx context.Context, actor Actor, id int64, chg Change, addressee int64) (*Session, error) {
	var out *Session
	err := s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		sess, ch, err := sessionAndChannel(c.tx, id)
		if err != nil {
			return err
		}
		var target *Channel
		if chg.ChannelID != 0 {
			if target, err = c.tx.Channel(chg.ChannelID); err != nil {
				if ErrorCode(err) == ENOTFOUND {
					return Errorf(EINVALID, "channel %d does not exist", chg.ChannelID)
				}
				return err
			}
		}
		if err := Authorize(me, chg.Action, sess, ch, target); err != nil {
			return err
		}
		if chg.Action == ActionTake {
			chg.TargetID = me.ID
		}
		dest := ch
		if target != nil {
			dest = target
		}
		var detail string
		if chg.TargetID != 0 && chg.Action != ActionTake {
			other, err := c.tx.Account(chg.TargetID)
			if ErrorCode(err) == ENOTFOUND {
				return Errorf(EINVALID, "technician %d does not exist", chg.TargetID)
			}
			if err != nil {
				return err
			}
			if other.Disabled || dest == nil || !dest.RoutedTo(other) && !dest.ManagedBy(other) {
				return Errorf(EINVALID, "%s cannot work sessions of channel %q", other.Name, dest.Name)
			}
			detail = "to " + other.Name
		}
		if target != nil {
			detail += " into channel " + target.Name
		}
		if dest != nil {
			chg.Expiration = dest.Expiration
		}
		chg.ActorID, chg.At = me.ID, c.at
		prev := *sess
		next, err := Apply(*sess, chg)
		if err != nil {
			return err
		}
		if err := c.tx.UpdateSession(&next); err != nil {
			return err
		}
		if err := c.audit(chg.Action.String(), next.ID, next.ChannelID, sessTarget(next.ID), detail); err != nil {
			return err
		}
		ev := &Event{Type: EventSessionUpdated, Session: &next, Also: participants(&prev)}
		if chg.Action == ActionDelete {
			ev.Type = EventSessionDeleted
			if err := c.tx.DeleteSessionTokens(next.ID); err != nil {
				return err
			}
		}
		if err := c.emit(ev); err != nil {
			return err
		}
		if addressee != 0 && addressee != me.ID {
			if err := c.emit(&Event{Type: EventInvitation, Session: &next, AccountID: addressee}); err != nil {
				return err
			}
		}
		out = &next
		return nil
	})
	return out, err
}

func participants(s *Session) []int64 {
	out := slices.Clone(s.Collaborators)
	if s.AssigneeID != 0 {
		out = append(out, s.AssigneeID)
	}
	return out
}

// ClaimCode lets a technician take the session of an agent showing a 9-digit
// code, into a channel (0: the first channel routed to the technician).
func (s *Service) ClaimCode(ctx context.Context, actor Actor, code string, channelID int64) (*Session, error) {
	code, err := NormalizeCode(code)
	if err != nil {
		return nil, err
	}
	var out *Session
	var gone error
	err = s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		sess, err := c.tx.SessionByCodeHash(HashSecret(code))
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(ENOTFOUND, "no session has that code")
		}
		if err != nil {
			return err
		}
		if sess.Deleted() || sess.State != Waiting {
			return Errorf(ENOTFOUND, "no session has that code")
		}
		if !c.at.Before(sess.ExpiresAt) {
			gone = Errorf(EGONE, "that code has expired; ask the end user to restart the agent for a new one")
			return expireIn(c, sess)
		}
		var target *Channel
		if channelID != 0 {
			if target, err = c.tx.Channel(channelID); err != nil {
				if ErrorCode(err) == ENOTFOUND {
					return Errorf(EINVALID, "channel %d does not exist", channelID)
				}
				return err
			}
		} else {
			all, err := c.tx.ListChannels()
			if err != nil {
				return err
			}
			slices.SortFunc(all, func(a, b *Channel) int { return cmp.Compare(a.ID, b.ID) })
			for _, ch := range all {
				if ch.RoutedTo(me) || ch.ManagedBy(me) {
					target = ch
					break
				}
			}
			if target == nil {
				return Errorf(EFORBIDDEN, "no channel is routed to you; ask a manager to add you to one")
			}
		}
		if err := Authorize(me, ActionClaimCode, sess, nil, target); err != nil {
			return err
		}
		next, err := Apply(*sess, Change{Action: ActionClaimCode, ActorID: me.ID, TargetID: me.ID, ChannelID: target.ID, At: c.at})
		if err != nil {
			return err
		}
		if err := c.tx.UpdateSession(&next); err != nil {
			return err
		}
		if err := c.audit(ActionClaimCode.String(), next.ID, next.ChannelID, sessTarget(next.ID), "into channel "+target.Name); err != nil {
			return err
		}
		out = &next
		return c.emit(&Event{Type: EventSessionUpdated, Session: &next})
	})
	if err == nil && gone != nil {
		return nil, gone
	}
	return out, err
}

// expireIn expires a session inside a change (lazily, when it is touched
// after its time).
func expireIn(c *change, sess *Session) error {
	next, err := Apply(*sess, Change{Action: ActionExpire, At: c.at})
	if err != nil {
		return err
	}
	if err := c.tx.UpdateSession(&next); err != nil {
		return err
	}
	if err := c.audit(ActionExpire.String(), next.ID, next.ChannelID, sessTarget(next.ID), ""); err != nil {
		return err
	}
	return c.emit(&Event{Type: EventSessionUpdated, Session: &next})
}

// ExpireDue expires every Waiting or Queued session past its expiration and
// returns how many.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	n := 0
	err := s.update(ctx, Actor{Kind: ActorSystem}, func(c *change) error {
		due, err := c.tx.ListSessions(SessionFilter{ExpiresBefore: c.at.Add(1), States: []State{Waiting, Queued}})
		if err != nil {
			return err
		}
		for _, sess := range due {
			if err := expireIn(c, sess); err != nil {
				return err
			}
			if err := c.tx.DeleteSessionTokens(sess.ID); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Timeline returns the audit records of a session the technician may see.
func (s *Service) Timeline(ctx context.Context, actor Actor, id int64) ([]*AuditRecord, error) {
	var out []*AuditRecord
	err := s.view(ctx, func(tx Tx) error {
		if _, err := visibleSession(tx, actor, id); err != nil {
			return err
		}
		var err error
		out, err = tx.ListAudit(AuditFilter{SessionID: id, Limit: 10000})
		return err
	})
	return out, err
}

// TransferTarget is a channel a session can be transferred into, with the
// enabled technicians who may work sessions there.
type TransferTarget struct {
	Channel     *Channel
	Technicians []*Account
}

// TransferTargets lists where the technician may transfer a session: every
// channel (second line is usually not routed to first line), each with the
// technicians a transfer to that channel may name. Only those allowed to
// transfer the session get the list.
func (s *Service) TransferTargets(ctx context.Context, actor Actor, id int64) ([]TransferTarget, error) {
	var out []TransferTarget
	err := s.view(ctx, func(tx Tx) error {
		me, err := freshTechnician(tx, actor)
		if err != nil {
			return err
		}
		sess, ch, err := sessionAndChannel(tx, id)
		if err != nil {
			return err
		}
		if err := Authorize(me, ActionTransfer, sess, ch, nil); err != nil {
			return err
		}
		chans, err := tx.ListChannels()
		if err != nil {
			return err
		}
		accts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		slices.SortFunc(chans, func(a, b *Channel) int { return cmp.Compare(a.ID, b.ID) })
		for _, c := range chans {
			t := TransferTarget{Channel: c}
			for _, a := range accts {
				if !a.Disabled && (c.RoutedTo(a) || c.ManagedBy(a)) {
					t.Technicians = append(t.Technicians, a)
				}
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}
