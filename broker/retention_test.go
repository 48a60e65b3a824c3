package main

import (
	"testing"
	"time"
)

func TestEventRetentionFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want time.Duration // with ok
		ok   bool
	}{
		{args: nil, want: 30 * 24 * time.Hour, ok: true},
		{args: []string{"--event-retention", "168h"}, want: 168 * time.Hour, ok: true},
		{args: []string{"--event-retention", "0"}, want: 0, ok: true},
		{env: "48h", want: 48 * time.Hour, ok: true},
		{args: []string{"--event-retention", "12h"}}, // shorter than a token lives
		{args: []string{"--event-retention", "-24h"}},
		{args: []string{"--event-retention", "a month"}},
	} {
		t.Setenv("TETHER_EVENT_RETENTION", tc.env)
		m := &Main{}
		err := m.ParseFlags(append([]string{"--insecure-http", "--data", t.TempDir()}, tc.args...))
		switch {
		case !tc.ok && err == nil:
			t.Errorf("%v: accepted (%v), want a usage error", tc.args, m.EventRetention)
		case tc.ok && err != nil:
			t.Errorf("%v (env %q): %v", tc.args, tc.env, err)
		case tc.ok && m.EventRetention != tc.want:
			t.Errorf("%v (env %q): retention %v, want %v", tc.args, tc.env, m.EventRetention, tc.want)
		}
	}
	if retentionConfig(0) >= 0 || retentionConfig(time.Hour) != time.Hour {
		t.Error("0 must map to the server's keep-forever (negative) value")
	}
}
