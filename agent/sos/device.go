package sos

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"os/user"
	"runtime"
	"strings"

	"github.com/tetherdesk/tether/internal/api"
)

// DeviceInfo describes this computer for the technician: OS and version,
// host name, user, screens (from screens, which may be nil) and local IP
// addresses. Fields it cannot find stay empty.
func DeviceInfo(screens func() []api.Screen) api.Device {
	d := api.Device{OS: runtime.GOOS, OSVersion: osVersion(), Screens: []api.Screen{}, LocalIPs: localIPs()}
	if h, err := os.Hostname(); err == nil {
		d.Hostname = clip(h, 200)
	}
	if u, err := user.Current(); err == nil {
		d.User = clip(u.Username, 200)
	}
	if screens != nil {
		for _, s := range screens() {
			if s.Width > 0 && s.Height > 0 && len(d.Screens) < 16 {
				d.Screens = append(d.Screens, s)
			}
		}
	}
	return d
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func osVersion() string {
	var v string
	switch runtime.GOOS {
	case "linux":
		v = osRelease("/etc/os-release")
	case "darwin":
		if out, err := exec.Command("sw_vers", "-productVersion").Output(); err == nil {
			v = "macOS " + strings.TrimSpace(string(out))
		}
	case "windows":
		if out, err := exec.Command("cmd", "/c", "ver").Output(); err == nil {
			v = strings.TrimSpace(string(out))
		}
	}
	return clip(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, v), 200)
}

// osRelease returns PRETTY_NAME (or NAME VERSION) of an os-release file.
func osRelease(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok {
			continue
		}
		vals[k] = strings.Trim(v, `"'`)
	}
	if p := vals["PRETTY_NAME"]; p != "" {
		return p
	}
	return strings.TrimSpace(vals["NAME"] + " " + vals["VERSION"])
}

// localIPs lists the addresses of the interfaces that are up, loopback and
// link-local excluded.
func localIPs() []string {
	out := []string{}
	ifs, err := net.Interfaces()
	if err != nil {
		return out
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			if !ok || !n.IP.IsGlobalUnicast() || len(out) >= 32 {
				continue
			}
			out = append(out, n.IP.String())
		}
	}
	return out
}
