package desk

import (
	"context"
	"time"
)

// ReportFilter selects the sessions of a report by creation time and
// channel; zero fields do not filter.
type ReportFilter struct {
	From, To  time.Time
	ChannelID int64
}

// reportChannels returns the channels a technician may report on, or an
// error when they may not see reports at all.
func reportChannels(tx Tx, me *Account, only int64) (map[int64]*Channel, []int64, error) {
	if !CanSeeReports(me) {
		return nil, nil, Errorf(EFORBIDDEN, "reports are for managers")
	}
	all, err := channelMap(tx)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	for id, ch := range all {
		if (only == 0 || id == only) && ch.ManagedBy(me) {
			ids = append(ids, id)
		}
	}
	if only != 0 && len(ids) == 0 {
		return nil, nil, Errorf(ENOTFOUND, "channel %d not found", only)
	}
	return all, ids, nil
}

// Report returns the figures of a period per channel and per technician, for
// the channels the manager manages.
func (s *Service) Report(ctx context.Context, actor Actor, f ReportFilter) (*Report, error) {
	if f.To.IsZero() {
		f.To = s.Now()
	}
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, 0, -30)
	}
	if !f.From.Before(f.To) {
		return nil, Errorf(EINVALID, "from must be before to")
	}
	var rep *Report
	err := s.view(ctx, func(tx Tx) error {
		me, err := freshTechnician(tx, actor)
		if err != nil {
			return err
		}
		chans, ids, err := reportChannels(tx, me, f.ChannelID)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			rep = &Report{From: f.From, To: f.To}
			return nil
		}
		sessions, err := tx.ListSessions(SessionFilter{ChannelIDs: ids, CreatedFrom: f.From, CreatedTo: f.To, Limit: 1 << 30})
		if err != nil {
			return err
		}
		ratings, err := tx.ListRatings(RatingFilter{ChannelIDs: ids, From: f.From, To: f.To})
		if err != nil {
			return err
		}
		accts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		am := make(map[int64]*Account, len(accts))
		for _, a := range accts {
			am[a.ID] = a
		}
		rep = BuildReport(f.From, f.To, s.Now(), sessions, ratings, chans, am)
		return nil
	})
	return rep, err
}

// Queue returns the live queue figures of the channels the technician sees.
func (s *Service) Queue(ctx context.Context, actor Actor) ([]QueueRow, error) {
	var rows []QueueRow
	err := s.view(ctx, func(tx Tx) error {
		me, err := freshTechnician(tx, actor)
		if err != nil {
			return err
		}
		all, err := tx.ListChannels()
		if err != nil {
			return err
		}
		var chans []*Channel
		var ids []int64
		for _, ch := range all {
			if CanSeeChannel(me, ch) {
				chans, ids = append(chans, ch), append(ids, ch.ID)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		open, err := tx.ListSessions(SessionFilter{ChannelIDs: ids, States: []State{Queued, Active}, Limit: 1 << 30})
		if err != nil {
			return err
		}
		accts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		rows = BuildQueue(s.Now(), chans, open, accts)
		return nil
	})
	return rows, err
}

// Audit lists audit records for managers: everything for technical managers
// and owners, their channels' records for channel managers.
func (s *Service) Audit(ctx context.Context, actor Actor, f AuditFilter) ([]*AuditRecord, error) {
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 10000
	}
	var out []*AuditRecord
	err := s.view(ctx, func(tx Tx) error {
		me, err := freshTechnician(tx, actor)
		if err != nil {
			return err
		}
		if !CanSeeReports(me) {
			return Errorf(EFORBIDDEN, "the audit log is for managers")
		}
		if me.Role == RoleChannelManager {
			_, ids, err := reportChannels(tx, me, 0)
			if err != nil {
				return err
			}
			if len(f.ChannelIDs) > 0 {
				ids = intersect(ids, f.ChannelIDs)
			}
			if len(ids) == 0 {
				return nil
			}
			f.ChannelIDs = ids
		}
		out, err = tx.ListAudit(f)
		return err
	})
	return out, err
}

func intersect(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// VerifyAudit walks the whole audit chain and returns how many records were
// verified and the last hash, or the first inconsistency.
func (s *Service) VerifyAudit(ctx context.Context) (int64, string, error) {
	var v AuditVerifier
	err := s.view(ctx, func(tx Tx) error { return tx.WalkAudit(v.Check) })
	n, last := v.Verified()
	return n, last, err
}

// CatchUp returns the events after seq that the actor may receive, and the
// newest sequence number, so a reconnecting client misses nothing.
func (s *Service) CatchUp(ctx context.Context, actor Actor, seq int64, limit int) ([]*Event, int64, error) {
	if limit <= 0 || limit > 5000 {
		limit = 5000
	}
	var out []*Event
	var last int64
	err := s.view(ctx, func(tx Tx) error {
		var evs []*Event
		var err error
		if actor.Kind == ActorAgent {
			// An agent sees only its own session: read just those rows.
			evs, err = tx.SessionEventsSince(actor.SessionID, seq, limit)
		} else {
			evs, err = tx.EventsSince(seq, limit)
		}
		if err != nil {
			return err
		}
		if last, err = tx.LastEventSeq(); err != nil {
			return err
		}
		if len(evs) == limit {
			last = evs[len(evs)-1].Seq // more remain: the client asks again from here
		}
		switch actor.Kind {
		case ActorAgent:
			for _, e := range evs {
				if e.ForAgent() {
					out = append(out, e)
				}
			}
			return nil
		case ActorTechnician:
			me, err := freshTechnician(tx, actor)
			if err != nil {
				return err
			}
			chans, err := channelMap(tx)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if e.VisibleTo(me, chans[e.ChannelID]) {
					out = append(out, e)
				}
			}
			return nil
		}
		return Errorf(EUNAUTHORIZED, "login required")
	})
	return out, last, err
}

// Gauges are the service desk's live figures for monitoring.
type Gauges struct {
	SessionsByState map[State]int
	Queue           []QueueRow
}

// Gauges returns session counts by state and every channel's queue
// figures. It is for the broker's own monitoring endpoint, not for clients.
func (s *Service) Gauges(ctx context.Context) (*Gauges, error) {
	g := &Gauges{}
	err := s.view(ctx, func(tx Tx) error {
		var err error
		if g.SessionsByState, err = tx.CountSessionsByState(); err != nil {
			return err
		}
		chans, err := tx.ListChannels()
		if err != nil {
			return err
		}
		open, err := tx.ListSessions(SessionFilter{States: []State{Queued, Active}, Limit: 1 << 30})
		if err != nil {
			return err
		}
		accts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		g.Queue = BuildQueue(s.Now(), chans, open, accts)
		return nil
	})
	return g, err
}

// pruneBatch is how many events one pruning transaction deletes, so that
// a large backlog never holds the write lock for long.
const pruneBatch = 5000

// PruneEvents deletes the events older than before, in batches of their
// own transactions, and returns how many. Events are catch-up data for
// reconnecting clients, whose tokens last hours; the audit log and chat
// keep the history. The newest event always stays.
func (s *Service) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := s.update(ctx, Actor{Kind: ActorSystem}, func(c *change) error {
			var err error
			n, err = c.tx.DeleteEventsBefore(before, pruneBatch)
			return err
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
