package server

import (
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

func (s *Server) report(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	var f desk.ReportFilter
	var err error
	if f.From, err = queryTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = queryTime(r, "to"); err != nil {
		return err
	}
	if f.ChannelID, err = queryID(r, "channel_id"); err != nil {
		return err
	}
	rep, err := s.svc.Report(r.Context(), a, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromReport(rep))
	return nil
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	rows, err := s.svc.Queue(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromQueue(rows))
	return nil
}

func auditFilter(r *http.Request) (desk.AuditFilter, error) {
	var f desk.AuditFilter
	var err error
	if f.SessionID, err = queryID(r, "session_id"); err != nil {
		return f, err
	}
	if f.ActorID, err = queryID(r, "actor_id"); err != nil {
		return f, err
	}
	ch, err := queryID(r, "channel_id")
	if err != nil {
		return f, err
	}
	if ch != 0 {
		f.ChannelIDs = []int64{ch}
	}
	if f.From, err = queryTime(r, "from"); err != nil {
		return f, err
	}
	if f.To, err = queryTime(r, "to"); err != nil {
		return f, err
	}
	if v := r.URL.Query().Get("after_seq"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, desk.Errorf(desk.EINVALID, "after_seq must be a non-negative integer")
		}
		f.AfterSeq = n
	}
	if f.Limit, err = queryInt(r, "limit", 1, 10000); err != nil {
		return f, err
	}
	f.Action = r.URL.Query().Get("action")
	if len(f.Action) > 100 {
		return f, desk.Errorf(desk.EINVALID, "action is too long")
	}
	return f, nil
}

func (s *Server) audit(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	list, err := s.svc.Audit(r.Context(), a, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromAudit(list))
	return nil
}

// auditCSV exports every matching audit record as CSV, page by page.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	const page = 5000
	f.Limit = page
	list, err := s.svc.Audit(r.Context(), a, f)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="tether-audit.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write(api.AuditCSVHeader)
	for {
		for _, rec := range list {
			cw.Write(api.AuditCSVRow(rec))
		}
		if len(list) < page {
			break
		}
		f.AfterSeq = list[len(list)-1].Seq
		if list, err = s.svc.Audit(r.Context(), a, f); err != nil {
			// The status is sent; end the file visibly incomplete.
			s.log.Error("audit export", "request_id", requestID(r.Context()), "err", err)
			cw.Write([]string{"# export incomplete: internal error"})
			break
		}
	}
	cw.Flush()
	return nil
}
