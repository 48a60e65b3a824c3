package desk

// Availability is a technician's presence. Only Available technicians are
// routed new requests and notified.
type Availability int

const (
	AvailabilityUnknown Availability = iota
	Available
	Busy
	Away
)

var availabilityNames = map[Availability]string{Available: "available", Busy: "busy", Away: "away"}

func (a Availability) String() string {
	if s, ok := availabilityNames[a]; ok {
		return s
	}
	return "unknown"
}

// ParseAvailability parses "available", "busy" or "away".
func ParseAvailability(s string) (Availability, error) {
	for a, n := range availabilityNames {
		if n == s {
			return a, nil
		}
	}
	return AvailabilityUnknown, Errorf(EINVALID, "unknown availability %q (want available, busy or away)", s)
}
