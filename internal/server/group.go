package server

import (
	"net/http"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

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
