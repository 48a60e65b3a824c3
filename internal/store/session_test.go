package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

func fullSession(f *fixture) *desk.Session {
	return &desk.Session{
		ChannelID: f.channel.ID, Kind: desk.KindLink, State: desk.Active,
		EndUserName: "Erin End", Problem: "printer\nis on fire",
		Device: desk.DeviceInfo{OS: "windows", OSVersion: "11 23H2", Hostname: "ERIN-PC", User: "erin",
			Screens:  []desk.Screen{{Width: 2560, Height: 1440, Primary: true}, {Width: 1920, Height: 1080}},
			LocalIPs: []string{"10.0.0.5", "fe80::1"}, PublicIP: "203.0.113.7"},
		CreatedBy: f.tech.ID, AssigneeID: f.tech.ID, Collaborators: []int64{f.tech2.ID, f.owner.ID},
		CreatedAt: ts(10), AgentJoinedAt: ts(11), TakenAt: ts(12), FirstResponseAt: ts(13), ConnectedAt: ts(14),
		ClosedAt: ts(15), DeletedAt: time.Time{}, ExpiresAt: ts(16),
		LinkHash: desk.HashSecret("link"), CodeHash: desk.HashSecret("123456789"),
	}
}

func TestSessionRoundTrip(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	s := fullSession(f)
	// A zone other than UTC and a monotonic reading read back as UTC.
	s.TakenAt = ts(12).In(time.FixedZone("CET", 3600))
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.CreateSession(s) })
	if s.ID == 0 {
		t.Fatal("CreateSession did not set ID")
	}
	if s.TakenAt.Location() != time.UTC {
		t.Error("CreateSession did not normalise times to UTC")
	}
	minimal := &desk.Session{Kind: desk.KindCode, State: desk.Waiting, CodeHash: desk.HashSecret("987654321")}
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.CreateSession(minimal) })

	mustView(t, db, func(tx desk.Tx) error {
		for _, get := range []func() (*desk.Session, error){
			func() (*desk.Session, error) { return tx.Session(s.ID) },
			func() (*desk.Session, error) { return tx.SessionByLinkHash(s.LinkHash) },
			func() (*desk.Session, error) { return tx.SessionByCodeHash(s.CodeHash) },
		} {
			got, err := get()
			if err != nil {
				return err
			}
			wantEqual(t, "session", got, s)
		}
		got, err := tx.Session(minimal.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "minimal session", got, minimal)
		return nil
	})

	upd := *s
	upd.ChannelID, upd.Kind, upd.State = f.channel2.ID, desk.KindSOS, desk.Closed
	upd.EndUserName, upd.Problem = "Erin", "fixed"
	upd.Device = desk.DeviceInfo{OS: "linux"}
	upd.CreatedBy, upd.AssigneeID, upd.Collaborators = 0, f.tech2.ID, nil
	upd.AgentJoinedAt, upd.TakenAt, upd.FirstResponseAt, upd.ConnectedAt = ts(20), ts(21), ts(22), ts(23)
	upd.ClosedAt, upd.DeletedAt, upd.ExpiresAt = ts(24), ts(25), time.Time{}
	upd.LinkHash, upd.CodeHash = "", ""
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.UpdateSession(&upd) })
	mustView(t, db, func(tx desk.Tx) error {
		got, err := tx.Session(s.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "updated session", got, &upd)
		_, err = tx.SessionByCodeHash(s.CodeHash)
		wantCode(t, err, desk.ENOTFOUND)
		return nil
	})
}

