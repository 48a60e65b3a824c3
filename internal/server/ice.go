package server

import (
	"fmt"
	"net/http"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// iceConfig answers a session's peer with its ICE servers. Only those who
// may signal for the session get them: TURN credentials let their holder
// relay traffic through the broker.
func (s *Server) iceConfig(w http.ResponseWriter, r *http.Request, a desk.Actor, sessionID int64) error {
	if _, err := s.svc.MaySignal(r.Context(), a, sessionID); err != nil {
		return err
	}
	peer := fmt.Sprintf("session-%d-agent", sessionID)
	if a.Kind == desk.ActorTechnician {
		peer = fmt.Sprintf("session-%d-tech-%d", sessionID, a.Account.ID)
	}
	out := api.ICEConfig{ICEServers: []api.ICEServer{}, TransportPolicy: s.cfg.ICEPolicy}
	if s.cfg.ICE != nil {
		out.ICEServers = append(out.ICEServers, s.cfg.ICE(peer)...)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) sessionICE(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.iceConfig(w, r, a, id)
}

func (s *Server) agentICE(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	return s.iceConfig(w, r, a, a.SessionID)
}
