package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTokenFromName(t *testing.T) {
	const tok = "qiBvrFz3wVr92Uq146P9Hm3QTUoouwaqougelR4nWAo"
	for name, want := range map[string]string{
		"TetherSOS-" + tok:              tok,
		"TetherSOS-" + tok + ".exe":     tok,
		"TetherSOS-" + tok + " (1).exe": tok,
		"TetherSOS-" + tok + "(2)":      tok,
		"tether-sos":                    "",
		"TetherSOS-short":               "",
		"TetherSOS-" + tok + ".sh":      "",
		"TetherSOS-../" + tok:           "",
	} {
		if got := tokenFromName(name); got != want {
			t.Errorf("tokenFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestReadConfig(t *testing.T) {
	dir := t.TempDir()
	if fc, err := readConfig(filepath.Join(dir, configName)); err != nil || fc.Broker != "" {
		t.Fatalf("missing file: %+v, %v", fc, err)
	}
	p := filepath.Join(dir, configName)
	os.WriteFile(p, []byte(`{"broker": "https://support.example.com", "channel": 3, "pin": "SHA256:AB:CD"}`), 0o644)
	if fc, err := readConfig(p); err != nil || fc.Broker != "https://support.example.com" || fc.Channel != 3 || fc.Pin != "SHA256:AB:CD" {
		t.Fatalf("config %+v, %v", fc, err)
	}
	os.WriteFile(p, []byte(`{broken`), 0o644)
	if _, err := readConfig(p); err == nil {
		t.Fatal("a broken file was accepted")
	}
}
