package blockid

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// countingReader counts what Probe reads.
type countingReader struct {
	r     io.ReaderAt
	bytes int64
	reads int
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.bytes += int64(len(p))
	c.reads++
	return c.r.ReadAt(p, off)
}

// maxProbeBytes is what one Probe may read at most: the head, a GPT array
// of 64 KiB (read at most twice, primary and backup), md and LVM
// superblocks, the ZFS ring and nvlist, and the EBR chain.
const maxProbeBytes = HeadSize + 2*(MaxRead+4096) + 2*4096 + zfsUberblockSlots*1024 + zfsNVListRead + maxLogical*512 + 64<<10

// FuzzProbe: any bytes, any claimed size and sector size give an answer
// without a panic, within the read bound, with a bounded number of
// partitions and problems. The ZFS seed is 160 KiB (its uberblocks sit at
// 128 KiB): run with -fuzzminimizetime 1s, or minimizing a large input
// holds the engine for minutes (1.04 M executions in 120 s that way, 99 new
// inputs, no failure, 2026-12-06).
func FuzzProbe(f *testing.F) {
	// Seeds: the heads of crafted images (small buffers: the fuzz engine
	// copies every seed into each worker).
	md := make([]byte, 64<<10)
	mdV12(md, 4096, testSetUUID, testDevUUID, "rack1:0")
	lvm := make([]byte, 8<<10)
	lvmLabel(lvm, testPVID)
	gpt := make([]byte, 20<<10)
	gptImage(gpt, testSetUUID, testDevUUID, testSetUUID, "root")
	zfs := make([]byte, 160<<10)
	zfsLabel(zfs[:], "tank", 1234567890123456789, 987654321)
	f.Add(md[:8<<10], int64(1<<20), uint16(512), false)
	f.Add(lvm, int64(1<<20), uint16(512), false)
	f.Add(gpt, int64(1<<20), uint16(512), false)
	f.Add(zfs, int64(64<<20), uint16(512), false)
	f.Add(make([]byte, 8192), int64(64<<20), uint16(4096), false)
	f.Add([]byte("LUKS\xba\xbe\x00\x02"+strings.Repeat("x", 600)), int64(1<<20), uint16(512), true)
	f.Fuzz(func(t *testing.T, data []byte, size int64, sector uint16, partition bool) {
		c := &countingReader{r: bytes.NewReader(data)}
		res := Probe(Device{R: c, Size: size, SectorSize: int(sector), Partition: partition})
		for _, p := range res.Problems {
			if strings.Contains(p, "panic") {
				t.Fatalf("decoder panicked: %s", p)
			}
		}
		if c.bytes > maxProbeBytes {
			t.Fatalf("read %d bytes in %d reads, bound %d", c.bytes, c.reads, maxProbeBytes)
		}
		// A GPT entry array of MaxRead bytes holds 512 entries of 128 bytes
		// (TestProbeAgainstBlkid reads one with 300 used); an MBR 4 primary
		// and maxLogical logical partitions.
		if res.Table != nil && len(res.Table.Entries) > max(MaxRead/128, 4+maxLogical) {
			t.Fatalf("%d partitions", len(res.Table.Entries))
		}
		if len(res.Problems) > 16 {
			t.Fatalf("%d problems", len(res.Problems))
		}
	})
}
