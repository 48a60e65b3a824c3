package desk

import (
	"context"
	"time"
)

// LinkView is what the landing page of a support link shows the end user
// before they download the agent: whose link it is and whether it still
// works. It carries no secrets and no end-user data.
type LinkView struct {
	State          State
	ChannelName    string
	TechnicianName string // the assignee, else the link's creator; "" when neither is known
	ExpiresAt      time.Time
}

// LinkInfo looks up the session of a support link token without changing
// anything: ENOTFOUND for unknown and deleted links, EGONE for expired and
// closed ones. A Waiting link past its expiration is reported as gone
// even when the sweeper has not expired it yet; JoinLink or the sweeper
// records the expiry.
func (s *Service) LinkInfo(ctx context.Context, linkToken string) (*LinkView, error) {
	if linkToken == "" || len(linkToken) > 256 {
		return nil, Errorf(ENOTFOUND, "this support link is not valid")
	}
	now := s.Now()
	var out *LinkView
	err := s.view(ctx, func(tx Tx) error {
		sess, err := tx.SessionByLinkHash(HashSecret(linkToken))
		if ErrorCode(err) == ENOTFOUND || err == nil && sess.Deleted() {
			return Errorf(ENOTFOUND, "this support link is not valid")
		}
		if err != nil {
			return err
		}
		switch {
		case sess.State == Expired, sess.State == Waiting && !now.Before(sess.ExpiresAt):
			return Errorf(EGONE, "this support link has expired; ask your technician for a new one")
		case sess.State == Closed:
			return Errorf(EGONE, "this support session was closed; ask your technician for a new one")
		}
		out = &LinkView{State: sess.State, ExpiresAt: sess.ExpiresAt}
		if sess.ChannelID != 0 {
			ch, err := tx.Channel(sess.ChannelID)
			if err != nil && ErrorCode(err) != ENOTFOUND {
				return err
			}
			if ch != nil {
				out.ChannelName = ch.Name
			}
		}
		techID := sess.AssigneeID
		if techID == 0 {
			techID = sess.CreatedBy
		}
		if techID != 0 {
			a, err := tx.Account(techID)
			if err != nil && ErrorCode(err) != ENOTFOUND {
				return err
			}
			if a != nil {
				out.TechnicianName = a.Name
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
