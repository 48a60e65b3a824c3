package rtc

import (
	"sync"
	"time"
)

// meter measures a rate over the last second in quarter-second buckets,
// cheaply enough to call per packet.
type meter struct {
	mu      sync.Mutex // guards the following fields
	buckets [meterBuckets]float64
	// start is the start time of buckets[cur].
	start time.Time
	cur   int
	total float64
}

const (
	meterBuckets = 5 // the current, partial one plus a full second
	meterBucket  = 250 * time.Millisecond
)

func (m *meter) advance(now time.Time) {
	if m.start.IsZero() {
		m.start = now
		return
	}
	for n := 0; now.Sub(m.start) >= meterBucket && n <= meterBuckets; n++ {
		m.cur = (m.cur + 1) % meterBuckets
		m.buckets[m.cur] = 0
		m.start = m.start.Add(meterBucket)
	}
	if now.Sub(m.start) >= meterBucket { // idle for long: restart the grid
		m.start = now
	}
}

func (m *meter) add(now time.Time, v float64) {
	m.mu.Lock()
	m.advance(now)
	m.buckets[m.cur] += v
	m.total += v
	m.mu.Unlock()
}

// rate returns the amount per second over the last full second (the
// previous four buckets) plus the elapsed part of the current one.
func (m *meter) rate(now time.Time) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.advance(now)
	if m.start.IsZero() {
		return 0
	}
	var sum float64
	for _, b := range m.buckets {
		sum += b
	}
	window := time.Duration(meterBuckets-1)*meterBucket + now.Sub(m.start)
	return sum / window.Seconds()
}

func (m *meter) sum() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}
