package storage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hwagent/hwagent/blockid"
	"github.com/hwagent/hwagent/inventory"
)

// diskProbe is a disk with the probe jobs of itself and its partitions.
type diskProbe struct {
	disk  *inventory.Disk
	self  *probeJob
	parts []*probeJob
}

// newDiskProbe prepares the jobs of a disk: the whole disk, then each
// partition the kernel sees (sysfs start and size in 512-byte units).
func newDiskProbe(r reader, d *inventory.Disk) *diskProbe {
	sector := int(d.LogicalSectorBytes)
	dp := &diskProbe{disk: d, self: &probeJob{name: d.Name, sizeBytes: int64(d.SizeBytes), sector: sector}}
	for _, part := range partitionNames(r.p, d.Name) {
		dir := r.p.Sys("block", d.Name, part)
		size, _ := r.uint(dir + "/size")
		start, _ := r.uint(dir + "/start")
		num, _ := r.uint(dir + "/partition")
		d.PartitionList = append(d.PartitionList, inventory.Partition{
			Name: part, Path: "/dev/" + part, Number: int(num), StartBytes: start * 512, SizeBytes: size * 512,
		})
		dp.parts = append(dp.parts, &probeJob{name: part, sizeBytes: int64(size * 512), sector: sector, partition: true})
	}
	return dp
}

// apply writes what the probes and the block tree say into the disk, and
// decides whether it is in use.
func (dp *diskProbe) apply(t blockTree) {
	d := dp.disk
	var problems []string
	if err := dp.self.err; err != nil {
		problems = append(problems, err.Error())
	}
	res := dp.self.result
	problems = append(problems, res.Problems...)
	if res.Table != nil {
		d.PartitionTable, d.PartitionTableUUID = res.Table.Type, res.Table.UUID
	}
	d.Signatures = signatures(res)
	d.Mountpoints = t.mounts[d.Name]
	d.Holders = append(d.Holders, t.holders[d.Name]...)
	d.HoldsRoot = t.holdsRoot(d.Name)
	for i := range d.PartitionList {
		p := &d.PartitionList[i]
		job := dp.parts[i]
		if job.err != nil {
			problems = append(problems, p.Name+": "+job.err.Error())
		}
		for _, pr := range job.result.Problems {
			problems = append(problems, p.Name+": "+pr)
		}
		p.Signatures = signatures(job.result)
		p.Mountpoints = t.mounts[p.Name]
		p.Holders = t.holders[p.Name]
		for _, h := range p.Holders {
			if !slices.Contains(d.Holders, h) {
				d.Holders = append(d.Holders, h)
			}
		}
		if res.Table != nil {
			if e := entryFor(res.Table, p); e != nil {
				p.Type, p.UUID, p.Label = e.Type, e.UUID, e.Name
				p.TypeName = PartitionTypeName(res.Table.Type, e.Type)
			}
		}
		if t.holdsRoot(p.Name) {
			d.HoldsRoot = true
		}
	}
	if len(problems) > 0 {
		d.SignatureError = strings.Join(problems, "; ")
	}
	d.InUseReasons = inUseReasons(d)
	d.InUse = len(d.InUseReasons) > 0
}

// entryFor finds the table entry of a partition by number, else by start.
func entryFor(t *blockid.Table, p *inventory.Partition) *blockid.Entry {
	for i := range t.Entries {
		if t.Entries[i].Number == p.Number {
			return &t.Entries[i]
		}
	}
	for i := range t.Entries {
		if uint64(t.Entries[i].Start) == p.StartBytes {
			return &t.Entries[i]
		}
	}
	return nil
}

// inUseReasons says, for people, why a disk holds something an operator
// may want: the running root, mounts, holders, a partition table, and the
// signatures on the disk and its partitions.
func inUseReasons(d *inventory.Disk) []string {
	var out []string
	if d.HoldsRoot {
		out = append(out, "holds the running root filesystem")
	}
	var mounts []string
	mounts = append(mounts, d.Mountpoints...)
	for _, p := range d.PartitionList {
		for _, m := range p.Mountpoints {
			mounts = append(mounts, p.Name+" at "+m)
		}
	}
	if len(mounts) > 0 {
		out = append(out, "mounted ("+strings.Join(mounts, ", ")+")")
	}
	if len(d.Holders) > 0 {
		out = append(out, "held by "+strings.Join(d.Holders, ", "))
	}
	if d.PartitionTable != "" {
		out = append(out, d.PartitionTable+" partition table")
	} else if len(d.PartitionList) > 0 {
		out = append(out, plural(len(d.PartitionList), "partition"))
	}
	for _, s := range d.Signatures {
		out = append(out, s.Type+" signature")
	}
	for _, p := range d.PartitionList {
		for _, s := range p.Signatures {
			out = append(out, s.Type+" on "+p.Name)
		}
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
