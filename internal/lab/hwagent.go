package lab

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// build is one flavour of the hwagent binary, built once per test binary.
type build struct {
	once sync.Once
	path string
	err  error
}

var (
	agentBuild build // -tags noserver: what the container image ships
	fullBuild  build // with the server: what `hwagent serve` runs from
	arm64Build build // the agent build for arm64 guests
)

// Hwagent builds ./cmd/hwagent as the guest runs it: the agent build of the
// container image (static, CGO_ENABLED=0, -tags noserver, -trimpath
// -ldflags "-s -w"), once per test binary, and returns the path. The binary
// goes to CacheDir/bin, replaced atomically on each build, so test binaries
// of several packages can build at the same time.
func Hwagent(ctx context.Context) (string, error) {
	agentBuild.once.Do(func() { agentBuild.path, agentBuild.err = buildHwagent(ctx, "noserver", "amd64") })
	return agentBuild.path, agentBuild.err
}

// HwagentFor is Hwagent for a Go architecture: "amd64" or "arm64".
func HwagentFor(ctx context.Context, goarch string) (string, error) {
	switch goarch {
	case "amd64":
		return Hwagent(ctx)
	case "arm64":
		arm64Build.once.Do(func() { arm64Build.path, arm64Build.err = buildHwagent(ctx, "noserver", "arm64") })
		return arm64Build.path, arm64Build.err
	}
	return "", fmt.Errorf("lab: no hwagent build for %q", goarch)
}

// HwagentFull builds the whole binary, with the reference server, for the
// host side of a lab (`hwagent serve`, `hwagent machines`, `hwagent export`).
func HwagentFull(ctx context.Context) (string, error) {
	fullBuild.once.Do(func() { fullBuild.path, fullBuild.err = buildHwagent(ctx, "", "amd64") })
	return fullBuild.path, fullBuild.err
}

func buildHwagent(ctx context.Context, tags, goarch string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("lab cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".hwagent-*")
	if err != nil {
		return "", fmt.Errorf("lab cache: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", tags, "-trimpath", "-ldflags", "-s -w", "-o", tmp.Name(), "./cmd/hwagent")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/hwagent: %w\n%s", err, out)
	}
	// One name per checkout: two worktrees sharing the cache do not
	// overwrite each other's binary.
	dst := filepath.Join(dir, fmt.Sprintf("hwagent-%x", sha256.Sum256([]byte(root+" "+tags+" "+goarch)))[:len("hwagent-")+12])
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("lab cache: %w", err)
	}
	return dst, nil
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the hwagent module")
	}
	return filepath.Dir(gomod), nil
}
