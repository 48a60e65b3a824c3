package desk

import (
	"context"
	"fmt"
	"io"
	"strconv"
)

// chatter resolves who is chatting in a session inside a transaction: a
// participant or manager technician, or the session's own agent.
func chatter(tx Tx, actor Actor, sessionID int64) (*Session, *Channel, *Account, error) {
	sess, ch, err := sessionAndChannel(tx, sessionID)
	if err != nil {
		return nil, nil, nil, err
	}
	switch actor.Kind {
	case ActorAgent:
		if actor.SessionID != sessionID {
			return nil, nil, nil, Errorf(ENOTFOUND, "session %d not found", sessionID)
		}
		return sess, ch, nil, nil
	case ActorTechnician:
		me, err := freshTechnician(tx, actor)
		if err != nil {
			return nil, nil, nil, err
		}
		if !CanSee(me, sess, ch) {
			return nil, nil, nil, Errorf(ENOTFOUND, "session %d not found", sessionID)
		}
		return sess, ch, me, nil
	}
	return nil, nil, nil, Errorf(EUNAUTHORIZED, "login required")
}

// mayWrite checks that an actor may add chat or files to a session now.
func mayWrite(sess *Session, ch *Channel, me *Account) error {
	if sess.State != Active && sess.State != Queued && !(sess.State == Waiting && sess.Kind != KindCode) {
		return Errorf(ECONFLICT, "session %d is %s; a new session is needed", sess.ID, sess.State)
	}
	if me != nil && !sess.Participant(me.ID) && (ch == nil || !ch.ManagedBy(me)) {
		return Errorf(EFORBIDDEN, "only the session's technicians may write in its chat; take it first")
	}
	return nil
}

