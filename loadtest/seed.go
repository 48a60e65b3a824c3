package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// seedVersion changes whenever the seed's shape changes; older caches are
// rebuilt.
const seedVersion = 1

// seed is the accounts, groups and channels the load runs against, with
// the technicians' tokens. Technician i belongs to group i%len(Groups);
// channel g is routed to group g and takes SOS Calls.
type seed struct {
	Version    int         `json:"version"`
	Created    time.Time   `json:"created"`
	OwnerEmail string      `json:"owner_email"`
	OwnerPass  string      `json:"owner_password"`
	Groups     []int64     `json:"groups"`
	Channels   []int64     `json:"channels"`
	Techs      []seedTech  `json:"technicians"`
	Timing     seedTimings `json:"timing"`
}

type seedTech struct {
	ID       int64     `json:"id"`
	Email    string    `json:"email"`
	Password string    `json:"password"`
	Group    int       `json:"group"`
	Token    string    `json:"token"`
	Expires  time.Time `json:"token_expires"`
}

type seedTimings struct {
	Accounts time.Duration `json:"accounts"` // owner, groups, channels, technicians
	Logins   time.Duration `json:"logins"`
}

// hashConcurrency bounds concurrent account creations and logins: each
// costs the broker one argon2id hash (64 MiB, ~0.25 s of both cores).
const hashConcurrency = 2

func newPassword() string { return "lt-" + rand.Text() }

// seedCacheDir names the cached seed of a technician and group count.
func seedCacheDir(root string, techs, groups int) string {
	return filepath.Join(root, fmt.Sprintf("v%d-t%d-g%d", seedVersion, techs, groups))
}

// loadSeed reads a cached seed; it is usable when its tokens stay valid
// for at least `need`.
func loadSeed(dir string, techs, groups int, need time.Duration) (*seed, bool) {
	raw, err := os.ReadFile(filepath.Join(dir, "seed.json"))
	if err != nil {
		return nil, false
	}
	var s seed
	if json.Unmarshal(raw, &s) != nil || s.Version != seedVersion || len(s.Techs) != techs || len(s.Groups) != groups {
		return nil, false
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "tether.db")); err != nil {
		return nil, false
	}
	return &s, s.tokensValid(need)
}

func (s *seed) tokensValid(need time.Duration) bool {
	for _, t := range s.Techs {
		if t.Token == "" || time.Until(t.Expires) < need {
			return false
		}
	}
	return true
}

func writeSeed(dir string, s *seed) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "seed.json.tmp")
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "seed.json"))
}

// prepareSeed returns a seed whose tokens last for `need`, building or
// refreshing the cache in dir when necessary: a broker is started on the
// cache's own data directory for that and stopped again. built tells
// whether any hashing work was done.
func prepareSeed(ctx context.Context, cfg *config, dir string, need time.Duration, logf func(string, ...any)) (s *seed, built bool, err error) {
	s, ok := loadSeed(dir, cfg.Technicians, cfg.Groups, need)
	if ok {
		return s, false, nil
	}
	data := filepath.Join(dir, "data")
	if s == nil {
		logf("building the seed in %s: owner, %d groups and channels, %d technicians (one argon2id hash each; cached for later runs)", dir, cfg.Groups, cfg.Technicians)
		if err := os.RemoveAll(dir); err != nil {
			return nil, false, err
		}
		if err := os.MkdirAll(data, 0o700); err != nil {
			return nil, false, err
		}
		s = &seed{Version: seedVersion, Created: time.Now().UTC(), OwnerEmail: "owner@loadtest.example", OwnerPass: newPassword()}
		cmd := exec.CommandContext(ctx, cfg.BrokerBin, "owner", "create", "--data", data, "--email", s.OwnerEmail, "--name", "Load Owner", "--password-stdin")
		cmd.Stdin = strings.NewReader(s.OwnerPass + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, false, fmt.Errorf("owner create: %v: %s", err, out)
		}
	} else {
		logf("refreshing the %d technicians' tokens in %s (they expire within %s)", len(s.Techs), dir, need.Round(time.Minute))
	}
	b, err := startBroker(ctx, cfg.BrokerBin, data, filepath.Join(dir, "broker.log"))
	if err != nil {
		return nil, false, err
	}
	defer func() {
		if serr := b.stop(); err == nil && serr != nil {
			err = fmt.Errorf("seed broker: %w", serr)
		}
	}()
	pool := newIPPool(cfg.SourceIPs)
	if len(s.Techs) == 0 {
		start := time.Now()
		owner, err := apiclient.New(b.url, apiclient.Options{HTTPClient: pool.client(0)})
		if err != nil {
			return nil, false, err
		}
		if _, err := owner.Login(ctx, s.OwnerEmail, s.OwnerPass); err != nil {
			return nil, false, fmt.Errorf("owner login: %w", err)
		}
		if err := createAccounts(ctx, owner, s, cfg.Technicians, cfg.Groups, "lt", logf); err != nil {
			return nil, false, err
		}
		s.Timing.Accounts = time.Since(start)
	}
	start := time.Now()
	if err := loginAll(ctx, b.url, pool, s, logf); err != nil {
		return nil, false, err
	}
	s.Timing.Logins = time.Since(start)
	if err := writeSeed(dir, s); err != nil {
		return nil, false, err
	}
	return s, true, nil
}

