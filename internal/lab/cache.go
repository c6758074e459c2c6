package lab

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// CacheDir is where the lab keeps what it downloads and builds across
// runs: $HWAGENT_LAB_CACHE, else $XDG_CACHE_HOME/hwagent-lab, else
// ~/.cache/hwagent-lab.
func CacheDir() (string, error) {
	if d := os.Getenv("HWAGENT_LAB_CACHE"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "hwagent-lab"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("lab cache: %w (set HWAGENT_LAB_CACHE)", err)
	}
	return filepath.Join(home, ".cache", "hwagent-lab"), nil
}

// lockFile takes an exclusive flock on path (created if needed), so that
// test binaries of several packages running at once fill the cache once.
// The returned function releases it.
func lockFile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
