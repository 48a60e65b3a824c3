package apiclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tetherdesk/tether/internal/api"
)

// ReportQuery selects a report's period and channel. Zero fields take
// the broker's defaults (the last 30 days, every channel).
type ReportQuery struct {
	From, To  time.Time
	ChannelID int64
}

func (q ReportQuery) values() url.Values {
	v := url.Values{}
	setTime(v, "from", q.From)
	setTime(v, "to", q.To)
	setID(v, "channel_id", q.ChannelID)
	return v
}

// AuditQuery filters the audit log. Zero fields do not filter.
type AuditQuery struct {
	SessionID int64
	ChannelID int64
	ActorID   int64
	Action    string
	From, To  time.Time
	// AfterSeq pages on from the last seq seen.
	AfterSeq int64
	// Limit is 1..10000 (0: the broker's default). AuditCSV ignores it
	// and exports every matching record.
	Limit int
}

func (q AuditQuery) values() url.Values {
	v := url.Values{}
	setID(v, "session_id", q.SessionID)
	setID(v, "channel_id", q.ChannelID)
	setID(v, "actor_id", q.ActorID)
	if q.Action != "" {
		v.Set("action", q.Action)
	}
	setTime(v, "from", q.From)
	setTime(v, "to", q.To)
	if q.AfterSeq > 0 {
		v.Set("after_seq", strconv.FormatInt(q.AfterSeq, 10))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

func setID(v url.Values, name string, id int64) {
	if id != 0 {
		v.Set(name, strconv.FormatInt(id, 10))
	}
}

func setTime(v url.Values, name string, t time.Time) {
	if !t.IsZero() {
		v.Set(name, t.UTC().Format(time.RFC3339))
	}
}

// Report returns service desk figures per channel and technician.
func (c *Client) Report(ctx context.Context, q ReportQuery) (*api.Report, error) {
	var out api.Report
	if err := c.get(ctx, "/reports", q.values(), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Queue returns the live state of every visible channel's queue.
func (c *Client) Queue(ctx context.Context) ([]api.QueueRow, error) {
	var out []api.QueueRow
	if err := c.get(ctx, "/queue", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Audit returns one page of the audit log, oldest first.
func (c *Client) Audit(ctx context.Context, q AuditQuery) ([]api.AuditRecord, error) {
	var out []api.AuditRecord
	if err := c.get(ctx, "/audit", q.values(), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// AuditCSV streams the whole audit log as CSV (header api.AuditCSVHeader)
// into w.
func (c *Client) AuditCSV(ctx context.Context, w io.Writer) error {
	return c.AuditCSVQuery(ctx, AuditQuery{}, w)
}

// AuditCSVQuery is AuditCSV for the records matching q.
func (c *Client) AuditCSVQuery(ctx context.Context, q AuditQuery, w io.Writer) error {
	q.Limit = 0
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/audit.csv", query: q.values()})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("apiclient: audit export: %w", err)
	}
	return nil
}
