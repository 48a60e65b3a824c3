package desk

import (
	"context"
	"strings"
)

// AgentJoin is what an agent gets when it reaches its session: the session,
// a bearer token valid for that one session, and (for codes) the code.
type AgentJoin struct {
	Session *Session
	Token   string
	Code    string
	// Seq is the newest event when the join committed: the agent's events
	// connection resumes after it, so nothing between the join and the
	// connection is missed.
	Seq int64
}

func (s *Service) newAgentToken(c *change, sessionID int64) (string, error) {
	secret := NewSecret()
	err := c.tx.CreateToken(&Token{Hash: HashSecret(secret), Kind: TokenAgent, SessionID: sessionID, CreatedAt: c.at, ExpiresAt: c.at.Add(AgentTokenTTL)})
	return secret, err
}

// JoinLink is the end user's agent starting with a support link: the
// session becomes Active (or Queued when nobody is assigned) with the
// device's information. A restarted agent with the same link rejoins.
func (s *Service) JoinLink(ctx context.Context, linkToken string, dev DeviceInfo, ip string) (*AgentJoin, error) {
	if err := dev.Validate(); err != nil {
		return nil, err
	}
	if linkToken == "" || len(linkToken) > 256 {
		return nil, Errorf(ENOTFOUND, "this support link is not valid")
	}
	dev.PublicIP = ip
	var out *AgentJoin
	var gone error
	err := s.update(ctx, Actor{Kind: ActorAgent, IP: ip}, func(c *change) error {
		sess, err := c.tx.SessionByLinkHash(HashSecret(linkToken))
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(ENOTFOUND, "this support link is not valid")
		}
		if err != nil {
			return err
		}
		c.actor.SessionID = sess.ID
		if sess.Deleted() {
			return Errorf(ENOTFOUND, "this support link is not valid")
		}
		if sess.State == Waiting && !c.at.Before(sess.ExpiresAt) {
			gone = Errorf(EGONE, "this support link has expired; ask your technician for a new one")
			return expireIn(c, sess)
		}
		switch sess.State {
		case Expired:
			return Errorf(EGONE, "this support link has expired; ask your technician for a new one")
		case Closed:
			return Errorf(EGONE, "this support session was closed; ask your technician for a new one")
		}
		next, err := Apply(*sess, Change{Action: ActionAgentJoin, At: c.at})
		if err != nil {
			return err
		}
		next.Device = dev
		if err := c.tx.UpdateSession(&next); err != nil {
			return err
		}
		token, err := s.newAgentToken(c, next.ID)
		if err != nil {
			return err
		}
		if err := c.audit(ActionAgentJoin.String(), next.ID, next.ChannelID, sessTarget(next.ID), deviceSummary(dev)); err != nil {
			return err
		}
		ev := &Event{Type: EventSessionUpdated, Session: &next}
		if err := c.emit(ev); err != nil {
			return err
		}
		out = &AgentJoin{Session: &next, Token: token, Seq: ev.Seq}
		return nil
	})
	if err == nil && gone != nil {
		return nil, gone
	}
	return out, err
}

func deviceSummary(d DeviceInfo) string {
	parts := []string{d.OS + " " + d.OSVersion, d.Hostname, "ip " + d.PublicIP}
	return strings.TrimSpace(strings.Join(parts, ", "))
}

