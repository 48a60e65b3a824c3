package media

import (
	"image"
	"testing"
)

func TestMailboxKeepsNewest(t *testing.T) {
	pool := make(chan *Picture, 3)
	m := newMailbox()
	pics := make([]*Picture, 3)
	for i := range pics {
		pics[i] = &Picture{Image: image.NewRGBA(image.Rect(0, 0, 2, 2)), pool: pool}
	}
	if m.put(pics[0]) {
		t.Fatal("first put replaced something")
	}
	if !m.put(pics[1]) || !m.put(pics[2]) {
		t.Fatal("put over an unread picture did not report the replacement")
	}
	if got := <-m.ch; got != pics[2] {
		t.Fatal("mailbox did not hold the newest picture")
	}
	if len(pool) != 2 {
		t.Fatalf("%d replaced pictures back in the pool, want 2", len(pool))
	}
	m.put(pics[0])
	m.drain()
	if len(m.ch) != 0 || len(pool) != 3 {
		t.Fatalf("drain left %d in the mailbox, %d in the pool", len(m.ch), len(pool))
	}
	var nilPic *Picture
	nilPic.Release() // must not panic
}
