package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// Stats are service desk figures; durations are medians in seconds.
type Stats struct {
	Sessions             int     `json:"sessions"`
	Closed               int     `json:"closed"`
	MedianWaitSeconds    int64   `json:"median_wait_seconds"`
	FirstResponseSeconds int64   `json:"first_response_seconds"`
	ResolutionSeconds    int64   `json:"resolution_seconds"`
	SLABreaches          int     `json:"sla_breaches"`
	Ratings              int     `json:"ratings"`
	AvgRating            float64 `json:"avg_rating"`
	Flagged              int     `json:"flagged"`
}

func fromStats(s desk.Stats) Stats {
	return Stats{Sessions: s.Sessions, Closed: s.Closed, MedianWaitSeconds: Seconds(s.MedianWait),
		FirstResponseSeconds: Seconds(s.FirstResponse), ResolutionSeconds: Seconds(s.Resolution),
		SLABreaches: s.SLABreaches, Ratings: s.Ratings, AvgRating: float(s.AvgRating), Flagged: s.Flagged}
}

// ReportRow is the figures of one channel or one technician.
type ReportRow struct {
	ChannelID   int64  `json:"channel_id,omitempty"`
	ChannelName string `json:"channel_name,omitempty"`
	AccountID   int64  `json:"account_id,omitempty"`
	Technician  string `json:"technician,omitempty"`
	Stats
}

// Report is GET /reports.
type Report struct {
	From        time.Time   `json:"from"`
	To          time.Time   `json:"to"`
	Total       Stats       `json:"total"`
	Channels    []ReportRow `json:"channels"`
	Technicians []ReportRow `json:"technicians"`
	Flagged     []Rating    `json:"flagged"`
}

// FromReport converts a desk report.
func FromReport(r *desk.Report) Report {
	out := Report{From: r.From.UTC(), To: r.To.UTC(), Total: fromStats(r.Total),
		Channels: []ReportRow{}, Technicians: []ReportRow{}, Flagged: []Rating{}}
	for _, row := range r.Channels {
		out.Channels = append(out.Channels, ReportRow{ChannelID: row.ChannelID, ChannelName: row.ChannelName, Stats: fromStats(row.Stats)})
	}
	for _, row := range r.Technicians {
		out.Technicians = append(out.Technicians, ReportRow{AccountID: row.AccountID, Technician: row.Technician, Stats: fromStats(row.Stats)})
	}
	for _, f := range r.Flagged {
		out.Flagged = append(out.Flagged, FromRating(f))
	}
	return out
}

// QueueRow is the live state of one channel's queue (GET /queue).
type QueueRow struct {
	ChannelID          int64  `json:"channel_id"`
	ChannelName        string `json:"channel_name"`
	Waiting            int    `json:"waiting"`
	LongestWaitSeconds int64  `json:"longest_wait_seconds"`
	Routed             int    `json:"routed"`
	Available          int    `json:"available"`
}

// FromQueue converts the queue rows.
func FromQueue(rows []desk.QueueRow) []QueueRow {
	out := make([]QueueRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, QueueRow{ChannelID: r.ChannelID, ChannelName: r.ChannelName, Waiting: r.Waiting,
			LongestWaitSeconds: Seconds(r.LongestWait), Routed: r.Routed, Available: r.Available})
	}
	return out
}

// AuditRecord is one entry of the hash-chained audit log.
type AuditRecord struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	ActorKind string    `json:"actor_kind"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"`
	SessionID int64     `json:"session_id,omitempty"`
	ChannelID int64     `json:"channel_id,omitempty"`
	Target    string    `json:"target"`
	Detail    string    `json:"detail"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// FromAudit converts audit records.
func FromAudit(list []*desk.AuditRecord) []AuditRecord {
	out := make([]AuditRecord, 0, len(list))
	for _, r := range list {
		out = append(out, AuditRecord{Seq: r.Seq, At: r.At.UTC(), ActorKind: r.ActorKind.String(), ActorID: r.ActorID,
			ActorName: r.ActorName, Action: r.Action, SessionID: r.SessionID, ChannelID: r.ChannelID,
			Target: r.Target, Detail: r.Detail, PrevHash: r.PrevHash, Hash: r.Hash})
	}
	return out
}

// AuditCSVRow is one audit record as a row under AuditCSVHeader. Free-text
// cells are defused: a leading = + - @ or control character would
// otherwise be evaluated as a formula when the file is opened in a
// spreadsheet.
func AuditCSVRow(r *desk.AuditRecord) []string {
	return []string{
		strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano), r.ActorKind.String(),
		strconv.FormatInt(r.ActorID, 10), csvCell(r.ActorName), csvCell(r.Action),
		strconv.FormatInt(r.SessionID, 10), strconv.FormatInt(r.ChannelID, 10),
		csvCell(r.Target), csvCell(r.Detail), r.PrevHash, r.Hash,
	}
}

func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// AuditCSVHeader is the header row of GET /audit.csv.
var AuditCSVHeader = []string{"seq", "at", "actor_kind", "actor_id", "actor_name", "action", "session_id", "channel_id", "target", "detail", "prev_hash", "hash"}
