package lab

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Kernel is a Debian kernel unpacked in the lab cache.
type Kernel struct {
	// Package is the Debian package ("linux-image-6.1.0-56-amd64") and
	// Version its version ("6.1.192-2").
	Package, Version string
	// Release is the kernel release, the name of its modules directory
	// ("6.1.0-56-amd64").
	Release string
	// Vmlinuz is the kernel image.
	Vmlinuz string
	// ModulesDir is lib/modules/RELEASE.
	ModulesDir string

	indexOnce sync.Once
	index     map[string]string // module name → .ko path
	builtin   map[string]bool
	indexErr  error
}

// kernelCache is one Debian kernel per architecture, fetched once per
// test binary.
type kernelCache struct {
	once sync.Once
	k    *Kernel
	err  error
}

var debianKernels = map[string]*kernelCache{"amd64": {}, "arm64": {}}

// DebianKernel returns the kernel of Debian's linux-image-amd64 (the
// version apt-cache names), downloading it with apt-get download and
// unpacking it with dpkg-deb into CacheDir on first use. Later calls, and
// later runs, reuse it.
func DebianKernel(ctx context.Context) (*Kernel, error) {
	return DebianKernelFor(ctx, "amd64")
}

// DebianKernelFor is DebianKernel for a Debian architecture: "amd64", or
// "arm64" (apt must know the arm64 architecture: `dpkg --add-architecture
// arm64 && apt-get update`, as .ci/run does).
func DebianKernelFor(ctx context.Context, arch string) (*Kernel, error) {
	c, ok := debianKernels[arch]
	if !ok {
		return nil, fmt.Errorf("lab: no Debian kernel for %q (amd64 or arm64)", arch)
	}
	c.once.Do(func() { c.k, c.err = fetchDebianKernel(ctx, arch) })
	return c.k, c.err
}

func fetchDebianKernel(ctx context.Context, arch string) (*Kernel, error) {
	meta := "linux-image-" + arch + ":" + arch
	out, err := exec.CommandContext(ctx, "apt-cache", "depends", meta).Output()
	if err != nil {
		return nil, fmt.Errorf("apt-cache depends %s: %w (for arm64: dpkg --add-architecture arm64 && apt-get update)", meta, err)
	}
	depRE := regexp.MustCompile(`(?m)^\s*Depends:\s*(linux-image-[0-9][^\s:]*-` + arch + `)(:` + arch + `)?\s*$`)
	m := depRE.FindSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("apt-cache depends %s names no linux-image-*-%s package:\n%s", meta, arch, out)
	}
	pkg := string(m[1]) + ":" + arch
	out, err = exec.CommandContext(ctx, "apt-cache", "show", "--no-all-versions", pkg).Output()
	if err != nil {
		return nil, fmt.Errorf("apt-cache show %s: %w", pkg, err)
	}
	version := field(out, "Version")
	if version == "" {
		return nil, fmt.Errorf("apt-cache show %s: no Version", pkg)
	}
	cache, err := CacheDir()
	if err != nil {
		return nil, err
	}
	pkg = strings.TrimSuffix(pkg, ":"+arch)
	dir := filepath.Join(cache, "kernel", pkg+"_"+version)
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return nil, fmt.Errorf("lab cache: %w", err)
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, "complete")); err != nil {
		if err := unpackKernel(ctx, pkg+":"+arch, version, dir); err != nil {
			return nil, err
		}
	}
	return openKernel(dir, pkg, version)
}

func field(control []byte, name string) string {
	sc := bufio.NewScanner(bytes.NewReader(control))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// unpackKernel downloads pkg into a scratch directory next to dir, unpacks
// its kernel image and modules, and renames the result into place.
func unpackKernel(ctx context.Context, pkg, version, dir string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".unpack-*")
	if err != nil {
		return fmt.Errorf("lab cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	dl := exec.CommandContext(ctx, "apt-get", "download", "-q", pkg+"="+version)
	dl.Dir = tmp
	if out, err := dl.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get download %s=%s: %w\n%s", pkg, version, err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != 1 {
		return fmt.Errorf("apt-get download %s: got %d .deb files", pkg, len(debs))
	}
	root := filepath.Join(tmp, "root")
	if out, err := exec.CommandContext(ctx, "dpkg-deb", "-x", debs[0], root).CombinedOutput(); err != nil {
		return fmt.Errorf("dpkg-deb -x %s: %w\n%s", debs[0], err, out)
	}
	images, _ := filepath.Glob(filepath.Join(root, "boot", "vmlinuz-*"))
	releases, _ := filepath.Glob(filepath.Join(root, "lib", "modules", "*"))
	if len(images) != 1 || len(releases) != 1 {
		return fmt.Errorf("%s: want one boot/vmlinuz-* and one lib/modules/*, got %d and %d", debs[0], len(images), len(releases))
	}
	out := filepath.Join(tmp, "kernel")
	if err := os.MkdirAll(filepath.Join(out, "modules"), 0o755); err != nil {
		return err
	}
	if err := os.Rename(images[0], filepath.Join(out, "vmlinuz")); err != nil {
		return err
	}
	release := filepath.Base(releases[0])
	if err := os.Rename(releases[0], filepath.Join(out, "modules", release)); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "complete"), []byte(pkg+" "+version+" "+release+"\n"), 0o644); err != nil {
		return err
	}
	os.RemoveAll(dir) // an incomplete earlier attempt
	if err := os.Rename(out, dir); err != nil {
		return fmt.Errorf("lab cache: %w", err)
	}
	return nil
}

