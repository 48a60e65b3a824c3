package store

import (
	"testing"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestRatings(t *testing.T) {
	db := openTest(t)
	f := newFixture(t, db)
	type spec struct {
		channel, assignee int64
		stars, at         int
	}
	specs := []spec{
		{f.channel.ID, f.tech.ID, 5, 1},
		{f.channel.ID, f.tech2.ID, 1, 2},
		{f.channel2.ID, f.tech.ID, 2, 3},
		{f.channel2.ID, 0, 4, 4},
	}
	var rs []*desk.Rating
	mustUpdate(t, db, func(tx desk.Tx) error {
		for i, sp := range specs {
			s := &desk.Session{ChannelID: sp.channel, Kind: desk.KindSOS, State: desk.Closed, AssigneeID: sp.assignee}
			if err := tx.CreateSession(s); err != nil {
				return err
			}
			r := &desk.Rating{SessionID: s.ID, ChannelID: sp.channel, AssigneeID: sp.assignee, Stars: sp.stars,
				Comment: "comment " + string(rune('a'+i)), Flagged: sp.stars < desk.FlagBelow, At: ts(sp.at)}
			if err := tx.CreateRating(r); err != nil {
				return err
			}
			rs = append(rs, r)
		}
		return nil
	})
	mustView(t, db, func(tx desk.Tx) error {
		for _, want := range rs {
			got, err := tx.Rating(want.SessionID)
			if err != nil {
				return err
			}
			wantEqual(t, "Rating", got, want)
		}
		return nil
	})
	for _, tc := range []struct {
		name string
		f    desk.RatingFilter
		want []*desk.Rating
	}{
		{"all", desk.RatingFilter{}, rs},
		{"channels", desk.RatingFilter{ChannelIDs: []int64{f.channel2.ID}}, rs[2:]},
		{"assignee", desk.RatingFilter{AssigneeID: f.tech.ID}, []*desk.Rating{rs[0], rs[2]}},
		{"flagged", desk.RatingFilter{FlaggedOnly: true}, rs[1:3]},
		{"from to", desk.RatingFilter{From: ts(2), To: ts(4)}, rs[1:3]},
		{"combined", desk.RatingFilter{ChannelIDs: []int64{f.channel.ID}, FlaggedOnly: true}, rs[1:2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustView(t, db, func(tx desk.Tx) error {
				got, err := tx.ListRatings(tc.f)
				if err != nil {
					return err
				}
				wantEqual(t, "ListRatings", got, tc.want)
				return nil
			})
		})
	}
	for _, tc := range []struct {
		name string
		fn   func(desk.Tx) error
		code string
	}{
		{"rated twice", func(tx desk.Tx) error {
			return tx.CreateRating(&desk.Rating{SessionID: rs[0].SessionID, Stars: 3})
		}, desk.ECONFLICT},
		{"missing session", func(tx desk.Tx) error { return tx.CreateRating(&desk.Rating{SessionID: 999, Stars: 3}) }, desk.EINVALID},
		{"stars out of range", func(tx desk.Tx) error {
			s := &desk.Session{Kind: desk.KindSOS, State: desk.Closed}
			if err := tx.CreateSession(s); err != nil {
				return err
			}
			return tx.CreateRating(&desk.Rating{SessionID: s.ID, Stars: 6})
		}, desk.EINVALID},
		{"missing rating", func(tx desk.Tx) error { _, err := tx.Rating(999); return err }, desk.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, db.Update(t.Context(), tc.fn), tc.code) })
	}
}
