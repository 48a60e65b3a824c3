package server

import (
	"context"
	"net/http"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// agentView is the agent's session with the names the end user sees.
func (s *Server) agentView(ctx context.Context, sessionID int64, ip string) (api.AgentSession, error) {
	v, err := s.svc.AgentSession(ctx, desk.Actor{Kind: desk.ActorAgent, SessionID: sessionID, IP: ip})
	if err != nil {
		return api.AgentSession{}, err
	}
	return api.FromAgentView(v, s.cfg.OrgName), nil
}

func (s *Server) joined(w http.ResponseWriter, r *http.Request, status int, j *desk.AgentJoin, ip string) error {
	view, err := s.agentView(r.Context(), j.Session.ID, ip)
	if err != nil {
		return err
	}
	resp := api.AgentJoinResponse{Token: j.Token, Code: j.Code, Session: view, Seq: j.Seq}
	if j.Code != "" {
		exp := j.Session.ExpiresAt.UTC()
		resp.CodeExpiresAt = &exp
	}
	writeJSON(w, status, resp)
	return nil
}

func (s *Server) agentJoin(w http.ResponseWriter, r *http.Request) error {
	var req api.AgentJoinRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	ip := s.clientIP(r)
	j, err := s.svc.JoinLink(r.Context(), req.LinkToken, req.Device.ToDevice(), ip)
	if err != nil {
		return err
	}
	return s.joined(w, r, http.StatusOK, j, ip)
}

func (s *Server) agentCode(w http.ResponseWriter, r *http.Request) error {
	var req api.AgentCodeRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	ip := s.clientIP(r)
	if d := s.agent.take(ip, s.now()); d > 0 {
		return limited(d, "too many requests from your address; try again in %s", roundUp(d))
	}
	j, err := s.svc.RequestCode(r.Context(), req.Name, req.Device.ToDevice(), ip)
	if err != nil {
		return err
	}
	return s.joined(w, r, http.StatusCreated, j, ip)
}

func (s *Server) sosChannels(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.SOSChannels(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromSOSChannels(list))
	return nil
}

func (s *Server) agentSOS(w http.ResponseWriter, r *http.Request) error {
	var req api.SOSRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.ChannelID <= 0 {
		return desk.Errorf(desk.EINVALID, "channel_id is required")
	}
	ip := s.clientIP(r)
	if d := s.agent.take(ip, s.now()); d > 0 {
		return limited(d, "too many requests from your address; try again in %s", roundUp(d))
	}
	j, err := s.svc.SubmitSOS(r.Context(), req.ChannelID, req.Name, req.Problem, req.Device.ToDevice(), ip)
	if err != nil {
		return err
	}
	return s.joined(w, r, http.StatusCreated, j, ip)
}

func (s *Server) agentSession(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	view, err := s.agentView(r.Context(), a.SessionID, a.IP)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

func (s *Server) agentDevice(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	var req api.Device
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if _, err := s.svc.UpdateDevice(r.Context(), a, req.ToDevice()); err != nil {
		return err
	}
	return s.agentSession(w, r, a)
}

func (s *Server) answerConsent(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req api.ConsentAnswerRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	ans, err := desk.ParseConsentAnswer(req.Answer)
	if err != nil {
		return err
	}
	con, err := s.svc.AnswerConsent(r.Context(), a, id, ans)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromConsent(con))
	return nil
}

func (s *Server) agentMessages(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	return s.listMessages(w, r, a, a.SessionID)
}

func (s *Server) postAgentMessage(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	return s.postMessage(w, r, a, a.SessionID)
}

func (s *Server) uploadAgentFile(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	return s.upload(w, r, a, a.SessionID)
}

func (s *Server) rate(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	var req api.RatingRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	rt, err := s.svc.Rate(r.Context(), a, req.Stars, req.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.FromRating(rt))
	return nil
}
