package desk

import (
	"slices"
	"time"
)

// Stats are the service desk figures of a set of sessions. Durations are
// medians; zero when there is nothing to measure.
//
// Wait and first response are measured from the agent joining (the end
// user is there) to the first technician response (taking it, a chat
// message or a remote request); sessions still waiting count with their
// wait so far. Resolution runs from the agent joining to closing.
type Stats struct {
	Sessions      int
	Closed        int
	MedianWait    time.Duration
	FirstResponse time.Duration
	Resolution    time.Duration
	SLABreaches   int
	Ratings       int
	AvgRating     float64
	Flagged       int
}

// ReportRow is the figures of one channel or one technician.
type ReportRow struct {
	ChannelID   int64
	ChannelName string
	AccountID   int64
	Technician  string
	Stats
}

// Report is the lead's view of a period.
type Report struct {
	From, To    time.Time
	Total       Stats
	Channels    []ReportRow
	Technicians []ReportRow
	// Flagged lists the low ratings to follow up, newest first.
	Flagged []*Rating
}

// BuildReport computes a report from sessions and ratings, pure, so it is the
// same whichever store holds the data. now measures waits still running.
func BuildReport(from, to, now time.Time, sessions []*Session, ratings []*Rating, channels map[int64]*Channel, accounts map[int64]*Account) *Report {
	rep := &Report{From: from, To: to}
	rated := make(map[int64]*Rating, len(ratings))
	for _, r := range ratings {
		rated[r.SessionID] = r
	}
	group := func(key func(*Session) int64) map[int64][]*Session {
		m := map[int64][]*Session{}
		for _, s := range sessions {
			if k := key(s); k != 0 {
				m[k] = append(m[k], s)
			}
		}
		return m
	}
	stats := func(list []*Session) Stats { return computeStats(list, rated, channels, now) }

	rep.Total = stats(sessions)
	for id, list := range group(func(s *Session) int64 { return s.ChannelID }) {
		row := ReportRow{ChannelID: id, Stats: stats(list)}
		if ch := channels[id]; ch != nil {
			row.ChannelName = ch.Name
		}
		rep.Channels = append(rep.Channels, row)
	}
	for id, list := range group(func(s *Session) int64 { return s.AssigneeID }) {
		row := ReportRow{AccountID: id, Stats: stats(list)}
		if a := accounts[id]; a != nil {
			row.Technician = a.Name
		}
		rep.Technicians = append(rep.Technicians, row)
	}
	slices.SortFunc(rep.Channels, func(a, b ReportRow) int { return int(a.ChannelID - b.ChannelID) })
	slices.SortFunc(rep.Technicians, func(a, b ReportRow) int { return int(a.AccountID - b.AccountID) })
	for _, r := range ratings {
		if r.Flagged {
			rep.Flagged = append(rep.Flagged, r)
		}
	}
	slices.SortFunc(rep.Flagged, func(a, b *Rating) int { return b.At.Compare(a.At) })
	return rep
}

func computeStats(list []*Session, rated map[int64]*Rating, channels map[int64]*Channel, now time.Time) Stats {
	var st Stats
	var waits, responses, resolutions []time.Duration
	var stars int
	for _, s := range list {
		st.Sessions++
		if s.State == Closed {
			st.Closed++
		}
		if !s.AgentJoinedAt.IsZero() {
			switch {
			case !s.FirstResponseAt.IsZero():
				d := s.FirstResponseAt.Sub(s.AgentJoinedAt)
				waits, responses = append(waits, d), append(responses, d)
				if ch := channels[s.ChannelID]; ch != nil && d > ch.SLAResponse {
					st.SLABreaches++
				}
			case s.State.Open():
				d := now.Sub(s.AgentJoinedAt)
				waits = append(waits, d)
				if ch := channels[s.ChannelID]; ch != nil && d > ch.SLAResponse {
					st.SLABreaches++
				}
			}
			if !s.ClosedAt.IsZero() {
				resolutions = append(resolutions, s.ClosedAt.Sub(s.AgentJoinedAt))
			}
		}
		if r := rated[s.ID]; r != nil {
			st.Ratings++
			stars += r.Stars
			if r.Flagged {
				st.Flagged++
			}
		}
	}
	st.MedianWait, st.FirstResponse, st.Resolution = median(waits), median(responses), median(resolutions)
	if st.Ratings > 0 {
		st.AvgRating = float64(stars) / float64(st.Ratings)
	}
	return st
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}

// QueueRow is the live state of one channel's queue.
type QueueRow struct {
	ChannelID   int64
	ChannelName string
	Waiting     int // Queued sessions, and Active ones not yet responded to
	LongestWait time.Duration
	// Routed and Available count the enabled technicians the channel is
	// routed to, and those of them who are available.
	Routed, Available int
}

// BuildQueue computes the live queue figures of channels from their open
// sessions and the accounts.
func BuildQueue(now time.Time, channels []*Channel, open []*Session, accounts []*Account) []QueueRow {
	var rows []QueueRow
	for _, ch := range channels {
		row := QueueRow{ChannelID: ch.ID, ChannelName: ch.Name}
		for _, s := range open {
			if s.ChannelID != ch.ID || s.State != Queued && !(s.State == Active && s.FirstResponseAt.IsZero()) {
				continue
			}
			row.Waiting++
			if !s.AgentJoinedAt.IsZero() {
				row.LongestWait = max(row.LongestWait, now.Sub(s.AgentJoinedAt))
			}
		}
		for _, a := range accounts {
			if !a.Disabled && ch.RoutedTo(a) {
				row.Routed++
				if a.Availability == Available {
					row.Available++
				}
			}
		}
		rows = append(rows, row)
	}
	return rows
}
