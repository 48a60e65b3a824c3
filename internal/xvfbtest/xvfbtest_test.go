package xvfbtest

import (
	"os"
	"os/exec"
	"testing"
)

func TestStartGivesAWorkingDisplay(t *testing.T) {
	disp := Start(t, 640, 480)
	if got := os.Getenv("DISPLAY"); got != disp {
		t.Fatalf("DISPLAY = %q, want %q", got, disp)
	}
	out, err := exec.Command("xdpyinfo").CombinedOutput()
	if err != nil {
		t.Fatalf("xdpyinfo on %s: %v\n%s", disp, err, out)
	}
}

// TestDisplaysAreDistinct runs several servers at once: each must get its
// own display, and stopping them must leave no lock files behind.
func TestDisplaysAreDistinct(t *testing.T) {
	var names []string
	t.Run("three at once", func(t *testing.T) {
		seen := map[string]bool{}
		for range 3 {
			d := Start(t, 320, 240)
			if seen[d] {
				t.Fatalf("display %s handed out twice", d)
			}
			seen[d] = true
			names = append(names, d)
		}
	})
	for _, d := range names {
		if _, err := os.Stat("/tmp/.X" + d[1:] + "-lock"); err == nil {
			t.Errorf("lock file of stopped display %s is left behind", d)
		}
	}
}
