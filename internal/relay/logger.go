package relay

import (
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// loggerFactory sends pion's logs to slog, at debug level except errors
// and warnings: TURN is chatty and its auth failures are attacker-driven.
type loggerFactory struct{ log *slog.Logger }

func (f *loggerFactory) NewLogger(scope string) logging.LeveledLogger {
	return &leveled{log: f.log.With("scope", scope)}
}

type leveled struct{ log *slog.Logger }

func (l *leveled) Trace(string)              {}
func (l *leveled) Tracef(string, ...any)     {}
func (l *leveled) Debug(m string)            { l.log.Debug(m) }
func (l *leveled) Debugf(f string, a ...any) { l.log.Debug(fmt.Sprintf(f, a...)) }
func (l *leveled) Info(m string)             { l.log.Debug(m) }
func (l *leveled) Infof(f string, a ...any)  { l.log.Debug(fmt.Sprintf(f, a...)) }
func (l *leveled) Warn(m string)             { l.log.Warn(m) }
func (l *leveled) Warnf(f string, a ...any)  { l.log.Warn(fmt.Sprintf(f, a...)) }
func (l *leveled) Error(m string)            { l.log.Warn(m) }
func (l *leveled) Errorf(f string, a ...any) { l.log.Warn(fmt.Sprintf(f, a...)) }
