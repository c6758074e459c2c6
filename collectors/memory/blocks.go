package memory

import (
	"errors"
	"fmt"
	"io/fs"
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
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "memory") || b.Total >= maxBlocks {
			continue
		}
		if _, err := strconv.Atoi(strings.TrimPrefix(e.Name(), "memory")); err != nil {
			continue
		}
		b.Total++
		if v, err := p.ReadString(dir + "/" + e.Name() + "/online"); err == nil {
			if v == "1" {
				b.Online++
			}
			continue
		}
		if v, err := p.ReadString(dir + "/" + e.Name() + "/state"); err == nil && v == "online" {
			b.Online++
		}
	}
	return b, nil
}