// PostMessage adds a chat message from a technician or the end user.
func (s *Service) PostMessage(ctx context.Context, actor Actor, sessionID int64, text string) (*Message, error) {
	m := &Message{SessionID: sessionID, Text: text}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	err := s.update(ctx, actor, func(c *change) error {
		sess, ch, me, err := chatter(c.tx, actor, sessionID)
		if err != nil {
			return err
		}
		if err := mayWrite(sess, ch, me); err != nil {
			return err
		}
		return s.addMessage(c, sess, me, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Service) addMessage(c *change, sess *Session, me *Account, m *Message) error {
	m.At, m.FromKind, m.FromName = c.at, ActorAgent, sess.EndUserName
	if m.FromName == "" {
		m.FromName = "End user"
	}
	if me != nil {
		m.FromKind, m.FromID, m.FromName = ActorTechnician, me.ID, me.Name
		if sess.State == Active && sess.FirstResponseAt.IsZero() {
			next, err := Apply(*sess, Change{Action: ActionRespond, ActorID: me.ID, At: c.at})
			if err != nil {
				return err
			}
			if err := c.tx.UpdateSession(&next); err != nil {
				return err
			}
			*sess = next
			if err := c.emit(&Event{Type: EventSessionUpdated, Session: sess}); err != nil {
				return err
			}
		}
	}
	if err := c.tx.CreateMessage(m); err != nil {
		return err
	}
	action, detail := "chat_message", "message "+strconv.FormatInt(m.ID, 10) // never the text
	if m.Attachment != nil {
		action, detail = "file_sent", fmt.Sprintf("%s (%d bytes, sha256 %s)", m.Attachment.Name, m.Attachment.Size, m.Attachment.SHA256)
	}
	if err := c.audit(action, sess.ID, sess.ChannelID, sessTarget(sess.ID), detail); err != nil {
		return err
	}
	return c.emit(&Event{Type: EventChatMessage, Session: sess, Message: m})
}

// ListMessages returns a session's chat after message afterID.
func (s *Service) ListMessages(ctx context.Context, actor Actor, sessionID, afterID int64, limit int) ([]*Message, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []*Message
	err := s.view(ctx, func(tx Tx) error {
		if _, _, _, err := chatter(tx, actor, sessionID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListMessages(sessionID, afterID, limit)
		return err
	})
	return out, err
}

// SendFile stores an attachment sent in a session's chat. The channel's
// allowed types and size limit apply; technicians need the file transfer
// right. The content is streamed to Blobs under a random key before the
// transaction; if the transaction fails, the blob is removed.
func (s *Service) SendFile(ctx context.Context, actor Actor, sessionID int64, name, contentType string, r io.Reader) (*Message, error) {
	if s.blobs == nil {
		return nil, Errorf(EINTERNAL, "file storage is not configured")
	}
	name = SafeFileName(name)
	if len(contentType) > 100 {
		contentType = ""
	}
	var max int64
	check := func(tx Tx) error {
		sess, ch, me, err := chatter(tx, actor, sessionID)
		if err != nil {
			return err
		}
		if err := mayWrite(sess, ch, me); err != nil {
			return err
		}
		if me != nil && !me.Can(RightFileTransfer) {
			return Errorf(EFORBIDDEN, "you do not have the %s right", RightFileTransfer)
		}
		if ch == nil {
			return Errorf(ECONFLICT, "files can be sent once a technician has taken the session")
		}
		if err := ch.AllowsFile(name, 0); err != nil {
			return err
		}
		max = ch.MaxFileSize
		return nil
	}
	if err := s.view(ctx, check); err != nil {
		return nil, err
	}
	key, size, sum, err := s.blobs.Put(ctx, r, max)
	if err != nil {
		return nil, err
	}
	m := &Message{SessionID: sessionID}
	err = s.update(ctx, actor, func(c *change) error {
		if err := check(c.tx); err != nil {
			return err
		}
		sess, _, me, err := chatter(c.tx, actor, sessionID)
		if err != nil {
			return err
		}
		a := &Attachment{SessionID: sessionID, Name: name, Size: size, ContentType: contentType, Key: key, SHA256: sum, At: c.at}
		if err := c.tx.CreateAttachment(a); err != nil {
			return err
		}
		m.Attachment = a
		return s.addMessage(c, sess, me, m)
	})
	if err != nil {
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), key); derr != nil {
			s.log.Warn("remove orphan attachment", "err", derr)
		}
		return nil, err
	}
	return m, nil
}

// OpenFile returns an attachment of a session the actor may see and its
// content.
func (s *Service) OpenFile(ctx context.Context, actor Actor, id int64) (*Attachment, io.ReadCloser, error) {
	if s.blobs == nil {
		return nil, nil, Errorf(EINTERNAL, "file storage is not configured")
	}
	var a *Attachment
	err := s.view(ctx, func(tx Tx) error {
		var err error
		if a, err = tx.Attachment(id); err != nil {
			return err
		}
		_, _, me, err := chatter(tx, actor, a.SessionID)
		if err != nil {
			return Errorf(ENOTFOUND, "file %d not found", id)
		}
		if me != nil && !me.Can(RightFileTransfer) {
			return Errorf(EFORBIDDEN, "you do not have the %s right", RightFileTransfer)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.blobs.Open(ctx, a.Key)
	if err != nil {
		return nil, nil, err
	}
	return a, rc, nil
}

// RequestRemote asks the end user to allow viewing or controlling their
// screen. Control needs the remote control right.
func (s *Service) RequestRemote(ctx context.Context, actor Actor, sessionID int64, mode ConsentMode) (*Consent, error) {
	if mode != ConsentView && mode != ConsentControl {
		return nil, Errorf(EINVALID, "mode must be view or control")
	}
	var out *Consent
	err := s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		sess, ch, err := sessionAndChannel(c.tx, sessionID)
		if err != nil {
			return err
		}
		if err := Authorize(me, ActionRespond, sess, ch, nil); err != nil {
			return err
		}
		if mode == ConsentControl && !me.Can(RightRemoteControl) {
			return Errorf(EFORBIDDEN, "you may only view: you do not have the %s right", RightRemoteControl)
		}
		next, err := Apply(*sess, Change{Action: ActionRespond, ActorID: me.ID, At: c.at})
		if err != nil {
			return err
		}
		if err := c.tx.UpdateSession(&next); err != nil {
			return err
		}
		con := &Consent{SessionID: sessionID, TechnicianID: me.ID, Technician: me.Name, Mode: mode, RequestedAt: c.at}
		if err := c.tx.CreateConsent(con); err != nil {
			return err
		}
		if err := c.audit("consent_requested", sessionID, next.ChannelID, sessTarget(sessionID), mode.String()); err != nil {
			return err
		}
		out = con
		return c.emit(&Event{Type: EventConsentRequested, Session: &next, Consent: con})
	})
	return out, err
}

// Consent returns a consent request of a session the actor may see.
func (s *Service) Consent(ctx context.Context, actor Actor, id int64) (*Consent, error) {
	var out *Consent
	err := s.view(ctx, func(tx Tx) error {
		con, err := tx.Consent(id)
		if err != nil {
			return err
		}
		if _, _, _, err := chatter(tx, actor, con.SessionID); err != nil {
			return Errorf(ENOTFOUND, "consent request %d not found", id)
		}
		out = con
		return nil
	})
	return out, err
}

// MaySignal checks that an actor may exchange WebRTC signaling for a
// session: its agent, or one of its participants (assignee or
// collaborator) while it is Active. A manager joins by inviting
// themselves first, so the agent's answers reach them.
func (s *Service) MaySignal(ctx context.Context, actor Actor, sessionID int64) (*Session, error) {
	var out *Session
	err := s.view(ctx, func(tx Tx) error {
		sess, _, me, err := chatter(tx, actor, sessionID)
		if err != nil {
			return err
		}
		if sess.State != Active {
			return Errorf(ECONFLICT, "session %d is %s; remote access needs an active session", sessionID, sess.State)
		}
		if me != nil && !sess.Participant(me.ID) {
			return Errorf(EFORBIDDEN, "only the session's technicians may connect; managers invite themselves first")
		}
		out = sess
		return nil
	})
	return out, err
}
