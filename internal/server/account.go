package server

import (
	"net/http"
	"strings"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

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

// isTrue reads a boolean query flag ("1", "true", "yes").
func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
