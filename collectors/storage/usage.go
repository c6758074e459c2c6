package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hwagent/hwagent/blockid"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// Bounds of the signature reads: how many devices are read at once, how
// much one device may cost, and how long the collector waits for all of
// them (a dying disk can block a read for minutes; it is left behind).
const (
	probeParallel = 8
	probeBudget   = 256 << 10
	probeTimeout  = 5 * time.Second
)

// blockTree is what sysfs and the mount table say about every block
// device: device numbers, holders, mounts and the root filesystem.
type blockTree struct {
	// byDev maps "maj:min" to a kernel name.
	byDev map[string]string
	// holders maps a kernel name to the names in its holders/ directory.
	holders map[string][]string
	// mounts maps a kernel name to its mount points.
	mounts map[string][]string
	// root is the kernel name of the device holding "/", "" when none does
	// (an in-memory root).
	root string
}

// readMounts reads the host's mount table: PID 1's (the host's own mount
// namespace when the agent runs in a container with the host's /proc),
// else the agent's.
func readMounts(r reader) []Mount {
	for _, who := range []string{"1", "self"} {
		name := r.p.Proc(who, "mountinfo")
		data, err := r.p.ReadFile(name)
		if err != nil {
			if !hostpaths.Ignorable(err) {
				r.w.Addf("read %s: %v", r.p.HostPath(name), err)
			}
			continue
		}
		m, err := ParseMountInfo(data)
		if err != nil {
			r.w.Addf("%s: %v", r.p.HostPath(name), err)
		}
		return m
	}
	return nil
}

// partitionNames lists the partition directories of a disk in number order.
func partitionNames(p *hostpaths.Paths, name string) []string {
	ents, err := p.ReadDir(p.Sys("block", name))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if rest, ok := strings.CutPrefix(e.Name(), name); ok && rest != "" && e.IsDir() {
			out = append(out, e.Name())
		}
	}
	slices.SortFunc(out, func(a, b string) int { return partNumber(a) - partNumber(b) })
	return out
}

// partNumber is the trailing number of a partition name ("nvme0n1p12" → 12).
func partNumber(name string) int {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	n, _ := strconv.Atoi(name[i:])
	return n
}

// readBlockTree reads the device number and holders of every /sys/block
// entry and its partitions, and maps the mount table onto them.
func readBlockTree(r reader, ents []fs.DirEntry) blockTree {
	t := blockTree{byDev: map[string]string{}, holders: map[string][]string{}, mounts: map[string][]string{}}
	add := func(name string, dir string) {
		if dev := r.str(filepath.Join(dir, "dev")); dev != "" {
			t.byDev[dev] = name
		}
		if hs, err := r.p.ReadDir(filepath.Join(dir, "holders")); err == nil {
			for _, h := range hs {
				t.holders[name] = append(t.holders[name], h.Name())
			}
		}
	}
	for _, e := range ents {
		name := e.Name()
		dir := r.p.Sys("block", name)
		// A device that is not a disk and has no size (a loop device with
		// no file attached, zram not set up: a live image has eight of
		// them) cannot be mounted, held or partitioned: one read instead
		// of three.
		if !isDiskName(name) && r.str(filepath.Join(dir, "size")) == "0" {
			continue
		}
		add(name, dir)
		for _, part := range partitionNames(r.p, name) {
			add(part, filepath.Join(dir, part))
		}
	}
	for _, m := range readMounts(r) {
		name, ok := t.byDev[m.Dev]
		if !ok {
			continue
		}
		if !slices.Contains(t.mounts[name], m.MountPoint) {
			t.mounts[name] = append(t.mounts[name], m.MountPoint)
		}
		if m.MountPoint == "/" {
			t.root = name
		}
	}
	return t
}

// holdsRoot reports whether the root filesystem's device is name or is
// built on it (through holders, at most 8 levels deep).
func (t blockTree) holdsRoot(name string) bool {
	if t.root == "" {
		return false
	}
	level := []string{name}
	for depth := 0; depth < 8 && len(level) > 0; depth++ {
		var next []string
		for _, n := range level {
			if n == t.root {
				return true
			}
			next = append(next, t.holders[n]...)
		}
		level = next
	}
	return false
}

// probeJob is one device whose first sectors are read.
type probeJob struct {
	name      string
	sizeBytes int64
	sector    int
	partition bool
	result    blockid.Result
	err       error
}

type probeAnswer struct {
	i   int
	res blockid.Result
	err error
}

// probeDevices reads the signatures of the jobs, probeParallel at a time,
// and returns once all have answered or probeTimeout has passed. A job
// without an answer by then gets an error; its goroutine stays until the
// read returns and its answer goes to a buffered channel nobody reads.
func probeDevices(ctx context.Context, p *hostpaths.Paths, jobs []*probeJob) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	answers := make(chan probeAnswer, len(jobs))
	sem := make(chan struct{}, probeParallel)
	got := make([]bool, len(jobs))
	pending := 0
	collect := func(a probeAnswer) {
		jobs[a.i].result, jobs[a.i].err, got[a.i] = a.res, a.err, true
		pending--
	}
start:
	for i, j := range jobs {
		for {
			select {
			case sem <- struct{}{}:
			case a := <-answers:
				collect(a)
				continue
			case <-ctx.Done():
				break start
			}
			break
		}
		pending++
		go func() {
			res, err := probeOne(p, j)
			<-sem
			answers <- probeAnswer{i, res, err}
		}()
	}
	for pending > 0 {
		select {
		case a := <-answers:
			collect(a)
		case <-ctx.Done():
			pending = 0
		}
	}
	for i, j := range jobs {
		if !got[i] {
			j.err = fmt.Errorf("no answer within %s", probeTimeout)
		}
	}
}

func probeOne(p *hostpaths.Paths, j *probeJob) (blockid.Result, error) {
	node := p.Dev(j.name)
	f, err := p.OpenDevice(node)
	switch {
	case errors.Is(err, hostpaths.ErrRecorded):
		return blockid.Result{}, fmt.Errorf("%s not read: a recorded host", p.HostPath(node))
	case errors.Is(err, fs.ErrNotExist):
		return blockid.Result{}, fmt.Errorf("no device node %s: contents not read", p.HostPath(node))
	}
	if err != nil {
		// The agent's path of the node (/host/dev/vda) says nothing the
		// host's does not: keep only the reason, so that the inventory is
		// the same inside a container and on the host.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return blockid.Result{}, fmt.Errorf("open %s: %w", p.HostPath(node), err)
	}
	defer f.Close()
	return blockid.Probe(blockid.Device{R: blockid.Budget(f, probeBudget), Size: j.sizeBytes, SectorSize: j.sector, Partition: j.partition}), nil
}

func signatures(res blockid.Result) []inventory.Signature {
	var out []inventory.Signature
	for _, s := range res.Signatures {
		out = append(out, inventory.Signature{Type: s.Type, Usage: s.Usage, UUID: s.UUID, Label: s.Label, Version: s.Version})
	}
	return out
}
