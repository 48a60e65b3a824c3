package server

import (
	"context"
	"net/http"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// reqNamer resolves names for one technician's response from the hub's
// cache, reloading it once through the technician's eyes on a miss.
type reqNamer struct {
	s      *Server
	ctx    context.Context
	actor  desk.Actor
	loaded bool
}

func (s *Server) namer(r *http.Request, a desk.Actor) *reqNamer {
	return &reqNamer{s: s, ctx: r.Context(), actor: a}
}

func (n *reqNamer) load() {
	if n.loaded {
		return
	}
	n.loaded = true
	if chans, err := n.s.svc.ListChannels(n.ctx, n.actor); err == nil {
		n.s.hub.learnChannels(chans)
	}
	if accts, err := n.s.svc.ListAccounts(n.ctx, n.actor); err == nil {
		n.s.hub.learnAccounts(accts)
	}
}

func (n *reqNamer) ChannelName(id int64) string {
	if name, ok := n.s.hub.channelName(id); ok {
		return name
	}
	n.load()
	name, _ := n.s.hub.channelName(id)
	return name
}

func (n *reqNamer) AccountName(id int64) string {
	if name, ok := n.s.hub.accountName(id); ok {
		return name
	}
	n.load()
	name, _ := n.s.hub.accountName(id)
	return name
}

func (s *Server) createLink(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	var req api.CreateLinkRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.ChannelID <= 0 {
		return desk.Errorf(desk.EINVALID, "channel_id is required")
	}
	sess, token, err := s.svc.CreateLink(r.Context(), a, req.ChannelID, req.EndUserName, req.Problem)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.CreateLinkResponse{
		Session: api.FromSession(sess, s.namer(r, a)), LinkToken: token,
		LinkURL: s.cfg.PublicURL + "/s/" + token, ExpiresAt: sess.ExpiresAt.UTC(),
	})
	return nil
}

func (s *Server) sessionQuery(r *http.Request) (desk.SessionQuery, error) {
	var q desk.SessionQuery
	var err error
	if q.States, err = queryStates(r); err != nil {
		return q, err
	}
	if q.ChannelID, err = queryID(r, "channel_id"); err != nil {
		return q, err
	}
	if q.Limit, err = queryInt(r, "limit", 1, 10000); err != nil {
		return q, err
	}
	q.Sort = r.URL.Query().Get("sort")
	q.Mine = isTrue(r.URL.Query().Get("mine"))
	return q, nil
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	q, err := s.sessionQuery(r)
	if err != nil {
		return err
	}
	list, err := s.svc.ListSessions(r.Context(), a, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromSessions(list, s.namer(r, a)))
	return nil
}

// channelSessions is a channel's queue: GET /channels/{id}/sessions.
func (s *Server) channelSessions(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q, err := s.sessionQuery(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Channel(r.Context(), a, id); err != nil {
		return err
	}
	q.ChannelID = id
	list, err := s.svc.ListSessions(r.Context(), a, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromSessions(list, s.namer(r, a)))
	return nil
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sess, err := s.svc.Session(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromSession(sess, s.namer(r, a)))
	return nil
}

// sessionAction runs a body-less session action and answers the session.
func (s *Server) sessionAction(fn func(ctx context.Context, a desk.Actor, id int64) (*desk.Session, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		sess, err := fn(r.Context(), a, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, api.FromSession(sess, s.namer(r, a)))
		return nil
	}
}

func (s *Server) take(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	return s.sessionAction(s.svc.Take)(w, r, a)
}

func (s *Server) release(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	return s.sessionAction(s.svc.Release)(w, r, a)
}

func (s *Server) closeSession(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	return s.sessionAction(s.svc.Close)(w, r, a)
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.svc.Delete(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req api.TransferRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.TechnicianID < 0 || req.ChannelID < 0 {
		return desk.Errorf(desk.EINVALID, "technician_id and channel_id must be positive")
	}
	sess, err := s.svc.Transfer(r.Context(), a, id, req.TechnicianID, req.ChannelID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromSession(sess, s.namer(r, a)))
	return nil
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req api.InviteRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.TechnicianID <= 0 {
		return desk.Errorf(desk.EINVALID, "technician_id is required")
	}
	sess, err := s.svc.Invite(r.Context(), a, id, req.TechnicianID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromSession(sess, s.namer(r, a)))
	return nil
}

func (s *Server) requestRemote(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req api.RemoteRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	mode, err := desk.ParseConsentMode(req.Mode)
	if err != nil {
		return err
	}
	con, err := s.svc.RequestRemote(r.Context(), a, id, mode)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.FromConsent(con))
	return nil
}

func (s *Server) getConsent(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	con, err := s.svc.Consent(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromConsent(con))
	return nil
}

func (s *Server) timeline(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.svc.Timeline(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromAudit(list))
	return nil
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, a desk.Actor, sessionID int64) error {
	after, err := queryID(r, "after_id")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 1, 1000)
	if err != nil {
		return err
	}
	list, err := s.svc.ListMessages(r.Context(), a, sessionID, after, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromMessages(list))
	return nil
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request, a desk.Actor, sessionID int64) error {
	var req api.PostMessageRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	m, err := s.svc.PostMessage(r.Context(), a, sessionID, req.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.FromMessage(m))
	return nil
}

func (s *Server) sessionMessages(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.listMessages(w, r, a, id)
}

func (s *Server) postSessionMessage(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.postMessage(w, r, a, id)
}

func (s *Server) uploadSessionFile(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.upload(w, r, a, id)
}

func (s *Server) claimCode(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	var req api.ClaimCodeRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.ChannelID < 0 {
		return desk.Errorf(desk.EINVALID, "channel_id must be positive")
	}
	ip := s.clientIP(r)
	if err := s.codes.check(ip, s.now()); err != nil {
		return err
	}
	sess, err := s.svc.ClaimCode(r.Context(), a, req.Code, req.ChannelID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		s.codes.fail(ip, s.now())
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromSession(sess, s.namer(r, a)))
	return nil
}

func (s *Server) transferTargets(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.svc.TransferTargets(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromTransferTargets(list))
	return nil
}
