package cpu

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// readCaches describes cpu0's caches (cpu0/cache/indexN) and counts, for
// each, how many distinct instances exist among the online CPUs: CPUs that
// share an instance list the same shared_cpu_list, so only one CPU of every
// instance is read. Index numbers mean the same level and type on every CPU
// (the kernel enumerates them in the same order: x86 CPUID leaf 4, arm64
// PPTT or device tree).
func readCaches(p *hostpaths.Paths, online []int, w *collector.Warnings) []inventory.Cache {
	base := p.Sys("devices", "system", "cpu", "cpu0", "cache")
	ents, err := p.ReadDir(base)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.Addf("list %s: %v", p.HostPath(base), err)
		}
		return nil
	}
	var caches []inventory.Cache
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "index") {
			continue
		}
		dir := filepath.Join(base, e.Name())
		c, shared, ok := readCache(p, dir, w)
		if !ok {
			continue
		}
		c.Instances = countInstances(p, e.Name(), shared, online, w)
		caches = append(caches, c)
	}
	return caches
}

// readCache reads one cpu0/cache/indexN. ok is false when the directory has
// no level or type: the entry cannot be described.
func readCache(p *hostpaths.Paths, dir string, w *collector.Warnings) (c inventory.Cache, shared []int, ok bool) {
	str := func(attr string) string {
		s, err := p.ReadString(filepath.Join(dir, attr))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			w.Addf("read %s: %v", p.HostPath(filepath.Join(dir, attr)), err)
		}
		return s
	}
	num := func(attr string) int {
		s := str(attr)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			w.Addf("%s: bad value %q", p.HostPath(filepath.Join(dir, attr)), s)
			return 0
		}
		return n
	}
	c.Level = num("level")
	c.Type = str("type")
	if c.Level == 0 || c.Type == "" {
		return c, nil, false
	}
	if s := str("size"); s != "" {
		size, err := ParseCacheSize(s)
		if err != nil {
			w.Addf("%s: %v", p.HostPath(filepath.Join(dir, "size")), err)
		}
		c.SizeBytes = size
	}
	c.Ways = num("ways_of_associativity")
	c.LineSizeBytes = num("coherency_line_size")
	if s := str("shared_cpu_list"); s != "" {
		list, err := ParseCPUList(s)
		if err != nil {
			w.Addf("%s: %v", p.HostPath(filepath.Join(dir, "shared_cpu_list")), err)
		} else {
			c.SharedCPUs, shared = s, list
		}
	}
	return c, shared, true
}

// countInstances counts distinct shared_cpu_list values of cache index
// among the online CPUs, starting from cpu0's.
func countInstances(p *hostpaths.Paths, index string, cpu0 []int, online []int, w *collector.Warnings) int {
	if len(cpu0) == 0 {
		return 0
	}
	covered := make(map[int]bool, len(online))
	for _, c := range cpu0 {
		covered[c] = true
	}
	instances := 1
	for _, c := range online {
		if covered[c] {
			continue
		}
		name := p.Sys("devices", "system", "cpu", "cpu"+strconv.Itoa(c), "cache", index, "shared_cpu_list")
		list, _, ok := readCPUList(p, name, w)
		if !ok || len(list) == 0 {
			continue
		}
		instances++
		covered[c] = true
		for _, s := range list {
			covered[s] = true
		}
	}
	return instances
}
