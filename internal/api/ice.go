package api

// ICEServer is one STUN or TURN server for a WebRTC peer.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// ICEConfig is what a session's peer needs to reach the other peer:
// servers with fresh short-lived credentials and the transport policy
// ("all", or "relay" to force the TURN relay).
type ICEConfig struct {
	ICEServers      []ICEServer `json:"ice_servers"`
	TransportPolicy string      `json:"ice_transport_policy"`
}
