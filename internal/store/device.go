package store

import (
	"encoding/json"

	"github.com/tetherdesk/tether/internal/desk"
)

// deviceJSON is how a session's desk.DeviceInfo is stored. It has its own
// field names so that renaming a Go field in desk does not silently drop
// stored data.
type deviceJSON struct {
	OS        string       `json:"os,omitempty"`
	OSVersion string       `json:"os_version,omitempty"`
	Hostname  string       `json:"hostname,omitempty"`
	User      string       `json:"user,omitempty"`
	Screens   []screenJSON `json:"screens,omitempty"`
	LocalIPs  []string     `json:"local_ips,omitempty"`
	PublicIP  string       `json:"public_ip,omitempty"`
}

type screenJSON struct {
	Width   int  `json:"width"`
	Height  int  `json:"height"`
	Primary bool `json:"primary,omitempty"`
}

func encodeDevice(d desk.DeviceInfo) (string, error) {
	j := deviceJSON{OS: d.OS, OSVersion: d.OSVersion, Hostname: d.Hostname, User: d.User,
		LocalIPs: d.LocalIPs, PublicIP: d.PublicIP}
	for _, s := range d.Screens {
		j.Screens = append(j.Screens, screenJSON{s.Width, s.Height, s.Primary})
	}
	b, err := json.Marshal(j)
	return string(b), err
}

func decodeDevice(s string) (desk.DeviceInfo, error) {
	var j deviceJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return desk.DeviceInfo{}, err
	}
	d := desk.DeviceInfo{OS: j.OS, OSVersion: j.OSVersion, Hostname: j.Hostname, User: j.User,
		LocalIPs: j.LocalIPs, PublicIP: j.PublicIP}
	for _, s := range j.Screens {
		d.Screens = append(d.Screens, desk.Screen{Width: s.Width, Height: s.Height, Primary: s.Primary})
	}
	return d, nil
}
