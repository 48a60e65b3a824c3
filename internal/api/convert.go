package api

import (
	"math"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// Namer resolves ids to display names for responses. A nil Namer, or an
// unknown id, gives "".
type Namer interface {
	ChannelName(id int64) string
	AccountName(id int64) string
}

func channelName(n Namer, id int64) string {
	if n == nil || id == 0 {
		return ""
	}
	return n.ChannelName(id)
}

func accountName(n Namer, id int64) string {
	if n == nil || id == 0 {
		return ""
	}
	return n.AccountName(id)
}

// timePtr returns nil for the zero time, so unset times are omitted.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// Seconds converts a duration to whole seconds for the wire.
func Seconds(d time.Duration) int64 { return int64(d / time.Second) }

// maxSeconds bounds durations from the wire well inside time.Duration's
// range, so a huge number cannot wrap around into a valid duration.
const maxSeconds = 100 * 365 * 24 * 3600

// Duration converts whole seconds from the wire to a duration; field names
// the value in the error.
func Duration(field string, s int64) (time.Duration, error) {
	if s < 0 || s > maxSeconds {
		return 0, desk.Errorf(desk.EINVALID, "%s must be between 0 and %d seconds", field, int64(maxSeconds))
	}
	return time.Duration(s) * time.Second, nil
}

// float rounds to two decimals and maps NaN and infinities to 0, which
// JSON cannot carry.
func float(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*100) / 100
}

func ids(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}

func strs(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
