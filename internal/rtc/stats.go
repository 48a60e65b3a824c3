package rtc

import (
	"time"

	"github.com/pion/webrtc/v4"
)

// Route says how media travels between the peers.
type Route int

const (
	RouteUnknown Route = iota
	// RouteDirect: peer to peer (host, server-reflexive or peer-reflexive
	// candidates on both sides).
	RouteDirect
	// RouteRelayed: through a TURN server.
	RouteRelayed
)

func (r Route) String() string {
	switch r {
	case RouteDirect:
		return "direct"
	case RouteRelayed:
		return "relayed"
	}
	return "unknown"
}

// Stats is a snapshot for the UI's status line. Rates cover about the last
// second.
type Stats struct {
	State ConnState
	// FPS is frames sent (host) or decoded (viewer) per second.
	FPS float64
	// BitrateKbps is video payload sent or received, in kbit/s.
	BitrateKbps float64
	// TargetBitrateKbps is the congestion controller's estimate, clamped
	// and applied to the encoder (host only).
	TargetBitrateKbps int
	// RTT is the latest ICE round-trip time on the selected pair.
	RTT time.Duration
	// PacketLoss is the fraction (0..1) of video packets lost: as measured
	// by the viewer over the last second, as last reported by the viewer in
	// RTCP receiver reports on the host.
	PacketLoss float64
	// Route and the candidate types ("host", "srflx", "prflx", "relay") of
	// the selected pair.
	Route                           Route
	LocalCandidate, RemoteCandidate string

	// Frames counts frames sent (host) or handed to the UI (viewer).
	Frames uint64
	// FramesDropped counts frames the encoder skipped (host) or that were
	// lost, undecodable or replaced unread in the mailbox (viewer).
	FramesDropped uint64
	Keyframes     uint64
	// PLIs counts keyframe requests received (host) or sent (viewer).
	PLIs uint64
}

// fillTransport adds what pion knows about the selected candidate pair.
func (p *peer) fillTransport(st *Stats) {
	st.State = p.connState()
	sctp := p.pc.SCTP()
	if sctp == nil || sctp.Transport() == nil || sctp.Transport().ICETransport() == nil {
		return
	}
	it := sctp.Transport().ICETransport()
	if pair, err := it.GetSelectedCandidatePair(); err == nil && pair != nil && pair.Local != nil && pair.Remote != nil {
		st.LocalCandidate, st.RemoteCandidate = pair.Local.Typ.String(), pair.Remote.Typ.String()
		st.Route = RouteDirect
		if pair.Local.Typ == webrtc.ICECandidateTypeRelay || pair.Remote.Typ == webrtc.ICECandidateTypeRelay {
			st.Route = RouteRelayed
		}
	}
	if ps, ok := it.GetSelectedCandidatePairStats(); ok {
		rtt := ps.CurrentRoundTripTime
		if rtt == 0 && ps.ResponsesReceived > 0 {
			rtt = ps.TotalRoundTripTime / float64(ps.ResponsesReceived)
		}
		st.RTT = time.Duration(rtt * float64(time.Second))
	}
}
