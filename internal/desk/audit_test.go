package desk

import (
	"testing"
	"time"
)

func chain(n int) []*AuditRecord {
	var out []*AuditRecord
	prev := ""
	for i := 1; i <= n; i++ {
		r := &AuditRecord{Seq: int64(i), At: t0.Add(time.Duration(i) * time.Second), ActorKind: ActorTechnician, ActorID: 3, ActorName: "Ana", Action: "take", SessionID: 7, Detail: "d"}
		r.Chain(prev)
		prev = r.Hash
		out = append(out, r)
	}
	return out
}

func verify(records []*AuditRecord) error {
	var v AuditVerifier
	for _, r := range records {
		if err := v.Check(r); err != nil {
			return err
		}
	}
	return nil
}

func TestAuditChainDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]*AuditRecord) []*AuditRecord
		ok     bool
	}{
		{"intact", func(r []*AuditRecord) []*AuditRecord { return r }, true},
		{"detail changed", func(r []*AuditRecord) []*AuditRecord { r[2].Detail = "x"; return r }, false},
		{"actor changed", func(r []*AuditRecord) []*AuditRecord { r[1].ActorID = 4; return r }, false},
		{"time changed", func(r []*AuditRecord) []*AuditRecord { r[3].At = r[3].At.Add(time.Nanosecond); return r }, false},
		{"record removed", func(r []*AuditRecord) []*AuditRecord { return append(r[:2], r[3:]...) }, false},
		{"records swapped", func(r []*AuditRecord) []*AuditRecord { r[1], r[2] = r[2], r[1]; return r }, false},
		{"rehashed without chain", func(r []*AuditRecord) []*AuditRecord { r[2].Detail = "x"; r[2].Hash = AuditHash(r[2]); return r }, false},
		{"last record removed", func(r []*AuditRecord) []*AuditRecord { return r[:4] }, true}, // truncation: detected by comparing the last hash
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verify(tt.tamper(chain(5)))
			if (err == nil) != tt.ok {
				t.Fatalf("verify err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestSecretsAndCodes(t *testing.T) {
	if a, b := NewSecret(), NewSecret(); a == b || len(a) < 43 {
		t.Fatalf("secrets %q %q: want distinct, 256 bits", a, b)
	}
	seen := map[string]bool{}
	for range 200 {
		c := NewCode()
		if _, err := NormalizeCode(c); err != nil {
			t.Fatalf("NewCode %q: %v", c, err)
		}
		seen[c] = true
	}
	if len(seen) < 199 {
		t.Fatalf("only %d distinct codes of 200", len(seen))
	}
	for in, want := range map[string]string{"123 456 789": "123456789", "123-456-789": "123456789", "12345678": "", "12345678a": "", "1234567890": ""} {
		got, err := NormalizeCode(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestSafeFileName(t *testing.T) {
	tests := map[string]string{
		"report.pdf":            "report.pdf",
		"../../etc/passwd":      "passwd",
		"/abs/path/x.txt":       "x.txt",
		`C:\Users\a\evil.txt`:   "evil.txt",
		"nul\x00byte.txt":       "nul_byte.txt",
		"CON.txt":               "_CON.txt",
		"..":                    "file",
		"":                      "file",
		"a<b>c:d|e?f*.log":      "a_b_c_d_e_f_.log",
		" trailing dots . . . ": "trailing dots",
	}
	for in, want := range tests {
		if got := SafeFileName(in); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChannelAllowsFile(t *testing.T) {
	ch := &Channel{Name: "Design"}
	if err := ch.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		size int64
		code string
	}{
		{"shot.PNG", 10, ""},
		{"notes.txt", DefaultMaxFileSize, ""},
		{"big.zip", DefaultMaxFileSize + 1, ETOOLARGE},
		{"virus.exe", 10, EINVALID},
		{"noext", 10, EINVALID},
	} {
		if got := ErrorCode(ch.AllowsFile(tt.name, tt.size)); got != tt.code {
			t.Errorf("AllowsFile(%q, %d) = %q, want %q", tt.name, tt.size, got, tt.code)
		}
	}
}

func TestBuildReport(t *testing.T) {
	ch := &Channel{ID: 1, Name: "Design", SLAResponse: 5 * time.Minute}
	now := t0.Add(time.Hour)
	mk := func(id int64, wait time.Duration, closedAfter time.Duration, assignee int64) *Session {
		s := &Session{ID: id, ChannelID: 1, State: Closed, AssigneeID: assignee, CreatedAt: t0, AgentJoinedAt: t0, FirstResponseAt: t0.Add(wait)}
		s.ClosedAt = t0.Add(closedAfter)
		return s
	}
	sessions := []*Session{mk(1, time.Minute, 10*time.Minute, 5), mk(2, 3*time.Minute, 20*time.Minute, 5), mk(3, 10*time.Minute, 30*time.Minute, 6),
		{ID: 4, ChannelID: 1, State: Queued, CreatedAt: t0, AgentJoinedAt: now.Add(-2 * time.Minute)}}
	ratings := []*Rating{{SessionID: 1, Stars: 5, At: t0}, {SessionID: 3, Stars: 2, Flagged: true, At: t0}}
	rep := BuildReport(t0, now, now, sessions, ratings, map[int64]*Channel{1: ch}, map[int64]*Account{5: {ID: 5, Name: "Ana"}, 6: {ID: 6, Name: "Bo"}})
	tot := rep.Total
	if tot.Sessions != 4 || tot.Closed != 3 || tot.SLABreaches != 1 || tot.Ratings != 2 || tot.AvgRating != 3.5 || tot.Flagged != 1 {
		t.Errorf("total = %+v", tot)
	}
	if tot.FirstResponse != 3*time.Minute || tot.MedianWait != (2*time.Minute+3*time.Minute)/2 || tot.Resolution != 20*time.Minute {
		t.Errorf("medians: first response %v wait %v resolution %v", tot.FirstResponse, tot.MedianWait, tot.Resolution)
	}
	if len(rep.Technicians) != 2 || rep.Technicians[0].Technician != "Ana" || rep.Technicians[0].Sessions != 2 {
		t.Errorf("technicians = %+v", rep.Technicians)
	}
	if len(rep.Flagged) != 1 || rep.Flagged[0].SessionID != 3 {
		t.Errorf("flagged = %+v", rep.Flagged)
	}
	q := BuildQueue(now, []*Channel{ch}, sessions, []*Account{{ID: 5, GroupIDs: nil, Availability: Available}})
	if q[0].Waiting != 1 || q[0].LongestWait != 2*time.Minute {
		t.Errorf("queue = %+v", q)
	}
}
