package memory

import (
	"errors"
	"fmt"
	"io/fs"
	"math/bits"
	"os"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/hostpaths"
)

// Blocks is what /sys/devices/system/memory says: the memory block size
// and how many blocks are online.
type Blocks struct {
	BlockBytes uint64
	Online     int
	// Total is how many memoryN blocks there are.
	Total int
}

// Bytes is the online memory: block size × online blocks.
func (b Blocks) Bytes() uint64 { return b.BlockBytes * uint64(b.Online) }

// ErrNoBlocks means the host has no /sys/devices/system/memory (no memory
// hotplug support, as on s390x or some arm64 kernels).
var ErrNoBlocks = errors.New("no memory blocks")

// ParseBlockSize decodes block_size_bytes: hexadecimal without 0x
// ("8000000" is 128 MiB).
func ParseBlockSize(s string) (uint64, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(s), "0x"), 16, 64)
	if err != nil || v == 0 || v&(v-1) != 0 {
		return 0, fmt.Errorf("block_size_bytes %q: want a power of two in hexadecimal", s)
	}
	return v, nil
}

// maxBlocks bounds the directories looked at (16 TiB in 128 MiB blocks).
const maxBlocks = 1 << 17

// readBlocks counts the online memoryN blocks, as lshw and IPA's
// physical_mb do: a block is online when its "online" file says 1 (or,
// on kernels without it, "state" says online).
//
// There is a block per 128 MiB (per 2 GiB on large x86 machines), and
// opening one sysfs attribute costs several microseconds, so on the running
// machine the blocks' files are read only when /proc/zoneinfo leaves a
// doubt: the kernel counts every page of an online block as present in
// its zone, and takes a block's pages out of that count when it offlines
// it (adjust_present_page_count). So when the zones' present pages exceed
// all blocks but one, every block is online, and counting them one by one
// would give the same answer. Otherwise, in recordings (whose page size is
// unknown here) and while `hwagent snapshot` records (the replay must find
// the blocks' files), each block's file is read.
func readBlocks(p *hostpaths.Paths) (Blocks, error) {
	dir := p.Sys("devices", "system", "memory")
	size, err := p.ReadString(dir + "/block_size_bytes")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Blocks{}, ErrNoBlocks
		}
		return Blocks{}, err
	}
	var b Blocks
	if b.BlockBytes, err = ParseBlockSize(size); err != nil {
		return Blocks{}, fmt.Errorf("%s: %w", p.HostPath(dir), err)
	}
	ents, err := p.ReadDir(dir)
	if err != nil {
		return Blocks{}, err
	}
	var names []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "memory") || len(names) >= maxBlocks {
			continue
		}
		if _, err := strconv.Atoi(strings.TrimPrefix(e.Name(), "memory")); err != nil {
			continue
		}
		names = append(names, e.Name())
	}
	b.Total = len(names)
	if p.Kind() == hostpaths.Live && !p.Recording() {
		if data, err := p.ReadFile(p.Proc("zoneinfo")); err == nil {
			if pages, err := ParseZoneinfoPresent(data); err == nil && AllOnline(b, pages, uint64(os.Getpagesize())) {
				b.Online = b.Total
				return b, nil
			}
		}
	}
	b.Online = countOnline(p, dir, names)
	return b, nil
}

// countOnline reads each block's state.
func countOnline(p *hostpaths.Paths, dir string, names []string) int {
	online := 0
	for _, name := range names {
		if v, err := p.ReadString(dir + "/" + name + "/online"); err == nil {
			if v == "1" {
				online++
			}
			continue
		}
		if v, err := p.ReadString(dir + "/" + name + "/state"); err == nil && v == "online" {
			online++
		}
	}
	return online
}

// AllOnline says whether the zones' present pages prove every one of b's
// blocks online: more present memory than b.Total-1 blocks hold, while
// only online blocks' pages are present.
func AllOnline(b Blocks, presentPages, pageSize uint64) bool {
	if b.Total == 0 || b.BlockBytes == 0 || pageSize == 0 {
		return false
	}
	hi, present := bits.Mul64(presentPages, pageSize)
	return hi == 0 && present > b.BlockBytes*uint64(b.Total-1)
}

// maxZoneinfoLines bounds the lines looked at in /proc/zoneinfo (a zone
// lists every CPU's pageset: a few hundred lines per zone on big machines).
const maxZoneinfoLines = 1 << 20

// ParseZoneinfoPresent sums the "present" page counts of /proc/zoneinfo's
// zones.
func ParseZoneinfoPresent(data []byte) (uint64, error) {
	var sum uint64
	zones, lines := 0, 0
	for line := range strings.Lines(string(data)) {
		if lines++; lines > maxZoneinfoLines {
			return 0, errors.New("zoneinfo: too many lines")
		}
		f := strings.Fields(line)
		if len(f) != 2 || f[0] != "present" {
			continue
		}
		v, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("zoneinfo: present %q: %w", f[1], err)
		}
		if sum+v < sum {
			return 0, errors.New("zoneinfo: present pages overflow")
		}
		sum += v
		zones++
	}
	if zones == 0 {
		return 0, errors.New("zoneinfo: no zone with present pages")
	}
	return sum, nil
}