func openKernel(dir, pkg, version string) (*Kernel, error) {
	releases, _ := filepath.Glob(filepath.Join(dir, "modules", "*"))
	if len(releases) != 1 {
		return nil, fmt.Errorf("lab cache %s: want one modules/RELEASE directory, got %d", dir, len(releases))
	}
	return &Kernel{
		Package:    pkg,
		Version:    version,
		Release:    filepath.Base(releases[0]),
		Vmlinuz:    filepath.Join(dir, "vmlinuz"),
		ModulesDir: releases[0],
	}, nil
}

// Module is a loadable kernel module file.
type Module struct {
	// Name is the module name with underscores ("ipmi_si").
	Name string
	// Path is the .ko file.
	Path string
}

// moduleName normalizes a module or file name: no directory, no .ko, '-'
// as '_' (the kernel treats them alike).
func moduleName(s string) string {
	s = filepath.Base(s)
	s = strings.TrimSuffix(s, ".ko")
	return strings.ReplaceAll(s, "-", "_")
}

func (k *Kernel) loadIndex() error {
	k.indexOnce.Do(func() {
		k.index = map[string]string{}
		k.builtin = map[string]bool{}
		if b, err := os.ReadFile(filepath.Join(k.ModulesDir, "modules.builtin")); err == nil {
			for _, l := range strings.Fields(string(b)) {
				k.builtin[moduleName(l)] = true
			}
		}
		k.indexErr = filepath.WalkDir(filepath.Join(k.ModulesDir, "kernel"), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch {
			case strings.HasSuffix(p, ".ko"):
				k.index[moduleName(p)] = p
			case strings.HasSuffix(p, ".ko.xz"), strings.HasSuffix(p, ".ko.gz"), strings.HasSuffix(p, ".ko.zst"):
				// Compressed modules need a decompressor and a kernel
				// built to load them; Debian 12's are plain .ko.
				name := moduleName(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(p, ".xz"), ".gz"), ".zst"))
				if _, ok := k.index[name]; !ok {
					k.index[name] = p
				}
			}
			return nil
		})
	})
	return k.indexErr
}

// Modules resolves names and their dependencies (the depends= field of
// each module's .modinfo section) into load order: every module after the
// ones it needs, each once. Modules built into the kernel are left out.
func (k *Kernel) Modules(names ...string) ([]Module, error) {
	if err := k.loadIndex(); err != nil {
		return nil, fmt.Errorf("index modules of %s: %w", k.Release, err)
	}
	var out []Module
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		name = moduleName(name)
		switch state[name] {
		case 1:
			return fmt.Errorf("module dependency cycle: %s", strings.Join(append(chain, name), " → "))
		case 2:
			return nil
		}
		path, ok := k.index[name]
		if !ok {
			if k.builtin[name] {
				state[name] = 2
				return nil
			}
			return fmt.Errorf("module %s not in %s", name, k.ModulesDir)
		}
		if !strings.HasSuffix(path, ".ko") {
			return fmt.Errorf("module %s is compressed (%s): not supported", name, path)
		}
		state[name] = 1
		deps, err := moduleDepends(path)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if err := visit(d, append(chain, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		out = append(out, Module{Name: name, Path: path})
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// moduleDepends reads the depends= entry of a module's .modinfo section.
func moduleDepends(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", path, err)
	}
	defer f.Close()
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("module %s: no .modinfo section", path)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("module %s: .modinfo: %w", path, err)
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil, nil
			}
			return strings.Split(string(v), ","), nil
		}
	}
	return nil, nil // no depends= at all: nothing to load first
}