// createAccounts creates the groups, their channels and the technicians
// through the API as the owner; names start with prefix.
func createAccounts(ctx context.Context, owner *apiclient.Client, s *seed, techs, groups int, prefix string, logf func(string, ...any)) error {
	s.Groups, s.Channels, s.Techs = nil, nil, make([]seedTech, techs)
	for g := range groups {
		grp, err := owner.CreateGroup(ctx, fmt.Sprintf("%s group %02d", prefix, g), "load test")
		if err != nil {
			return fmt.Errorf("create group: %w", err)
		}
		ch, err := owner.CreateChannel(ctx, api.ChannelRequest{Name: fmt.Sprintf("%s channel %02d", prefix, g), GroupIDs: []int64{grp.ID}, AcceptsSOS: true})
		if err != nil {
			return fmt.Errorf("create channel: %w", err)
		}
		s.Groups, s.Channels = append(s.Groups, grp.ID), append(s.Channels, ch.ID)
	}
	return parallel(ctx, techs, hashConcurrency, func(i int) error {
		t := seedTech{Email: fmt.Sprintf("%s-tech%04d@loadtest.example", prefix, i), Password: newPassword(), Group: i % groups}
		// see_others: every technician routed to a channel receives all of
		// its session events, assigned or not, so fan-out is the group size.
		a, err := owner.CreateTechnician(ctx, api.CreateTechnicianRequest{
			Email: t.Email, Name: fmt.Sprintf("Tech %04d", i), Role: "technician", Password: t.Password,
			GroupIDs: []int64{s.Groups[t.Group]}, Grant: []string{"see_others"},
		})
		if err != nil {
			return fmt.Errorf("create technician %d: %w", i, err)
		}
		t.ID = a.ID
		s.Techs[i] = t
		if (i+1)%100 == 0 {
			logf("  %d technicians created", i+1)
		}
		return nil
	})
}

// loginAll logs every technician in and stores the tokens.
func loginAll(ctx context.Context, url string, pool *ipPool, s *seed, logf func(string, ...any)) error {
	return parallel(ctx, len(s.Techs), hashConcurrency, func(i int) error {
		c, err := apiclient.New(url, apiclient.Options{HTTPClient: pool.client(i)})
		if err != nil {
			return err
		}
		resp, err := c.Login(ctx, s.Techs[i].Email, s.Techs[i].Password)
		if err != nil {
			return fmt.Errorf("login %s: %w", s.Techs[i].Email, err)
		}
		s.Techs[i].Token, s.Techs[i].Expires = resp.Token, resp.ExpiresAt
		if (i+1)%100 == 0 {
			logf("  %d technicians logged in", i+1)
		}
		return nil
	})
}

// copyTree copies the regular files below src into dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// parallel runs fn(0..n-1) on at most workers goroutines and returns the
// first error; the others stop early.
func parallel(parent context.Context, n, workers int, fn func(i int) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	next := make(chan int)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil && parent.Err() != nil {
		first = parent.Err()
	}
	return first
}
