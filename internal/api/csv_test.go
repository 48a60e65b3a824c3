package api

import (
	"testing"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

func TestAuditCSVRowDefusesFormulas(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""}, {"login", "login"}, {"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"}, {"+1", "'+1"},
		{"-2", "'-2"}, {"@SUM(A1)", "'@SUM(A1)"}, {"\tx", "'\tx"}, {"a=b", "a=b"},
	}
	for _, tt := range tests {
		row := AuditCSVRow(&desk.AuditRecord{Seq: 3, At: time.Unix(0, 0), ActorName: tt.in, Action: tt.in, Target: tt.in, Detail: tt.in})
		if len(row) != len(AuditCSVHeader) {
			t.Fatalf("row has %d cells, header %d", len(row), len(AuditCSVHeader))
		}
		for _, i := range []int{4, 5, 8, 9} {
			if row[i] != tt.want {
				t.Errorf("cell %s of %q = %q, want %q", AuditCSVHeader[i], tt.in, row[i], tt.want)
			}
		}
	}
}
