package server

import (
	"net/http"

	"github.com/tetherdesk/tether/internal/api"
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
