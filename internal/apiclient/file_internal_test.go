package apiclient

import "testing"

func TestFileName(t *testing.T) {
	tests := map[string]string{
		`attachment; filename="report.pdf"`:                "report.pdf",
		`attachment; filename="../../etc/passwd"`:          "passwd",
		`attachment; filename="C:\\Windows\\evil.dll"`:     "evil.dll",
		`attachment; filename*=UTF-8''gr%C3%BC%C3%9Fe.txt`: "grüße.txt",
		`attachment; filename=".."`:                        "file",
		`attachment`:                                       "file",
		``:                                                 "file",
		`attachment; filename="a` + "\x01" + `b.txt"`:      "ab.txt",
	}
	for in, want := range tests {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}