// RequestCode is the traditional way in: the agent gets a 9-digit code for
// the end user to read to a technician, valid for CodeTTL.
func (s *Service) RequestCode(ctx context.Context, endUser string, dev DeviceInfo, ip string) (*AgentJoin, error) {
	sess := &Session{Kind: KindCode, State: Waiting, EndUserName: endUser, Device: dev}
	if err := sess.Validate(); err != nil {
		return nil, err
	}
	sess.Device.PublicIP = ip
	var out *AgentJoin
	err := s.update(ctx, Actor{Kind: ActorAgent, IP: ip}, func(c *change) error {
		sess.CreatedAt, sess.AgentJoinedAt, sess.ExpiresAt = c.at, c.at, c.at.Add(CodeTTL)
		var code string
		for attempt := 0; ; attempt++ {
			code = NewCode()
			_, err := c.tx.SessionByCodeHash(HashSecret(code))
			if ErrorCode(err) == ENOTFOUND {
				break
			}
			if err != nil {
				return err
			}
			if attempt > 20 {
				return Errorf(EINTERNAL, "could not find a free session code")
			}
		}
		sess.CodeHash = HashSecret(code)
		if err := c.tx.CreateSession(sess); err != nil {
			return err
		}
		c.actor.SessionID = sess.ID
		token, err := s.newAgentToken(c, sess.ID)
		if err != nil {
			return err
		}
		seq, err := c.tx.LastEventSeq()
		if err != nil {
			return err
		}
		out = &AgentJoin{Session: sess, Token: token, Code: code, Seq: seq}
		return c.audit("code_issued", sess.ID, 0, sessTarget(sess.ID), deviceSummary(sess.Device))
	})
	return out, err
}

// SubmitSOS is an end user's SOS Call: a request with name and problem that
// lands Queued in a channel accepting SOS Calls.
func (s *Service) SubmitSOS(ctx context.Context, channelID int64, endUser, problem string, dev DeviceInfo, ip string) (*AgentJoin, error) {
	sess := &Session{ChannelID: channelID, Kind: KindSOS, State: Queued, EndUserName: endUser, Problem: problem, Device: dev}
	if err := sess.Validate(); err != nil {
		return nil, err
	}
	if sess.EndUserName == "" {
		return nil, Errorf(EINVALID, "your name is required")
	}
	if strings.TrimSpace(sess.Problem) == "" {
		return nil, Errorf(EINVALID, "a description of the problem is required")
	}
	sess.Device.PublicIP = ip
	var out *AgentJoin
	err := s.update(ctx, Actor{Kind: ActorAgent, IP: ip}, func(c *change) error {
		ch, err := c.tx.Channel(channelID)
		if ErrorCode(err) == ENOTFOUND || err == nil && !ch.AcceptsSOS {
			return Errorf(EINVALID, "that channel does not take SOS Calls")
		}
		if err != nil {
			return err
		}
		sess.CreatedAt, sess.AgentJoinedAt, sess.ExpiresAt = c.at, c.at, c.at.Add(ch.Expiration)
		if err := c.tx.CreateSession(sess); err != nil {
			return err
		}
		c.actor.SessionID = sess.ID
		token, err := s.newAgentToken(c, sess.ID)
		if err != nil {
			return err
		}
		if err := c.audit("sos_call", sess.ID, ch.ID, sessTarget(sess.ID), deviceSummary(sess.Device)); err != nil {
			return err
		}
		ev := &Event{Type: EventSessionCreated, Session: sess}
		if err := c.emit(ev); err != nil {
			return err
		}
		out = &AgentJoin{Session: sess, Token: token, Seq: ev.Seq}
		return nil
	})
	return out, err
}

// AgentView is what the broker vouches for to the end user: their session,
// and who is on the other side.
type AgentView struct {
	Session        *Session
	ChannelName    string
	TechnicianName string
}

// AgentSession returns the agent's own session and who works it.
func (s *Service) AgentSession(ctx context.Context, actor Actor) (*AgentView, error) {
	id, err := actor.Agent()
	if err != nil {
		return nil, err
	}
	var out *AgentView
	err = s.view(ctx, func(tx Tx) error {
		sess, ch, err := sessionAndChannel(tx, id)
		if err != nil {
			return err
		}
		out = &AgentView{Session: sess}
		if ch != nil {
			out.ChannelName = ch.Name
		}
		if sess.AssigneeID != 0 {
			if a, err := tx.Account(sess.AssigneeID); err == nil {
				out.TechnicianName = a.Name
			}
		}
		return nil
	})
	return out, err
}

