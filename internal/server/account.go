package server

import (
	"net/http"
	"strings"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "protocol_version": api.ProtocolVersion})
	return nil
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(api.OpenAPI)
	return nil
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, api.Info{OrgName: s.cfg.OrgName, PublicURL: s.cfg.PublicURL, ProtocolVersion: api.ProtocolVersion})
	return nil
}

func (s *Server) loginHandler(w http.ResponseWriter, r *http.Request) error {
	var req api.LoginRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	ip, email, now := s.clientIP(r), desk.NormalizeEmail(req.Email), s.now()
	if err := s.login.check(email, ip, now); err != nil {
		return err
	}
	token, acct, err := s.svc.Login(r.Context(), req.Email, req.Password, ip)
	if desk.ErrorCode(err) == desk.EUNAUTHORIZED {
		s.login.fail(email, ip, now)
		s.log.Info("login failed", "request_id", requestID(r.Context()), "ip", ip)
	}
	if err != nil {
		return err
	}
	s.login.success(email)
	s.hub.learnAccounts([]*desk.Account{acct})
	writeJSON(w, http.StatusOK, api.LoginResponse{Token: token, ExpiresAt: s.svc.Now().Add(desk.TechnicianTokenTTL), Account: api.FromAccount(acct)})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	if err := s.svc.Logout(r.Context(), a, bearer(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	acct, err := s.svc.Me(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromAccount(acct))
	return nil
}

func (s *Server) setAvailability(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	var req api.AvailabilityRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	av, err := desk.ParseAvailability(req.Availability)
	if err != nil {
		return err
	}
	acct, err := s.svc.SetAvailability(r.Context(), a, av)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromAccount(acct))
	return nil
}

func (s *Server) listTechnicians(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	list, err := s.svc.ListAccounts(r.Context(), a)
	if err != nil {
		return err
	}
	s.hub.learnAccounts(list)
	writeJSON(w, http.StatusOK, api.FromAccounts(list))
	return nil
}

func (s *Server) createTechnician(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	var req api.CreateTechnicianRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	acct, err := req.ToAccount()
	if err != nil {
		return err
	}
	if err := s.svc.CreateAccount(r.Context(), a, acct, req.Password); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.FromAccount(acct))
	return nil
}

func (s *Server) updateTechnician(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req api.UpdateTechnicianRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	p, err := req.ToPatch()
	if err != nil {
		return err
	}
	acct, err := s.svc.UpdateAccount(r.Context(), a, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromAccount(acct))
	return nil
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	list, err := s.svc.ListGroups(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromGroups(list))
	return nil
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	var req api.GroupRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	g := &desk.Group{}
	if req.Name != nil {
		g.Name = *req.Name
	}
	if req.Description != nil {
		g.Description = *req.Description
	}
	if err := s.svc.CreateGroup(r.Context(), a, g); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.FromGroup(g))
	return nil
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req api.GroupRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	list, err := s.svc.ListGroups(r.Context(), a)
	if err != nil {
		return err
	}
	var g *desk.Group
	for _, x := range list {
		if x.ID == id {
			g = x
		}
	}
	if g == nil {
		return desk.Errorf(desk.ENOTFOUND, "group %d not found", id)
	}
	if req.Name != nil {
		g.Name = *req.Name
	}
	if req.Description != nil {
		g.Description = *req.Description
	}
	if err := s.svc.UpdateGroup(r.Context(), a, g); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromGroup(g))
	return nil
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteGroup(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	list, err := s.svc.ListChannels(r.Context(), a)
	if err != nil {
		return err
	}
	s.hub.learnChannels(list)
	writeJSON(w, http.StatusOK, api.FromChannels(list))
	return nil
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	var req api.ChannelRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	ch, err := req.ToChannel(0)
	if err != nil {
		return err
	}
	if err := s.svc.CreateChannel(r.Context(), a, ch); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.FromChannel(ch))
	return nil
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ch, err := s.svc.Channel(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromChannel(ch))
	return nil
}

func (s *Server) updateChannel(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req api.ChannelRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	ch, err := req.ToChannel(id)
	if err != nil {
		return err
	}
	if err := s.svc.UpdateChannel(r.Context(), a, ch); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromChannel(ch))
	return nil
}

func (s *Server) deleteChannel(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteChannel(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// isTrue reads a boolean query flag ("1", "true", "yes").
func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
