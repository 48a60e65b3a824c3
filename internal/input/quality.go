package input

// Quality is what the technician prefers when the picture cannot be both
// smooth and sharp: SPEC's "quality vs speed". KindQuality events carry
// it; the host turns it into encoder settings. The zero value is invalid.
type Quality uint8

const (
	QualityUnknown Quality = iota
	// QualityAuto lets the host follow the connection and the content:
	// the default.
	QualityAuto
	// QualitySpeed puts smoothness first, for slow links: a lower bitrate
	// ceiling and the fastest encoding, full frame rate.
	QualitySpeed
	// QualitySharp puts sharp text first (the viewer calls it "Quality"):
	// a finer coarsest quantiser at a lower frame rate.
	QualitySharp
	qualityEnd
)

var qualityNames = [...]string{"unknown", "auto", "speed", "sharp"}

func (q Quality) String() string {
	if q >= qualityEnd {
		return "unknown"
	}
	return qualityNames[q]
}

// Valid reports whether q is one of the known preferences.
func (q Quality) Valid() bool { return q > QualityUnknown && q < qualityEnd }
