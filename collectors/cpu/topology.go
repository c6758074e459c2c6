package cpu

import (
	"cmp"
	"errors"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// readCPUList reads and parses a cpulist attribute. ok is false when the
// file does not exist; other failures are warnings.
func readCPUList(p *hostpaths.Paths, name string, w *collector.Warnings) (cpus []int, raw string, ok bool) {
	s, err := p.ReadString(name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.Addf("read %s: %v", p.HostPath(name), err)
		}
		return nil, "", false
	}
	cpus, err = ParseCPUList(s)
	if err != nil {
		w.Addf("%s: %v", p.HostPath(name), err)
		return nil, "", false
	}
	return cpus, s, true
}

// knownCPUs returns the logical CPUs the kernel knows: present, else
// possible (ghw's snapshots and some containers have neither), else the
// cpuN directories.
func knownCPUs(p *hostpaths.Paths, w *collector.Warnings) []int {
	for _, f := range []string{"present", "possible"} {
		if cpus, _, ok := readCPUList(p, p.Sys("devices", "system", "cpu", f), w); ok {
			return cpus
		}
	}
	ents, err := p.ReadDir(p.Sys("devices", "system", "cpu"))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.Addf("list %s: %v", p.HostPath(p.Sys("devices", "system", "cpu")), err)
		}
		return nil
	}
	var cpus []int
	for _, e := range ents {
		if n, ok := cpuNumber(e.Name()); ok {
			cpus = append(cpus, n)
		}
	}
	slices.Sort(cpus)
	return slices.Compact(cpus)
}

// cpuNumber parses "cpu12" → 12.
func cpuNumber(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "cpu")
	if !ok || s == "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n >= MaxCPUs {
		return 0, false
	}
	return n, true
}

// topology is the part of /sys/devices/system/cpu the collector uses.
type topology struct {
	known  []int
	online []int
	// onlineRaw is the online file as the kernel printed it, when read.
	onlineRaw     string
	packages      int
	physicalCores int
}

// readTopology counts packages and cores over the online CPUs: an offline
// CPU has no topology directory, so its core cannot be placed.
func readTopology(p *hostpaths.Paths, w *collector.Warnings) topology {
	var t topology
	t.known = knownCPUs(p, w)
	online, raw, haveOnline := readCPUList(p, p.Sys("devices", "system", "cpu", "online"), w)
	candidates := t.known
	if haveOnline {
		t.online, t.onlineRaw = online, raw
		candidates = online
	}
	type core struct{ pkg, id int64 }
	pkgs := map[int64]bool{}
	cores := map[core]bool{}
	var placed []int
	for _, c := range candidates {
		dir := p.Sys("devices", "system", "cpu", "cpu"+strconv.Itoa(c), "topology")
		pkg, err := p.ReadInt(dir + "/physical_package_id")
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				w.Addf("read %s: %v", p.HostPath(dir+"/physical_package_id"), err)
			}
			continue
		}
		id, err := p.ReadInt(dir + "/core_id")
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				w.Addf("read %s: %v", p.HostPath(dir+"/core_id"), err)
			}
			continue
		}
		placed = append(placed, c)
		pkgs[pkg] = true
		cores[core{pkg, id}] = true
	}
	t.packages, t.physicalCores = len(pkgs), len(cores)
	if !haveOnline {
		// Without an online file, the CPUs with a topology directory are
		// the online ones.
		t.online = placed
	}
	return t
}

// readNUMA lists /sys/devices/system/node/nodeN. A kernel built without
// NUMA has no such directory: no nodes, no warning.
func readNUMA(p *hostpaths.Paths, w *collector.Warnings) []inventory.NUMANode {
	dir := p.Sys("devices", "system", "node")
	ents, err := p.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.Addf("list %s: %v", p.HostPath(dir), err)
		}
		return nil
	}
	var nodes []inventory.NUMANode
	for _, e := range ents {
		s, ok := strings.CutPrefix(e.Name(), "node")
		if !ok {
			continue
		}
		id, err := strconv.Atoi(s)
		if err != nil || id < 0 {
			continue
		}
		n := inventory.NUMANode{ID: id}
		if _, raw, ok := readCPUList(p, p.Sys("devices", "system", "node", e.Name(), "cpulist"), w); ok {
			n.CPUs = raw
		}
		meminfo := p.Sys("devices", "system", "node", e.Name(), "meminfo")
		if data, err := p.ReadFile(meminfo); err == nil {
			if n.MemoryBytes, err = ParseNodeMemTotal(data); err != nil {
				w.Addf("%s: %v", p.HostPath(meminfo), err)
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			w.Addf("read %s: %v", p.HostPath(meminfo), err)
		}
		nodes = append(nodes, n)
	}
	slices.SortFunc(nodes, func(a, b inventory.NUMANode) int { return cmp.Compare(a.ID, b.ID) })
	return nodes
}
