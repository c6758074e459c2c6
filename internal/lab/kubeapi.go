package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// KubeAPIServerVersion is the k8s.io/apiextensions-apiserver release the
// lab runs (internal/kubetest starts it on etcd).
const KubeAPIServerVersion = "v0.37.2"

// KubeAPIServerBinary returns the apiextensions-apiserver binary, building
// it into the lab cache (go install from the module proxy, about 3 minutes
// and 85 MB on two cores) the first time on a machine. Concurrent test
// binaries wait for one build.
func KubeAPIServerBinary(ctx context.Context) (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "apiextensions-apiserver-"+KubeAPIServerVersion)
	bin := filepath.Join(dir, "apiextensions-apiserver")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if _, err := exec.LookPath("go"); err != nil {
		return "", fmt.Errorf("no apiextensions-apiserver %s in %s, and no go to build it from the module proxy", KubeAPIServerVersion, dir)
	}
	unlock, err := lockFile(filepath.Join(dir, ".lock"))
	if err != nil {
		return "", fmt.Errorf("apiextensions-apiserver: %w", err)
	}
	defer unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil // built while we waited
	}
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return "", fmt.Errorf("apiextensions-apiserver: %w", err)
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", "-trimpath", "-ldflags", "-s -w",
		"k8s.io/apiextensions-apiserver@"+KubeAPIServerVersion)
	// Outside hwagent's module: go install pkg@version resolves the
	// apiserver's own dependencies.
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		if len(out) > 2000 {
			out = out[len(out)-2000:]
		}
		return "", fmt.Errorf("go install k8s.io/apiextensions-apiserver@%s: %w\n%s", KubeAPIServerVersion, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, "apiextensions-apiserver"), bin); err != nil {
		return "", fmt.Errorf("apiextensions-apiserver: %w", err)
	}
	return bin, nil
}

// kubeChecks remembers, per lab cache and PATH, whether the API server
// could be had: a failed build is not tried again by every test of a
// binary.
var kubeChecks struct {
	sync.Mutex
	err map[string]error
}

// checkKube: etcd, and the API server cached or built now.
func checkKube() error {
	cache, _ := CacheDir()
	key := cache + "\x00" + os.Getenv("PATH")
	kubeChecks.Lock()
	defer kubeChecks.Unlock()
	if err, ok := kubeChecks.err[key]; ok {
		return errors.Join(programs("etcd"), err)
	}
	_, err := KubeAPIServerBinary(context.Background())
	if kubeChecks.err == nil {
		kubeChecks.err = map[string]error{}
	}
	kubeChecks.err[key] = err
	return errors.Join(programs("etcd"), err)
}
