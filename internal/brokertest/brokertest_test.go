package brokertest

import (
	"context"
	"testing"
	"time"
)

func TestStartLoginCreate(t *testing.T) {
	b := Start(t, Options{})
	owner, me := b.Login(t, OwnerEmail)
	if me.Role != "owner" {
		t.Fatalf("owner logged in as %+v", me)
	}
	tech := CreateTech(t, owner, "tess@example.com", "technician")
	if _, acct := b.Login(t, "tess@example.com"); acct.ID != tech.ID {
		t.Fatalf("technician %d logged in as %d", tech.ID, acct.ID)
	}
	before := b.Service.Now()
	b.Clock.Advance(time.Hour)
	if got := b.Service.Now().Sub(before); got != time.Hour {
		t.Fatalf("clock moved %v", got)
	}
	if _, err := owner.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
}
