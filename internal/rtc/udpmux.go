package rtc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"

	"github.com/pion/ice/v4"
)

// UDPMux is the set of UDP sockets ICE uses, one per local address, each
// with a raised receive buffer. A Host or Viewer opens its own unless
// Config.UDPMux is set; one UDPMux can serve many peer connections (ICE
// tells them apart by username fragment), which lets a firewall open a
// single port.
type UDPMux struct {
	mux      ice.UDPMux
	addrs    []net.Addr
	loopback bool
}

// NewUDPMux opens the sockets described by cfg.ListenAddr, cfg.UDPPort and
// cfg.ReceiveBuffer.
func NewUDPMux(ctx context.Context, cfg Config) (*UDPMux, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ips, err := listenIPs(cfg.ListenAddr)
	if err != nil {
		return nil, err
	}
	m := &UDPMux{loopback: cfg.loopback()}
	var muxes []ice.UDPMux
	closeAll := func() {
		for _, x := range muxes {
			_ = x.Close()
		}
	}
	logger := newPionLoggerFactory(cfg.Logger).NewLogger("udpmux")
	for _, ip := range ips {
		conn, err := listenUDP(ctx, ip, cfg.UDPPort, cfg.ReceiveBuffer, cfg.Logger)
		if err != nil {
			closeAll()
			return nil, err
		}
		m.addrs = append(m.addrs, conn.LocalAddr())
		muxes = append(muxes, ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: conn, Logger: logger}))
	}
	if len(muxes) == 1 {
		m.mux = muxes[0]
	} else {
		m.mux = ice.NewMultiUDPMuxDefault(muxes...)
	}
	return m, nil
}

// LocalAddrs returns the addresses of the sockets.
func (m *UDPMux) LocalAddrs() []net.Addr { return append([]net.Addr(nil), m.addrs...) }

// Close closes the sockets.
func (m *UDPMux) Close() error { return m.mux.Close() }

// listenIPs turns ListenAddr into the addresses to bind: itself when it is
// specific, otherwise every up interface's usable unicast address.
func listenIPs(listen string) ([]netip.Addr, error) {
	if listen != "" {
		ip, err := netip.ParseAddr(listen)
		if err != nil {
			return nil, fmt.Errorf("%w: listen addr: %v", ErrInvalidConfig, err)
		}
		if !ip.IsUnspecified() {
			return []netip.Addr{ip}, nil
		}
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("rtc: list interfaces: %w", err)
	}
	var ips []netip.Addr
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			pfx, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			ip := pfx.Addr()
			if ip.IsLinkLocalUnicast() || ip.IsLoopback() || !ip.IsGlobalUnicast() {
				continue
			}
			ips = append(ips, ip)
		}
	}
	if len(ips) == 0 {
		return nil, errors.New("rtc: no usable local address for ICE")
	}
	return ips, nil
}

func listenUDP(ctx context.Context, ip netip.Addr, port, rcvbuf int, log *slog.Logger) (*net.UDPConn, error) {
	network := "udp4"
	if ip.Is6() && !ip.Is4In6() {
		network = "udp6"
	}
	lc := net.ListenConfig{Control: func(_, _ string, c rawConn) error {
		return setReceiveBuffer(c, rcvbuf)
	}}
	pc, err := lc.ListenPacket(ctx, network, net.JoinHostPort(ip.String(), strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("rtc: listen udp: %w", err)
	}
	conn := pc.(*net.UDPConn)
	got := effectiveReceiveBuffer(conn)
	if got == 0 { // not Linux: the portable call, size not observable
		_ = conn.SetReadBuffer(rcvbuf)
	}
	log.Debug("ice socket", "addr", conn.LocalAddr().String(), "rcvbuf_wanted", rcvbuf, "rcvbuf", got)
	if got > 0 && got < rcvbuf {
		log.Warn("ice socket receive buffer capped by the kernel; keyframe bursts may lose packets",
			"rcvbuf_wanted", rcvbuf, "rcvbuf", got)
	}
	return conn, nil
}
