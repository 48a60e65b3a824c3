package desk_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/store"
)

type plainHasher struct{}

func (plainHasher) Hash(pw string) (string, error)       { return "plain:" + pw, nil }
func (plainHasher) Verify(hash, pw string) (bool, error) { return hash == "plain:"+pw, nil }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestLinkInfo(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tether.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	svc, err := desk.NewService(desk.ServiceConfig{Store: db, Hasher: plainHasher{}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOwner(ctx, "owner@example.com", "Olga Owner", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.Login(ctx, "owner@example.com", "correct horse battery", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	owner, err := svc.Authenticate(ctx, token, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ch := &desk.Channel{Name: "Design", Expiration: time.Hour}
	if err := svc.CreateChannel(ctx, owner, ch); err != nil {
		t.Fatal(err)
	}
	newLink := func() (*desk.Session, string) {
		t.Helper()
		sess, link, err := svc.CreateLink(ctx, owner, ch.ID, "Aaron", "")
		if err != nil {
			t.Fatal(err)
		}
		return sess, link
	}
	wantCode := func(token, code string) {
		t.Helper()
		if v, err := svc.LinkInfo(ctx, token); desk.ErrorCode(err) != code || v != nil {
			t.Fatalf("LinkInfo = %+v, %v; want code %q", v, err, code)
		}
	}

	sess, link := newLink()
	v, err := svc.LinkInfo(ctx, link)
	if err != nil {
		t.Fatal(err)
	}
	want := desk.LinkView{State: desk.Waiting, ChannelName: "Design", TechnicianName: "Olga Owner", ExpiresAt: clk.Now().Add(time.Hour)}
	if *v != want {
		t.Fatalf("LinkInfo = %+v, want %+v", *v, want)
	}

	for _, bad := range []string{"", "nope", string(make([]byte, 300))} {
		wantCode(bad, desk.ENOTFOUND)
	}

	// Past its expiration the link is gone, and looking did not expire it.
	clk.Add(time.Hour)
	wantCode(link, desk.EGONE)
	if got, err := svc.Session(ctx, owner, sess.ID); err != nil || got.State != desk.Waiting {
		t.Fatalf("after LinkInfo: %+v, %v; want still waiting", got, err)
	}

	sess, link = newLink()
	if _, err := svc.Close(ctx, owner, sess.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(link, desk.EGONE)

	sess, link = newLink()
	if err := svc.Delete(ctx, owner, sess.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(link, desk.ENOTFOUND)
}
