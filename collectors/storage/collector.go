package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

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
	r := reader{p: p, w: &w}
	links := readDevLinks(p, &w)
	udevDir := p.Run("udev", "data")
	haveUdev := p.Exists(udevDir)
	out := &inventory.Storage{Disks: []inventory.Disk{}}
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