func TestSessionErrors(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	s := fullSession(f)
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.CreateSession(s) })
	for _, tc := range []struct {
		name string
		fn   func(desk.Tx) error
		code string
		msg  string
	}{
		{"missing", func(tx desk.Tx) error { _, err := tx.Session(42); return err }, desk.ENOTFOUND, "session 42 not found"},
		{"missing link", func(tx desk.Tx) error { _, err := tx.SessionByLinkHash("nope"); return err }, desk.ENOTFOUND, "support link not found"},
		{"empty link", func(tx desk.Tx) error { _, err := tx.SessionByLinkHash(""); return err }, desk.ENOTFOUND, "support link not found"},
		{"missing code", func(tx desk.Tx) error { _, err := tx.SessionByCodeHash("nope"); return err }, desk.ENOTFOUND, "session code not found"},
		{"update missing", func(tx desk.Tx) error { return tx.UpdateSession(&desk.Session{ID: 42}) }, desk.ENOTFOUND, "session 42 not found"},
		{"code in use", func(tx desk.Tx) error {
			return tx.CreateSession(&desk.Session{Kind: desk.KindCode, State: desk.Waiting, CodeHash: s.CodeHash})
		}, desk.ECONFLICT, "that session code is already in use"},
		{"link in use", func(tx desk.Tx) error {
			return tx.CreateSession(&desk.Session{Kind: desk.KindLink, State: desk.Waiting, LinkHash: s.LinkHash})
		}, desk.ECONFLICT, "that support link is already in use"},
		{"missing channel", func(tx desk.Tx) error {
			return tx.CreateSession(&desk.Session{ChannelID: 99, Kind: desk.KindSOS, State: desk.Queued})
		}, desk.EINVALID, "channel 99 does not exist"},
		{"missing assignee", func(tx desk.Tx) error {
			u := *s
			u.AssigneeID = 98
			return tx.UpdateSession(&u)
		}, desk.EINVALID, "account 98 does not exist"},
		{"missing collaborator", func(tx desk.Tx) error {
			u := *s
			u.Collaborators = []int64{97}
			return tx.UpdateSession(&u)
		}, desk.EINVALID, "account 97 does not exist"},
		{"bad sort", func(tx desk.Tx) error {
			_, err := tx.ListSessions(desk.SessionFilter{Sort: "id; DROP TABLE sessions"})
			return err
		}, desk.EINVALID, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.Update(t.Context(), tc.fn)
			wantCode(t, err, tc.code)
			if got := desk.ErrorMessage(err); tc.msg != "" && got != tc.msg {
				t.Errorf("message = %q, want %q", got, tc.msg)
			}
		})
	}
}

