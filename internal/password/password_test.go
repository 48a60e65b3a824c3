package password

import (
	"strings"
	"testing"
)

// fast keeps tests quick; the format and logic are the same as Default.
var fast = Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	h := New(fast)
	hash, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string", hash)
	}
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{"right password", "correct horse battery", true},
		{"wrong password", "correct horse batterx", false},
		{"empty", "", false},
		{"prefix", "correct horse", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := h.Verify(hash, tt.pw)
			if err != nil || ok != tt.want {
				t.Fatalf("Verify = %v, %v; want %v", ok, err, tt.want)
			}
		})
	}
}

func TestSaltsDiffer(t *testing.T) {
	h := New(fast)
	a, _ := h.Hash("same password")
	b, _ := h.Hash("same password")
	if a == b {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestVerifyUsesStoredParams(t *testing.T) {
	hash, _ := New(fast).Hash("pw-1234567890")
	ok, err := New(Default).Verify(hash, "pw-1234567890")
	if err != nil || !ok {
		t.Fatalf("a hash made with other parameters must still verify: %v %v", ok, err)
	}
}

func TestMalformed(t *testing.T) {
	for _, hash := range []string{
		"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=1024,t=1,p=1$!!!$aGFzaA",
		"$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$",
	} {
		if _, err := New(fast).Verify(hash, "x"); err != ErrMalformed {
			t.Errorf("Verify(%q) err = %v, want ErrMalformed", hash, err)
		}
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h := New(Default)
	for b.Loop() {
		h.Hash("benchmark password")
	}
}
