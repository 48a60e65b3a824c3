package rtc

import "github.com/pion/webrtc/v4"

// ConnState is the state of a peer connection. The zero value is unknown.
type ConnState int

const (
	StateUnknown ConnState = iota
	StateNew
	StateConnecting
	StateConnected
	// StateDisconnected may recover by itself (consent checks resume) or
	// after the host restarts ICE.
	StateDisconnected
	StateFailed
	StateClosed
)

var stateNames = [...]string{"unknown", "new", "connecting", "connected", "disconnected", "failed", "closed"}

func (s ConnState) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "unknown"
	}
	return stateNames[s]
}

func fromPion(s webrtc.PeerConnectionState) ConnState {
	switch s {
	case webrtc.PeerConnectionStateNew:
		return StateNew
	case webrtc.PeerConnectionStateConnecting:
		return StateConnecting
	case webrtc.PeerConnectionStateConnected:
		return StateConnected
	case webrtc.PeerConnectionStateDisconnected:
		return StateDisconnected
	case webrtc.PeerConnectionStateFailed:
		return StateFailed
	case webrtc.PeerConnectionStateClosed:
		return StateClosed
	}
	return StateUnknown
}
