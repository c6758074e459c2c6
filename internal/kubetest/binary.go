package kubetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hwagent/hwagent/internal/lab"
)

// APIServerVersion is the k8s.io/apiextensions-apiserver release the tests
// run.
const APIServerVersion = "v0.37.2"

// APIServerBinary returns the apiextensions-apiserver binary, building it
// into the lab cache (go install from the module proxy, about 3 minutes and
// 85 MB on two cores) the first time on a machine. Concurrent test binaries
// wait for one build.
func APIServerBinary(ctx context.Context) (string, error) {
	cache, err := lab.CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "apiextensions-apiserver-"+APIServerVersion)
	bin := filepath.Join(dir, "apiextensions-apiserver")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("kubetest: %w", err)
	}
	unlock, err := lock(filepath.Join(dir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil // built while we waited
	}
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", "-trimpath", "-ldflags", "-s -w",
		"k8s.io/apiextensions-apiserver@"+APIServerVersion)
	// Outside hwagent's module: go install pkg@version resolves the
	// apiserver's own dependencies.
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("kubetest: go install k8s.io/apiextensions-apiserver@%s: %w\n%s", APIServerVersion, err, tail(out, 2000))
	}
	if err := os.Rename(filepath.Join(tmp, "apiextensions-apiserver"), bin); err != nil {
		return "", fmt.Errorf("kubetest: %w", err)
	}
	return bin, nil
}

func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("kubetest: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("kubetest: lock %s: %w", path, err)
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN) //nolint:errcheck // closing releases it too
		f.Close()
	}, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
