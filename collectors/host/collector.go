package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/cmdline"
	"github.com/hwagent/hwagent/inventory"
)

// New returns the host collector.
func New() collector.Collector { return hostCollector{} }

type hostCollector struct{}

func (hostCollector) Name() string { return "host" }

// Phase is Identity: the registration carries the host facts a server
// lists a machine by (hostname, Tinkerbell's worker_id and hw_addr).
func (hostCollector) Phase() collector.Phase { return collector.Identity }

// Collect fills inventory.Host. It fails when the kernel release cannot be
// read (no Linux /proc); other missing files leave their field empty.
func (hostCollector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	p := env.Paths
	var w collector.Warnings
	read := func(name string) string {
		s, err := p.ReadString(name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			w.Addf("read %s: %v", p.HostPath(name), err)
		}
		return s
	}
	h := &inventory.Host{}
	release := p.Proc("sys", "kernel", "osrelease")
	var err error
	if h.KernelRelease, err = p.ReadString(release); err != nil {
		return nil, fmt.Errorf("read %s: %w", p.HostPath(release), err)
	}
	h.Hostname = read(p.Proc("sys", "kernel", "hostname"))
	h.KernelVersion = read(p.Proc("sys", "kernel", "version"))
	// kernel.arch (Linux 6.1+) is the host's uname -m; older kernels do not
	// have it, and the agent's own architecture is the best guess left.
	if m := read(p.Proc("sys", "kernel", "arch")); m != "" {
		h.Architecture = GOARCH(m)
	} else {
		h.Architecture = runtime.GOARCH
	}
	h.BootID = read(p.Proc("sys", "kernel", "random", "boot_id"))

	uptime := p.Proc("uptime")
	if data, err := p.ReadFile(uptime); err == nil {
		if h.UptimeSeconds, err = ParseUptime(data); err != nil {
			w.Addf("%s: %v", p.HostPath(uptime), err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		w.Addf("read %s: %v", p.HostPath(uptime), err)
	}

	// The enrollment token may be on the command line (hwagent.token=):
	// the inventory is printed and sent, so it never holds the value.
	h.KernelCommandLine = cmdline.Redact(read(p.Proc("cmdline")), cmdline.SecretParams)
	params := cmdline.Parse(h.KernelCommandLine)
	h.WorkerID, _ = params.Get("worker_id")
	h.HWAddr, _ = params.Get("hw_addr")

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h.OS = osName(p, &w)
	return func(inv *inventory.Inventory) { inv.Host = h }, w.Err()
}

// osName returns PRETTY_NAME (else NAME and VERSION) from the host's
// etc/os-release, else usr/lib/os-release.
func osName(p *hostpaths.Paths, w *collector.Warnings) string {
	for _, name := range []string{p.Etc("os-release"), p.Usr("lib", "os-release")} {
		data, err := p.ReadFile(resolveHostLink(p, name))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				w.Addf("read %s: %v", p.HostPath(name), err)
			}
			continue
		}
		kv := ParseOSRelease(data)
		if s := kv["PRETTY_NAME"]; s != "" {
			return s
		}
		return strings.TrimSpace(kv["NAME"] + " " + kv["VERSION"])
	}
	return ""
}

// resolveHostLink follows one symlink inside the host's trees:
// /etc/os-release → ../usr/lib/os-release (or /usr/lib/os-release) on the
// host must not resolve to the agent's own /usr when the host's trees are
// mounted elsewhere (/host/etc, or Hanlon's /host-etc beside /usr).
func resolveHostLink(p *hostpaths.Paths, name string) string {
	target, err := p.Readlink(name)
	if err != nil {
		return name
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(p.HostPath(name)), target)
	}
	rel := strings.TrimPrefix(filepath.Clean(target), "/")
	tree, rest, _ := strings.Cut(rel, "/")
	for _, t := range hostpaths.Trees {
		if string(t) == tree {
			return p.Path(t, rest)
		}
	}
	return filepath.Join(p.Root, rel)
}
