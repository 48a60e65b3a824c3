package desk

import (
	"net/netip"
)

// Screen is one of the end user's monitors.
type Screen struct {
	Width, Height int
	Primary       bool
}

// DeviceInfo describes the end user's computer, shown before connecting.
type DeviceInfo struct {
	OS        string
	OSVersion string
	Hostname  string
	User      string
	Screens   []Screen
	LocalIPs  []string
	// PublicIP is recorded by the broker from the connection, never sent by the agent.
	PublicIP string
}

// Validate checks the fields an agent sends.
func (d *DeviceInfo) Validate() error {
	for _, f := range []struct {
		name string
		v    string
	}{{"os", d.OS}, {"os_version", d.OSVersion}, {"hostname", d.Hostname}, {"user", d.User}} {
		if err := validText("device."+f.name, f.v, 0, 200); err != nil {
			return err
		}
	}
	if len(d.Screens) > 16 {
		return Errorf(EINVALID, "device.screens: at most 16 screens")
	}
	for _, s := range d.Screens {
		if s.Width <= 0 || s.Height <= 0 || s.Width > 32768 || s.Height > 32768 {
			return Errorf(EINVALID, "device.screens: size %dx%d out of range", s.Width, s.Height)
		}
	}
	if len(d.LocalIPs) > 32 {
		return Errorf(EINVALID, "device.local_ips: at most 32 addresses")
	}
	for _, ip := range d.LocalIPs {
		if _, err := netip.ParseAddr(ip); err != nil {
			return Errorf(EINVALID, "device.local_ips: %q is not an IP address", ip)
		}
	}
	return nil
}
