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
