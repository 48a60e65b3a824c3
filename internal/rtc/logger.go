package rtc

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/pion/logging"
)

// pionLoggerFactory sends pion's logs to the Config's slog.Logger. Pion's
// info is demoted to debug: it narrates ordinary ICE and DTLS progress.
// Messages whose format mentions a password (pion/ice logs the remote ICE
// password when an agent starts) are logged unformatted: the ICE password
// authenticates connectivity checks and never goes to a log.
type pionLoggerFactory struct{ log *slog.Logger }

func newPionLoggerFactory(log *slog.Logger) logging.LoggerFactory {
	return pionLoggerFactory{log: log}
}

func (f pionLoggerFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With("pion", scope)}
}

type pionLogger struct{ log *slog.Logger }

func (l pionLogger) emit(level slog.Level, msg string) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, msg)
	}
}

func (l pionLogger) emitf(level slog.Level, format string, args ...any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	if secretFormat(format) {
		l.log.Log(context.Background(), level, format, "args", "redacted")
		return
	}
	l.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
}

// secretFormat tells whether a pion log format would print a password.
func secretFormat(format string) bool {
	f := strings.ToLower(format)
	return strings.Contains(f, "pwd") || strings.Contains(f, "password") || strings.Contains(f, "secret")
}

func (l pionLogger) Trace(msg string)                  { l.emit(slog.LevelDebug-4, msg) }
func (l pionLogger) Tracef(format string, args ...any) { l.emitf(slog.LevelDebug-4, format, args...) }
func (l pionLogger) Debug(msg string)                  { l.emit(slog.LevelDebug, msg) }
func (l pionLogger) Debugf(format string, args ...any) { l.emitf(slog.LevelDebug, format, args...) }
func (l pionLogger) Info(msg string)                   { l.emit(slog.LevelDebug, msg) }
func (l pionLogger) Infof(format string, args ...any)  { l.emitf(slog.LevelDebug, format, args...) }
func (l pionLogger) Warn(msg string)                   { l.emit(slog.LevelWarn, msg) }
func (l pionLogger) Warnf(format string, args ...any)  { l.emitf(slog.LevelWarn, format, args...) }
func (l pionLogger) Error(msg string)                  { l.emit(slog.LevelError, msg) }
func (l pionLogger) Errorf(format string, args ...any) { l.emitf(slog.LevelError, format, args...) }
