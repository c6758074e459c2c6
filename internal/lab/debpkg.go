package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// debianFile returns a file of a Debian package for an architecture
// (member is its path in the package, "bin/busybox"), downloading the
// package with apt-get download and unpacking it with dpkg-deb into
// CacheDir on first use.
func debianFile(ctx context.Context, pkg, arch, member string) (string, error) {
	out, err := exec.CommandContext(ctx, "apt-cache", "show", "--no-all-versions", pkg+":"+arch).Output()
	if err != nil {
		return "", fmt.Errorf("apt-cache show %s:%s: %w (for arm64: dpkg --add-architecture arm64 && apt-get update)", pkg, arch, err)
	}
	version := field(out, "Version")
	if version == "" {
		return "", fmt.Errorf("apt-cache show %s:%s: no Version", pkg, arch)
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "deb", pkg+"_"+version+"_"+arch)
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return "", fmt.Errorf("lab cache: %w", err)
	}
	defer unlock()
	want := filepath.Join(dir, member)
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return want, nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".unpack-*")
	if err != nil {
		return "", fmt.Errorf("lab cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	dl := exec.CommandContext(ctx, "apt-get", "download", "-q", pkg+":"+arch+"="+version)
	dl.Dir = tmp
	if out, err := dl.CombinedOutput(); err != nil {
		return "", fmt.Errorf("apt-get download %s:%s=%s: %w\n%s", pkg, arch, version, err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != 1 {
		return "", fmt.Errorf("apt-get download %s:%s: got %d .deb files", pkg, arch, len(debs))
	}
	root := filepath.Join(tmp, "root")
	if out, err := exec.CommandContext(ctx, "dpkg-deb", "-x", debs[0], root).CombinedOutput(); err != nil {
		return "", fmt.Errorf("dpkg-deb -x %s: %w\n%s", debs[0], err, out)
	}
	if _, err := os.Stat(filepath.Join(root, member)); err != nil {
		return "", fmt.Errorf("%s:%s has no %s", pkg, arch, member)
	}
	if err := os.WriteFile(filepath.Join(root, ".complete"), []byte(pkg+" "+version+" "+arch+"\n"), 0o644); err != nil {
		return "", err
	}
	os.RemoveAll(dir)
	if err := os.Rename(root, dir); err != nil {
		return "", fmt.Errorf("lab cache: %w", err)
	}
	return want, nil
}

// DebianArch is the Debian architecture of a Go one.
func DebianArch(goarch string) string { return goarch } // amd64, arm64: the same names

// BusyboxFor returns a static busybox for the architecture: the host's
// (Debian's busybox-static) for the host's, else Debian's busybox-static
// for that architecture from the lab cache.
func BusyboxFor(ctx context.Context, goarch string) (string, error) {
	if goarch == runtime.GOARCH {
		return busyboxPath()
	}
	p, err := debianFile(ctx, "busybox-static", DebianArch(goarch), "bin/busybox")
	if err != nil && strings.Contains(err.Error(), "no Version") {
		return "", fmt.Errorf("%w: apt does not know %s packages (dpkg --add-architecture %s && apt-get update)", err, goarch, goarch)
	}
	return p, err
}