// UpdateDevice replaces the device information of the agent's session.
func (s *Service) UpdateDevice(ctx context.Context, actor Actor, dev DeviceInfo) (*Session, error) {
	id, err := actor.Agent()
	if err != nil {
		return nil, err
	}
	if err := dev.Validate(); err != nil {
		return nil, err
	}
	dev.PublicIP = actor.IP
	var out *Session
	err = s.update(ctx, actor, func(c *change) error {
		sess, _, err := sessionAndChannel(c.tx, id)
		if err != nil {
			return err
		}
		if !sess.State.Open() {
			return Errorf(ECONFLICT, "session %d is %s", id, sess.State)
		}
		sess.Device = dev
		if err := c.tx.UpdateSession(sess); err != nil {
			return err
		}
		out = sess
		if sess.ChannelID == 0 {
			return nil // an unclaimed code: nobody sees it yet
		}
		return c.emit(&Event{Type: EventSessionUpdated, Session: sess})
	})
	return out, err
}

// AnswerConsent records the end user's answer to a consent request. The
// agent enforces the answer itself; this is the broker's record of it.
func (s *Service) AnswerConsent(ctx context.Context, actor Actor, consentID int64, answer ConsentAnswer) (*Consent, error) {
	id, err := actor.Agent()
	if err != nil {
		return nil, err
	}
	var out *Consent
	err = s.update(ctx, actor, func(c *change) error {
		con, err := c.tx.Consent(consentID)
		if err != nil || con.SessionID != id {
			return Errorf(ENOTFOUND, "consent request %d not found", consentID)
		}
		if err := con.Answerable(answer); err != nil {
			return err
		}
		sess, _, err := sessionAndChannel(c.tx, id)
		if err != nil {
			return err
		}
		con.Answer, con.AnsweredAt = answer, c.at
		if err := c.tx.UpdateConsent(con); err != nil {
			return err
		}
		action := "consent_denied"
		if answer != AnswerDeny {
			action = "consent_granted"
			next, err := Apply(*sess, Change{Action: ActionConnect, At: c.at})
			if err != nil {
				return err
			}
			if err := c.tx.UpdateSession(&next); err != nil {
				return err
			}
			sess = &next
		}
		if err := c.audit(action, id, sess.ChannelID, "technician "+con.Technician, answer.String()); err != nil {
			return err
		}
		out = con
		if err := c.emit(&Event{Type: EventConsentAnswered, Session: sess, Consent: con}); err != nil {
			return err
		}
		return c.emit(&Event{Type: EventSessionUpdated, Session: sess})
	})
	return out, err
}

// Rate records the end user's satisfaction rating of a closed session, once.
func (s *Service) Rate(ctx context.Context, actor Actor, stars int, comment string) (*Rating, error) {
	id, err := actor.Agent()
	if err != nil {
		return nil, err
	}
	r := &Rating{SessionID: id, Stars: stars, Comment: comment}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	err = s.update(ctx, actor, func(c *change) error {
		sess, _, err := sessionAndChannel(c.tx, id)
		if err != nil {
			return err
		}
		if sess.State != Closed {
			return Errorf(ECONFLICT, "session %d is %s; it can be rated once it is closed", id, sess.State)
		}
		r.ChannelID, r.AssigneeID, r.At = sess.ChannelID, sess.AssigneeID, c.at
		if err := c.tx.CreateRating(r); err != nil {
			if ErrorCode(err) == ECONFLICT {
				return Errorf(ECONFLICT, "this session was already rated")
			}
			return err
		}
		detail := strings.Repeat("*", stars)
		if r.Flagged {
			detail += " (flagged for follow-up)"
		}
		if err := c.audit("rated", id, sess.ChannelID, sessTarget(id), detail); err != nil {
			return err
		}
		return c.emit(&Event{Type: EventRatingSubmitted, Session: sess, Rating: r})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
