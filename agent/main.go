// Command tether-sos is Tether SOS, the end user's remote support agent:
// a small window that joins a support session (from a support link, a
// 9-digit code or an SOS Call), shows who is on the other side, asks before
// anyone sees or controls the screen, and chats and exchanges files with
// the technician. It needs no installation and no admin rights.
//
// How it finds its session, first match wins:
//
//	--link URL                     the support link
//	TetherSOS-<token>[.exe]        its own file name, as the broker's download page names it,
//	                               with the broker from --broker or tether-sos.json
//	(nothing)                      start screen: paste a link, get a code, or make an SOS Call
//
// tether-sos.json beside the binary configures the broker for the code and
// SOS Call flows: {"broker": "https://support.example.com", "channel": 3}.
// The OS language decides the language (English, German, Portuguese);
// --lang or "lang" in tether-sos.json overrides it.
package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"github.com/tetherdesk/tether/agent/sos"
	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
	"github.com/tetherdesk/tether/internal/capture"
	"github.com/tetherdesk/tether/internal/input"
	"github.com/tetherdesk/tether/internal/media"
	"github.com/tetherdesk/tether/internal/ui"
)

// configName is the optional config file beside the binary.
const configName = "tether-sos.json"

// fileConfig is tether-sos.json.
type fileConfig struct {
	Broker  string `json:"broker"`
	Channel int64  `json:"channel"`
	Lang    string `json:"lang"`
	// Pin is the broker certificate's fingerprint when it is self-signed.
	Pin string `json:"pin"`
}

func main() {
	link := flag.String("link", "", "support link to join (https://broker/s/<token>)")
	broker := flag.String("broker", "", "broker address for the session code and SOS Call (default: "+configName+" beside the binary)")
	channel := flag.Int64("channel", 0, "SOS Call channel to preselect")
	downloads := flag.String("downloads", "", "folder for received files (default: your Downloads folder)")
	verbose := flag.Bool("v", false, "log diagnostics to stderr")
	language := flag.String("lang", "", "language: en, de or pt (default: "+configName+", else the OS language)")
	pin := flag.String("pin", "", "trust exactly the broker certificate with this fingerprint (SHA256:AB:CD:…, for a self-signed broker; default: "+configName+")")
	flag.Parse()

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	exe, _ := os.Executable()
	fc, err := readConfig(filepath.Join(filepath.Dir(exe), configName))
	if err != nil {
		log.Warn("config file", "err", err)
	}
	if *broker == "" {
		*broker = fc.Broker
	}
	if *channel == 0 {
		*channel = fc.Channel
	}
	if *link == "" && *broker != "" {
		if token := tokenFromName(filepath.Base(exe)); token != "" {
			*link = strings.TrimRight(*broker, "/") + "/s/" + token
		}
	}
	if *downloads == "" {
		*downloads = downloadsDir()
	}

	if *language == "" {
		*language = fc.Lang
	}
	if *pin == "" {
		*pin = fc.Pin
	}
	for k, v := range ui.LocaleEnv(*language, os.Getenv) {
		os.Setenv(k, v)
	}
	if err := ui.SetupLanguage(*language); err != nil {
		log.Warn("language", "err", err)
		*language = "" // the OS's, as below
		if err := ui.SetupLanguage(""); err != nil {
			log.Warn("language", "err", err)
		}
	}

	a := app.NewWithID("io.tetherdesk.sos")
	agent, err := sos.New(a, sos.Config{
		Link:      *link,
		BrokerURL: *broker,
		ChannelID: *channel,
		NewBroker: func(base string) (sos.Broker, error) {
			return sos.NewBroker(base, apiclient.Options{Logger: log, UserAgent: "tether-sos/0.1", PinSHA256: *pin,
				Language: cmp.Or(*language, lang.SystemLocale().LanguageString())})
		},
		Host: sos.MediaHost(media.HostConfig{Logger: log}, func(mons []input.Rect) (input.Injector, error) {
			return input.NewRobotgoInjector(input.RobotgoConfig{Monitors: mons, Logger: log})
		}),
		Downloads:  *downloads,
		Device:     func() api.Device { return sos.DeviceInfo(screens) },
		OpenFolder: func(dir string) { openFolder(a, dir) },
		Logger:     log,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tether-sos:", err)
		os.Exit(1)
	}
	w := agent.Window()
	w.SetMaster()
	w.SetOnClosed(agent.Close)
	agent.Start()
	w.ShowAndRun()
	agent.Close()
}

func readConfig(path string) (fileConfig, error) {
	var fc fileConfig
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fc, nil
	}
	if err != nil {
		return fc, err
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return fc, fmt.Errorf("%s: %w", path, err)
	}
	return fc, nil
}

// nameToken matches the download name the broker gives the agent,
// TetherSOS-<token>, with what browsers add to a second download (" (1)").
var nameToken = regexp.MustCompile(`^TetherSOS-([A-Za-z0-9_-]{20,100})(?: ?\(\d+\))?(?:\.exe|\.app)?$`)

// tokenFromName returns the support link token in the agent's file name.
func tokenFromName(name string) string {
	m := nameToken.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	return m[1]
}

// downloadsDir is the user's Downloads folder (XDG_DOWNLOAD_DIR on Linux
// when set), falling back to the home folder.
func downloadsDir() string {
	if d := os.Getenv("XDG_DOWNLOAD_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return os.TempDir()
	}
	return filepath.Join(home, "Downloads")
}

// screens lists the monitors for the device information.
func screens() []api.Screen {
	src, err := capture.Open(capture.Config{})
	if err != nil {
		return nil
	}
	defer src.Close()
	mons, err := src.Monitors()
	if err != nil {
		return nil
	}
	out := make([]api.Screen, 0, len(mons))
	for _, m := range mons {
		out = append(out, api.Screen{Width: m.Width, Height: m.Height, Primary: m.Primary})
	}
	return out
}

func openFolder(a fyne.App, dir string) {
	if runtime.GOOS == "linux" {
		if err := exec.Command("xdg-open", dir).Start(); err == nil {
			return
		}
	}
	a.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)})
}
