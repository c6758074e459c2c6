package blockid

import (
	"errors"
	"fmt"
	"io"
)

// Signature is one superblock or label, named as blkid names it.
type Signature struct {
	// Type is blkid's TYPE ("ext4", "xfs", "vfat", "swap", "LVM2_member",
	// "linux_raid_member", "zfs_member", "crypto_LUKS").
	Type string
	// Usage is blkid's USAGE: "filesystem", "raid", "crypto" or "other".
	Usage string
	// UUID, Label and Version as blkid prints them.
	UUID, Label, Version string
	// SubUUID is blkid's UUID_SUB (an md member's device UUID, a ZFS
	// vdev's GUID).
	SubUUID string
	// Offset is where the signature's magic was found, in bytes.
	Offset int64
}

// Result is what Probe found on one device.
type Result struct {
	// Table is the partition table, nil when there is none.
	Table *Table
	// Signatures found, the RAID-like ones (md, LVM, ZFS) first. Like
	// blkid, a RAID member's inner filesystem is not reported.
	Signatures []Signature
	// Problems says what could not be read or decoded; what was found is
	// kept.
	Problems []string
}

// Device is what Probe reads: the device's bytes, its size and its logical
// sector size.
type Device struct {
	R io.ReaderAt
	// Size in bytes; the end-of-device superblocks (md 0.90 and 1.0) are
	// looked for only when it is known.
	Size int64
	// SectorSize is the logical sector size (512 when 0).
	SectorSize int
	// Partition is true for a partition: no partition table is looked for
	// inside it (blkid -p does the same for a partition's own probe).
	Partition bool
}

// ErrBudget is returned by a Budget reader once its allowance is spent.
var ErrBudget = errors.New("read budget spent")

// Budget wraps r so that at most n bytes are read in total: the bound on
// what one device may cost, whatever its headers claim.
func Budget(r io.ReaderAt, n int64) io.ReaderAt { return &budget{r: r, left: n} }

type budget struct {
	r    io.ReaderAt
	left int64
}

func (b *budget) ReadAt(p []byte, off int64) (int, error) {
	if int64(len(p)) > b.left {
		return 0, fmt.Errorf("%w: %d more bytes at offset %d", ErrBudget, len(p), off)
	}
	b.left -= int64(len(p))
	return b.r.ReadAt(p, off)
}

// HeadSize is how much Probe reads from a device's start in one read: the
// MBR, a GPT header for 512- and 4096-byte sectors, the ext and XFS
// superblocks, the FAT boot sector, the swap header of 4 KiB pages, the
// LVM label, md 1.1 and 1.2 superblocks and the LUKS header (btrfs's
// superblock at 64 KiB is one more read of 4 KiB).
const HeadSize = 8 << 10

// MaxRead bounds any single read a header asks for (a GPT entry array, an
// md superblock with many devices).
const MaxRead = 64 << 10

// reader reads exact ranges, keeping the head in memory.
type reader struct {
	dev  Device
	head []byte
	res  *Result
}

func (r *reader) problem(format string, args ...any) {
	if len(r.res.Problems) < 16 {
		r.res.Problems = append(r.res.Problems, fmt.Sprintf(format, args...))
	}
}

// at returns n bytes at off, from the head when it holds them; nil when
// the range is outside the device or cannot be read (a problem is noted
// for a failed read, not for a range past the end).
func (r *reader) at(off int64, n int) []byte {
	if off < 0 || n <= 0 || n > MaxRead {
		return nil
	}
	if r.dev.Size > 0 && off+int64(n) > r.dev.Size {
		return nil
	}
	if off+int64(n) <= int64(len(r.head)) {
		return r.head[off : off+int64(n)]
	}
	buf := make([]byte, n)
	m, err := r.dev.R.ReadAt(buf, off)
	if m == n {
		return buf
	}
	if err != nil && !errors.Is(err, io.EOF) {
		r.problem("read %d bytes at %d: %v", n, off, err)
	}
	return nil
}

func (r *reader) sectorSize() int {
	switch s := r.dev.SectorSize; s {
	case 512, 1024, 2048, 4096:
		return s
	}
	return 512
}

// Probe decodes a device: its partition table (unless it is a partition)
// and its signatures. It never fails: what it could not read or decode is
// in Result.Problems.
func Probe(dev Device) (res Result) {
	defer func() {
		// The decoders check every bound; this is the last line of
		// defence for a boot that must not crash on a hostile disk.
		if p := recover(); p != nil {
			res.Problems = append(res.Problems, fmt.Sprintf("decoder panic: %v", p))
		}
	}()
	r := &reader{dev: dev, res: &res}
	n := HeadSize
	if dev.Size > 0 && dev.Size < int64(n) {
		n = int(dev.Size)
	}
	if n > 0 {
		buf := make([]byte, n)
		m, err := dev.R.ReadAt(buf, 0)
		if err != nil && !errors.Is(err, io.EOF) {
			r.problem("read the first %d bytes: %v", n, err)
		}
		r.head = buf[:m]
	}
	// RAID-like members first, as blkid does: an md 1.0 member or a
	// mirror's half starts with its filesystem, which must not win.
	for _, p := range []func(*reader) *Signature{probeMD, probeLVM2, probeZFS} {
		if s := p(r); s != nil {
			res.Signatures = append(res.Signatures, *s)
			return res
		}
	}
	if !dev.Partition {
		res.Table = probeTable(r)
	}
	for _, p := range []func(*reader) *Signature{probeLUKS, probeXFS, probeExt, probeBtrfs, probeSwap, probeVFAT} {
		if s := p(r); s != nil {
			res.Signatures = append(res.Signatures, *s)
			break
		}
	}
	// blkid: a FAT boot sector also carries 0x55AA; it is a filesystem,
	// not an MBR.
	if res.Table != nil && res.Table.Type == "dos" && len(res.Signatures) > 0 && res.Signatures[0].Type == "vfat" {
		res.Table = nil
	}
	return res
}
