package store

import (
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestChannelRoundTrip(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	mustView(t, db, func(tx desk.Tx) error {
		for _, want := range []*desk.Channel{f.channel, f.channel2} {
			got, err := tx.Channel(want.ID)
			if err != nil {
				return err
			}
			wantEqual(t, "Channel", got, want)
		}
		list, err := tx.ListChannels()
		if err != nil {
			return err
		}
		wantEqual(t, "ListChannels", list, []*desk.Channel{f.channel2, f.channel})
		return nil
	})
	// An empty file type list (nothing allowed) stays distinct from nil.
	if f.channel2.FileTypes == nil {
		t.Fatal("fixture lost its empty FileTypes")
	}

	upd := *f.channel
	upd.Name, upd.Description = "Zeta", "all of zeta"
	upd.GroupIDs, upd.TechnicianIDs, upd.ManagerIDs = nil, []int64{f.tech.ID, f.tech2.ID}, []int64{f.tech2.ID, f.owner.ID}
	upd.Expiration, upd.SLAResponse, upd.FirstLineLimit = 48*time.Hour, 3*time.Minute, time.Hour
	upd.AcceptsSOS, upd.FileTypes, upd.MaxFileSize = false, nil, 5
	mustUpdate(t, db, func(tx desk.Tx) error { return tx.UpdateChannel(&upd) })
	mustView(t, db, func(tx desk.Tx) error {
		got, err := tx.Channel(upd.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "updated channel", got, &upd)
		return nil
	})
}

func TestChannelErrors(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	for _, tc := range []struct {
		name string
		fn   func(desk.Tx) error
		code string
		msg  string
	}{
		{"duplicate name", func(tx desk.Tx) error { return tx.CreateChannel(&desk.Channel{Name: "ZETA SUPPORT"}) }, desk.ECONFLICT, `a channel named "ZETA SUPPORT" already exists`},
		{"missing technician", func(tx desk.Tx) error {
			return tx.CreateChannel(&desk.Channel{Name: "n", TechnicianIDs: []int64{777}})
		}, desk.EINVALID, "account 777 does not exist"},
		{"missing group on update", func(tx desk.Tx) error {
			c := *f.channel
			c.GroupIDs = []int64{f.group.ID, 555}
			return tx.UpdateChannel(&c)
		}, desk.EINVALID, "group 555 does not exist"},
		{"missing", func(tx desk.Tx) error { _, err := tx.Channel(999); return err }, desk.ENOTFOUND, "channel 999 not found"},
		{"update missing", func(tx desk.Tx) error { return tx.UpdateChannel(&desk.Channel{ID: 999, Name: "x"}) }, desk.ENOTFOUND, "channel 999 not found"},
		{"delete missing", func(tx desk.Tx) error { return tx.DeleteChannel(999) }, desk.ENOTFOUND, "channel 999 not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.Update(t.Context(), tc.fn)
			wantCode(t, err, tc.code)
			if got := desk.ErrorMessage(err); got != tc.msg {
				t.Errorf("message = %q, want %q", got, tc.msg)
			}
		})
	}
}

func TestDeleteChannel(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	open := &desk.Session{ChannelID: f.channel.ID, Kind: desk.KindSOS, State: desk.Queued}
	closed := &desk.Session{ChannelID: f.channel.ID, Kind: desk.KindSOS, State: desk.Closed, AssigneeID: f.tech.ID}
	mustUpdate(t, db, func(tx desk.Tx) error {
		if err := tx.CreateSession(open); err != nil {
			return err
		}
		if err := tx.CreateSession(closed); err != nil {
			return err
		}
		return tx.CreateRating(&desk.Rating{SessionID: closed.ID, ChannelID: f.channel.ID, AssigneeID: f.tech.ID, Stars: 4})
	})
	wantCode(t, db.Update(t.Context(), func(tx desk.Tx) error { return tx.DeleteChannel(f.channel.ID) }), desk.ECONFLICT)

	open.State = desk.Closed
	mustUpdate(t, db, func(tx desk.Tx) error {
		if err := tx.UpdateSession(open); err != nil {
			return err
		}
		return tx.DeleteChannel(f.channel.ID)
	})
	mustView(t, db, func(tx desk.Tx) error {
		_, err := tx.Channel(f.channel.ID)
		wantCode(t, err, desk.ENOTFOUND)
		// History stays, without the channel.
		s, err := tx.Session(closed.ID)
		if err != nil {
			return err
		}
		r, err := tx.Rating(closed.ID)
		if err != nil {
			return err
		}
		if s.ChannelID != 0 || r.ChannelID != 0 {
			t.Errorf("after delete: session channel %d, rating channel %d; want 0", s.ChannelID, r.ChannelID)
		}
		return nil
	})
}
