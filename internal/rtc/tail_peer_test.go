package rtc

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// TestTailLossRecovered: the last frame before the sender goes quiet is
// lost entirely. No later packet reveals a gap, so only the RTCP sender
// reports can tell the viewer; it must ask for a keyframe.
func TestTailLossRecovered(t *testing.T) {
	var dropping atomic.Bool
	var asked atomic.Int64 // keyframe requests reaching the host's owner
	p := newPair(t, func(c *HostConfig) {
		c.wireInterceptors = append(c.wireInterceptors, dropFactory{drop: func(*rtp.Header) bool { return dropping.Load() }})
		c.OnKeyframeRequest = func() { asked.Add(1) }
	})
	id := streamUntil(t, p.host, 0, 10*time.Millisecond, 5*time.Second, func() bool { return p.viewer.Stats().Frames >= 3 })
	keysBefore := asked.Load()
	plisBefore := p.viewer.Stats().PLIs

	dropping.Store(true)
	if err := p.host.SendPicture(testPicture(id), time.Duration(id)*10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	dropping.Store(false) // the network is back, but the sender has nothing new to send

	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) {
		if asked.Load() > keysBefore {
			t.Logf("keyframe requested %d PLI(s) after the lost tail", p.viewer.Stats().PLIs-plisBefore)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no keyframe requested within 4 s of a lost tail (viewer PLIs %d → %d)", plisBefore, p.viewer.Stats().PLIs)
}
