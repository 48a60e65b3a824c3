package server

import (
	"net/http"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

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
