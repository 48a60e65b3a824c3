package desk_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/store"
)

// recorder is a Publisher that remembers the order of sequence numbers.
type recorder struct {
	mu   sync.Mutex
	seqs []int64
}

func (r *recorder) Publish(evs ...*desk.Event) {
	// Fan-out takes time; concurrent publishers would finish in any order.
	time.Sleep(200 * time.Microsecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		r.seqs = append(r.seqs, e.Seq)
	}
}

// TestEventsPublishedInCommitOrder: with many concurrent writers, events
// reach the publisher in strictly increasing sequence order, none missing.
// Clients drop an event whose seq is not above the last they saw, so any
// reordering here is a lost event there.
func TestEventsPublishedInCommitOrder(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := &recorder{}
	svc, err := desk.NewService(desk.ServiceConfig{Store: db, Hasher: plainHasher{}, Publisher: rec})
	if err != nil {
		t.Fatal(err)
	}
	sys := desk.Actor{Kind: desk.ActorSystem}
	ch := &desk.Channel{Name: "Desk", AcceptsSOS: true}
	if err := svc.CreateChannel(ctx, sys, ch); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 15
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := svc.SubmitSOS(ctx, ch.ID, fmt.Sprintf("user %d-%d", w, i), "help", desk.DeviceInfo{}, "127.0.0.1"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.seqs) != 1+writers*each {
		t.Fatalf("published %d events, want %d", len(rec.seqs), 1+writers*each)
	}
	for i := 1; i < len(rec.seqs); i++ {
		if rec.seqs[i] != rec.seqs[i-1]+1 {
			t.Fatalf("event %d published after %d", rec.seqs[i], rec.seqs[i-1])
		}
	}
}
