package rtc

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestPionLoggerRedactsPasswords(t *testing.T) {
	const secret = "s3cr3tIcePassw0rdValue"
	for _, tc := range []struct {
		format string
		args   []any
		keep   string // what must still be logged
	}{
		// pion/ice's agent.go logs exactly this at debug level.
		{"Started agent: isControlling? %t, remoteUfrag: %q, remotePwd: %q", []any{true, "uf", secret}, "Started agent"},
		{"TURN password %s", []any{secret}, "TURN password"},
		{"shared secret: %v", []any{secret}, "shared secret"},
		{"Setting new connection state: %s", []any{"connected"}, "Setting new connection state: connected"},
	} {
		var buf bytes.Buffer
		log := newPionLoggerFactory(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug - 4}))).NewLogger("ice")
		log.Debugf(tc.format, tc.args...)
		log.Tracef(tc.format, tc.args...)
		log.Infof(tc.format, tc.args...)
		out := buf.String()
		if strings.Contains(out, secret) {
			t.Errorf("%q: the secret reached the log: %s", tc.format, out)
		}
		if strings.Count(out, tc.keep) != 3 {
			t.Errorf("%q: want %q logged three times, got %s", tc.format, tc.keep, out)
		}
	}
}