func TestListSessions(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	type row struct {
		name     string
		channel  int64
		state    desk.State
		assignee int64
		collab   []int64
		created  int
		expires  int
		deleted  bool
	}
	rows := []row{
		{"dora", f.channel.ID, desk.Waiting, 0, nil, 1, 30, false},
		{"Carl", f.channel2.ID, desk.Active, f.tech.ID, []int64{f.tech2.ID}, 2, 0, false},
		{"bea", f.channel.ID, desk.Queued, 0, nil, 3, 10, false},
		{"Abe", f.channel2.ID, desk.Closed, f.tech2.ID, nil, 4, 0, false},
		{"eve", 0, desk.Waiting, 0, nil, 5, 5, false},
		{"gone", f.channel.ID, desk.Closed, f.tech.ID, nil, 6, 0, true},
		{"fay", f.channel.ID, desk.Active, f.owner.ID, []int64{f.tech.ID}, 7, 20, false},
	}
	ids := map[string]int64{}
	mustUpdate(t, db, func(tx desk.Tx) error {
		for _, r := range rows {
			s := &desk.Session{ChannelID: r.channel, Kind: desk.KindSOS, State: r.state, EndUserName: r.name,
				AssigneeID: r.assignee, Collaborators: r.collab, CreatedAt: ts(r.created)}
			if r.expires != 0 {
				s.ExpiresAt = ts(r.expires)
			}
			if r.deleted {
				s.DeletedAt = ts(100)
			}
			if err := tx.CreateSession(s); err != nil {
				return err
			}
			ids[r.name] = s.ID
		}
		return nil
	})
	for _, tc := range []struct {
		name string
		f    desk.SessionFilter
		want []string
	}{
		{"all but deleted, by id", desk.SessionFilter{}, []string{"dora", "Carl", "bea", "Abe", "eve", "fay"}},
		{"ids", desk.SessionFilter{IDs: []int64{ids["bea"], ids["gone"], ids["dora"]}}, []string{"dora", "bea"}},
		{"channels", desk.SessionFilter{ChannelIDs: []int64{f.channel2.ID}}, []string{"Carl", "Abe"}},
		{"states", desk.SessionFilter{States: []desk.State{desk.Waiting, desk.Queued}}, []string{"dora", "bea", "eve"}},
		{"assignee", desk.SessionFilter{AssigneeID: f.tech.ID}, []string{"Carl"}},
		{"participant", desk.SessionFilter{Participant: f.tech.ID}, []string{"Carl", "fay"}},
		{"participant collaborator", desk.SessionFilter{Participant: f.tech2.ID}, []string{"Carl", "Abe"}},
		// fay expires at 20 but is Active: not expiring.
		{"expires before", desk.SessionFilter{ExpiresBefore: ts(30)}, []string{"bea", "eve"}},
		{"created from (inclusive)", desk.SessionFilter{CreatedFrom: ts(5)}, []string{"eve", "fay"}},
		{"created to (exclusive)", desk.SessionFilter{CreatedTo: ts(3)}, []string{"dora", "Carl"}},
		{"combined", desk.SessionFilter{ChannelIDs: []int64{f.channel.ID}, States: []desk.State{desk.Active, desk.Queued}, CreatedFrom: ts(2)}, []string{"bea", "fay"}},
		{"limit", desk.SessionFilter{Limit: 2}, []string{"dora", "Carl"}},
		{"sort created_at desc", desk.SessionFilter{Sort: "-created_at"}, []string{"fay", "eve", "Abe", "bea", "Carl", "dora"}},
		{"sort state", desk.SessionFilter{Sort: "state"}, []string{"dora", "eve", "Carl", "fay", "bea", "Abe"}},
		{"sort end_user_name, any case", desk.SessionFilter{Sort: "end_user_name"}, []string{"Abe", "bea", "Carl", "dora", "eve", "fay"}},
		{"sort end_user_name desc", desk.SessionFilter{Sort: "-end_user_name", Limit: 3}, []string{"fay", "eve", "dora"}},
		// No channel first, then "alpha support", then "Zeta support".
		{"sort channel", desk.SessionFilter{Sort: "channel"}, []string{"eve", "Carl", "Abe", "dora", "bea", "fay"}},
		// Unassigned first, then alice Tech, Bob Tech, Olga Owner.
		{"sort assignee", desk.SessionFilter{Sort: "assignee"}, []string{"dora", "bea", "eve", "Abe", "Carl", "fay"}},
		{"sort -assignee", desk.SessionFilter{Sort: "-assignee"}, []string{"fay", "Carl", "Abe", "eve", "bea", "dora"}},
		// Longest wait (oldest) first.
		{"sort wait", desk.SessionFilter{States: []desk.State{desk.Waiting, desk.Queued}, Sort: "wait"}, []string{"dora", "bea", "eve"}},
		{"sort -wait", desk.SessionFilter{States: []desk.State{desk.Waiting, desk.Queued}, Sort: "-wait"}, []string{"eve", "bea", "dora"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustView(t, db, func(tx desk.Tx) error {
				list, err := tx.ListSessions(tc.f)
				if err != nil {
					return err
				}
				var got []string
				for _, s := range list {
					got = append(got, s.EndUserName)
				}
				wantEqual(t, fmt.Sprintf("ListSessions(%+v)", tc.f), got, tc.want)
				return nil
			})
		})
	}
	// Every documented sort is accepted in both directions.
	mustView(t, db, func(tx desk.Tx) error {
		for _, s := range desk.SessionSorts {
			for _, p := range []string{"", "-"} {
				if _, err := tx.ListSessions(desk.SessionFilter{Sort: p + s}); err != nil {
					t.Errorf("sort %q: %v", p+s, err)
				}
			}
		}
		return nil
	})
	// Listed sessions carry their collaborators.
	mustView(t, db, func(tx desk.Tx) error {
		list, err := tx.ListSessions(desk.SessionFilter{IDs: []int64{ids["Carl"]}})
		if err != nil {
			return err
		}
		wantEqual(t, "collaborators", list[0].Collaborators, []int64{f.tech2.ID})
		return nil
	})
}

func TestListSessionsLimits(t *testing.T) {
	db := openTest(t)
	const n = DefaultSessionLimit + 5
	mustUpdate(t, db, func(tx desk.Tx) error {
		for range n {
			if err := tx.CreateSession(&desk.Session{Kind: desk.KindCode, State: desk.Waiting}); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, db, func(tx desk.Tx) error {
		for _, tc := range []struct{ limit, want int }{{0, DefaultSessionLimit}, {-1, DefaultSessionLimit}, {3, 3}, {1 << 30, n}} {
			list, err := tx.ListSessions(desk.SessionFilter{Limit: tc.limit})
			if err != nil {
				return err
			}
			if len(list) != tc.want {
				t.Errorf("Limit %d: %d sessions, want %d", tc.limit, len(list), tc.want)
			}
		}
		return nil
	})
}
