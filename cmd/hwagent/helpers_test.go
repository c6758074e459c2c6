package main

import (
	"os"
	"path/filepath"
	"testing"
)

// mkHost lays out the minimum of a host tree: /proc/cpuinfo and /sys/devices.
func mkHost(t *testing.T, dir string) {
	t.Helper()
	for _, d := range []string{"proc", "sys/devices"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "proc/cpuinfo"), []byte("processor\t: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
