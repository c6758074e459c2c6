package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// New returns the storage collector.
func New() collector.Collector { return storageCollector{} }

type storageCollector struct{}

func (storageCollector) Name() string { return "storage" }

// Collect fills inventory.Storage. It fails when /sys/block cannot be
// listed; a machine without disks gets an empty list.
func (storageCollector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	p := env.Paths
	var w collector.Warnings
	blockDir := p.Sys("block")
	ents, err := p.ReadDir(blockDir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", p.HostPath(blockDir), err)
	}
	r := reader{p: p, w: &w, devs: &devCache{}}
	links := readDevLinks(p, &w)
	udevDir := p.Run("udev", "data")
	haveUdev := p.Exists(udevDir)
	out := &inventory.Storage{Disks: []inventory.Disk{}}
	var arrays []*probeJob
	for _, e := range ents {
		if a, ok := readArray(r, e.Name()); ok {
			out.Arrays = append(out.Arrays, a)
			size, _ := r.uint(p.Sys("block", e.Name(), "size"))
			arrays = append(arrays, &probeJob{name: e.Name(), sizeBytes: int64(size * 512), partition: true})
		}
	}
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := e.Name()
		if !isDiskName(name) {
			continue
		}
		b, err := resolve(p, name)
		if err != nil {
			w.Addf("resolve %s: %v", p.HostPath(p.Sys("block", name)), err)
			continue
		}
		if b.isVirtual() || r.flag(p.Sys("block", name, "hidden")) {
			continue
		}
		var udev *UdevRecord
		if haveUdev {
			udev = readUdev(r, udevDir, name)
		}
		out.Disks = append(out.Disks, readDisk(r, b, links, udev))
	}
	readUsage(ctx, r, ents, out, arrays)
	return func(inv *inventory.Inventory) { inv.Storage = out }, w.Err()
}

// readUdev reads the udev database record of a block device by its
// major:minor (/sys/block/NAME/dev); nil when there is none.
func readUdev(r reader, udevDir, name string) *UdevRecord {
	dev := r.str(r.p.Sys("block", name, "dev"))
	if dev == "" {
		return nil
	}
	file := udevDir + "/b" + dev
	data, err := r.p.ReadFile(file)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !hostpaths.Ignorable(err) {
			r.w.Addf("read %s: %v", r.p.HostPath(file), err)
		}
		return nil
	}
	rec, err := ParseUdevRecord(data)
	if err != nil {
		r.w.Addf("%s: %v", r.p.HostPath(file), err)
		return nil
	}
	return &rec
}

// readUsage reads what is on each disk and its partitions (partition
// table, signatures) in parallel, and what sysfs and the mount table say
// about them (holders, mounts, root), then the arrays' own signatures.
func readUsage(ctx context.Context, r reader, ents []fs.DirEntry, out *inventory.Storage, arrays []*probeJob) {
	tree := readBlockTree(r, ents)
	var probes []*diskProbe
	var jobs []*probeJob
	for i := range out.Disks {
		dp := newDiskProbe(r, &out.Disks[i])
		probes = append(probes, dp)
		jobs = append(jobs, dp.self)
		jobs = append(jobs, dp.parts...)
	}
	jobs = append(jobs, arrays...)
	probeDevices(ctx, r.p, jobs)
	for _, dp := range probes {
		dp.apply(tree)
	}
	for i := range out.Arrays {
		a := &out.Arrays[i]
		a.Mountpoints = tree.mounts[a.Name]
		a.HoldsRoot = tree.holdsRoot(a.Name)
		if j := arrays[i]; j.err == nil {
			a.Signatures = signatures(j.result)
		}
		if a.Kind == "md" && a.UUID == "" {
			a.UUID = memberUUID(out, a.Members)
		}
	}
}

// memberUUID is the md array UUID its members' superblocks carry.
func memberUUID(s *inventory.Storage, members []string) string {
	for _, d := range s.Disks {
		sigs := [][]inventory.Signature{d.Signatures}
		names := []string{d.Name}
		for _, p := range d.PartitionList {
			sigs, names = append(sigs, p.Signatures), append(names, p.Name)
		}
		for i, n := range names {
			if !slices.Contains(members, n) {
				continue
			}
			for _, sg := range sigs[i] {
				if sg.Type == "linux_raid_member" {
					return sg.UUID
				}
			}
		}
	}
	return ""
}
