package hostpaths

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Tree names one of the host's trees.
type Tree string

// The trees hwagent reads.
const (
	Proc Tree = "proc"
	Sys  Tree = "sys"
	Dev  Tree = "dev"
	Run  Tree = "run"
	Etc  Tree = "etc"
	// Usr is the host's /usr, where pci.ids lives (usr/share/hwdata, usr/share/misc).
	Usr Tree = "usr"
)

// Trees lists every tree in a fixed order.
var Trees = []Tree{Proc, Sys, Dev, Run, Etc, Usr}

// Overrides are per-tree locations that take precedence over Root.
type Overrides map[Tree]string

// Paths locates the host's trees on the agent's filesystem.
type Paths struct {
	// Root is the host's root as the agent sees it ("/" on the host itself).
	Root string
	// Detected says how Root and the trees were chosen, for reports.
	Detected string
	trees    map[Tree]string
	rec      *Recorder
	// machine is the Machine given to WithMachine; else detect chooses
	// one on first use.
	machine Machine
	detect  *detection
	// direct is set on Unbounded's copies: their reads are made in the
	// caller's goroutine, bounded by the caller.
	direct bool
}

// New returns Paths for a host whose root is mounted at root, with the given
// per-tree overrides. An empty root means "/".
func New(root string, overrides Overrides) *Paths {
	if root == "" {
		root = "/"
	}
	p := &Paths{Root: filepath.Clean(root), trees: make(map[Tree]string, len(Trees)), detect: &detection{}}
	for _, t := range Trees {
		p.trees[t] = filepath.Join(p.Root, string(t))
	}
	for t, dir := range overrides {
		if dir != "" {
			p.trees[t] = filepath.Clean(dir)
		}
	}
	p.Detected = "explicit"
	return p
}

// HookRoot is where Tinkerbell's Hook binds the host's root into its
// privileged services (hook-docker, getty): `binds: [/:/host_root]`.
const HookRoot = "/host_root"

// Stat is the part of the file system Detect looks at; os.Stat in production.
type Stat func(name string) (fs.FileInfo, error)

// Detect chooses where the host is when nothing was configured, first match
// wins:
//   - /host with /host/proc/cpuinfo: hwagent's own layout, the binds of
//     images/linuxkit/hwagent.yml (/proc:/host/proc, /sys:/host/sys, ...);
//   - /host_root with /host_root/proc/cpuinfo: the bind Tinkerbell's Hook
//     itself gives its privileged services (`/:/host_root`, recursive, so the
//     host's /proc, /sys, /dev and /run are under it);
//   - Hanlon's /host-proc, /host-sys and /host-dev;
//   - else the agent's own root.
func Detect(stat Stat) *Paths {
	if stat == nil {
		stat = os.Stat
	}
	exists := func(p string) bool { _, err := stat(p); return err == nil }
	switch {
	case exists("/host/proc/cpuinfo"):
		p := New("/host", nil)
		p.Detected = "autodetected /host"
		return p
	case exists(HookRoot + "/proc/cpuinfo"):
		p := New(HookRoot, nil)
		p.Detected = "autodetected Hook " + HookRoot
		return p
	case exists("/host-proc/cpuinfo"):
		o := Overrides{Proc: "/host-proc"}
		for _, t := range []Tree{Sys, Dev, Run, Etc, Usr} {
			if dir := "/host-" + string(t); exists(dir) {
				o[t] = dir
			}
		}
		p := New("/", o)
		p.Detected = "autodetected Hanlon /host-proc layout"
		return p
	}
	p := New("/", nil)
	p.Detected = "own root"
	return p
}

// Dir returns where tree t is on the agent's filesystem.
func (p *Paths) Dir(t Tree) string { return p.trees[t] }

// Path joins elem under tree t: p.Path(Sys, "class", "net").
func (p *Paths) Path(t Tree, elem ...string) string {
	return filepath.Join(append([]string{p.trees[t]}, elem...)...)
}

// Proc, Sys, Dev, Run and Etc are shorthands for Path.
func (p *Paths) Proc(elem ...string) string { return p.Path(Proc, elem...) }
func (p *Paths) Sys(elem ...string) string  { return p.Path(Sys, elem...) }
func (p *Paths) Dev(elem ...string) string  { return p.Path(Dev, elem...) }
func (p *Paths) Run(elem ...string) string  { return p.Path(Run, elem...) }
func (p *Paths) Etc(elem ...string) string  { return p.Path(Etc, elem...) }
func (p *Paths) Usr(elem ...string) string  { return p.Path(Usr, elem...) }

// HostPath turns a path on the agent's filesystem back into the path the
// host itself uses ("/host/sys/class/net" → "/sys/class/net"), for reports.
// Paths outside every tree are returned unchanged.
func (p *Paths) HostPath(agentPath string) string {
	if t, rel, ok := p.Locate(agentPath); ok {
		return "/" + filepath.Join(string(t), rel)
	}
	return agentPath
}

// Locate finds which tree agentPath is in and its path relative to that tree.
// The longest matching tree directory wins.
func (p *Paths) Locate(agentPath string) (Tree, string, bool) {
	agentPath = filepath.Clean(agentPath)
	var best Tree
	bestLen := -1
	for _, t := range Trees {
		dir := p.trees[t]
		if agentPath == dir || strings.HasPrefix(agentPath, dir+string(filepath.Separator)) || dir == "/" {
			if len(dir) > bestLen {
				best, bestLen = t, len(dir)
			}
		}
	}
	if bestLen < 0 {
		return "", "", false
	}
	rel, err := filepath.Rel(p.trees[best], agentPath)
	if err != nil {
		return "", "", false
	}
	return best, rel, true
}

// ErrNoHost is returned by Validate when the trees do not look like a Linux host.
var ErrNoHost = errors.New("no Linux host found")

// Validate checks that the trees hold a Linux host, so that a wrong --root
// is an error instead of an empty report that looks fine.
func (p *Paths) Validate() error {
	var missing []string
	for _, f := range []string{p.Proc("cpuinfo"), p.Sys("devices")} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: no %s (check --root, --proc and --sys)", ErrNoHost, strings.Join(missing, " and no "))
	}
	return nil
}

// String describes the layout for logs and reports.
func (p *Paths) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "root=%s", p.Root)
	for _, t := range Trees {
		if def := filepath.Join(p.Root, string(t)); p.trees[t] != def {
			fmt.Fprintf(&b, " %s=%s", t, p.trees[t])
		}
	}
	return b.String()
}
