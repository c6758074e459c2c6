package blockid

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
)

// uuidString formats 16 bytes as a big-endian UUID ("8-4-4-4-12"), as
// blkid prints ext, XFS, swap and md UUIDs.
func uuidString(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// cstring returns b up to its first NUL, without trailing spaces, with
// invalid UTF-8 replaced.
func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.ToValidUTF8(strings.TrimRight(string(b), " "), "\uFFFD")
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// ext feature bits (ext4 super_block s_feature_*).
const (
	extCompatHasJournal      = 0x0004
	extIncompatFiletype      = 0x0002
	extIncompatRecover       = 0x0004
	extIncompatJournalDev    = 0x0008
	extIncompatMetaBG        = 0x0010
	extROCompatSparseSuper   = 0x0001
	extROCompatLargeFile     = 0x0002
	extROCompatBtreeDir      = 0x0004
	extFlagsTestFilesys      = 0x0004
	ext2ROCompatSupported    = extROCompatSparseSuper | extROCompatLargeFile | extROCompatBtreeDir
	ext2IncompatSupported    = extIncompatFiletype | extIncompatMetaBG
	ext3IncompatSupported    = extIncompatFiletype | extIncompatRecover | extIncompatMetaBG
	extSuperblockOffset      = 1024
	extMagicOffset           = 0x38
	extMagic                 = 0xEF53
	extSuperblockUsedPrefix  = 0x100
	extVolumeNameOffset      = 0x78
	extUUIDOffset            = 0x68
	extRevLevelOffset        = 0x4C
	extMinorRevLevelOffset   = 0x3E
	extFeatureCompatOffset   = 0x5C
	extFeatureIncompatOffset = 0x60
	extFeatureROCompatOffset = 0x64
	extFlagsOffset           = 0x160
)

// probeExt decodes an ext2/3/4 superblock (at 1024) and names it the way
// libblkid's ext.c does: jbd (external journal), ext2 (no journal, only
// ext2 features), ext3 (journal, only ext3 features), else ext4 (ext4dev
// when the test-filesystem flag is set).
func probeExt(r *reader) *Signature {
	sb := r.at(extSuperblockOffset, 0x200)
	if sb == nil || binary.LittleEndian.Uint16(sb[extMagicOffset:]) != extMagic {
		return nil
	}
	compat := binary.LittleEndian.Uint32(sb[extFeatureCompatOffset:])
	incompat := binary.LittleEndian.Uint32(sb[extFeatureIncompatOffset:])
	rocompat := binary.LittleEndian.Uint32(sb[extFeatureROCompatOffset:])
	flags := binary.LittleEndian.Uint32(sb[extFlagsOffset:])
	var typ string
	switch {
	case incompat&extIncompatJournalDev != 0:
		typ = "jbd"
	case compat&extCompatHasJournal == 0 && rocompat&^ext2ROCompatSupported == 0 && incompat&^ext2IncompatSupported == 0:
		typ = "ext2"
	case compat&extCompatHasJournal != 0 && rocompat&^ext2ROCompatSupported == 0 && incompat&^ext3IncompatSupported == 0:
		typ = "ext3"
	case flags&extFlagsTestFilesys != 0:
		typ = "ext4dev"
	default:
		typ = "ext4"
	}
	s := &Signature{Type: typ, Usage: "filesystem", Offset: extSuperblockOffset + extMagicOffset,
		Label:   cstring(sb[extVolumeNameOffset : extVolumeNameOffset+16]),
		Version: fmt.Sprintf("%d.%d", binary.LittleEndian.Uint32(sb[extRevLevelOffset:]), binary.LittleEndian.Uint16(sb[extMinorRevLevelOffset:])),
	}
	if typ == "jbd" {
		s.Usage = "other"
	}
	if u := sb[extUUIDOffset : extUUIDOffset+16]; !allZero(u) {
		s.UUID = uuidString(u)
	}
	return s
}

// probeXFS decodes an XFS superblock (xfs_sb at 0, big endian) after the
// sanity checks libblkid's xfs_verify_sb makes on the geometry.
func probeXFS(r *reader) *Signature {
	sb := r.at(0, 512)
	if sb == nil || string(sb[:4]) != "XFSB" {
		return nil
	}
	be := binary.BigEndian
	blocksize := be.Uint32(sb[4:])
	sectsize := be.Uint16(sb[102:])
	inodesize := be.Uint16(sb[104:])
	agblocks := be.Uint32(sb[84:])
	agcount := be.Uint32(sb[88:])
	if blocksize < 512 || blocksize > 65536 || blocksize&(blocksize-1) != 0 ||
		sectsize < 512 || sectsize > 32768 || sectsize&(sectsize-1) != 0 ||
		inodesize < 256 || inodesize > 2048 || agblocks == 0 || agcount == 0 {
		r.problem("xfs: superblock with impossible geometry")
		return nil
	}
	s := &Signature{Type: "xfs", Usage: "filesystem", Label: cstring(sb[108:120])}
	if u := sb[32:48]; !allZero(u) {
		s.UUID = uuidString(u)
	}
	return s
}

// probeSwap finds the swap signature at the end of the first page for
// the page sizes Linux uses (libblkid swap.c), and reads the version 1
// header's UUID and label.
func probeSwap(r *reader) *Signature {
	for _, page := range []int64{4096, 8192, 16384, 32768, 65536} {
		m := r.at(page-10, 10)
		if m == nil {
			continue
		}
		switch string(m) {
		case "SWAP-SPACE":
			return &Signature{Type: "swap", Usage: "other", Version: "0", Offset: page - 10}
		case "SWAPSPACE2":
			h := r.at(1024, 64)
			if h == nil {
				return nil
			}
			s := &Signature{Type: "swap", Usage: "other", Offset: page - 10,
				Version: fmt.Sprintf("%d", binary.LittleEndian.Uint32(h[0:])), Label: cstring(h[28:44])}
			if u := h[12:28]; !allZero(u) {
				s.UUID = uuidString(u)
			}
			return s
		}
	}
	return nil
}

// probeVFAT decodes a FAT boot sector: the checks libblkid's vfat.c makes
// on the BIOS parameter block, then the volume serial (as "XXXX-XXXX") and
// the boot sector's label.
func probeVFAT(r *reader) *Signature {
	b := r.at(0, 512)
	if b == nil {
		return nil
	}
	le := binary.LittleEndian
	bps := le.Uint16(b[11:])
	spc := b[13]
	reserved := le.Uint16(b[14:])
	fats := b[16]
	media := b[21]
	if bps < 512 || bps > 4096 || bps&(bps-1) != 0 || spc == 0 || spc&(spc-1) != 0 ||
		reserved == 0 || fats == 0 || fats > 4 || (media != 0xF0 && media < 0xF8) {
		return nil
	}
	var label, version string
	var serial uint32
	switch {
	case string(b[0x52:0x57]) == "FAT32":
		version, serial, label = "FAT32", le.Uint32(b[0x43:]), string(b[0x47:0x52])
	case string(b[0x36:0x3B]) == "FAT12" || string(b[0x36:0x3B]) == "FAT16" || string(b[0x36:0x39]) == "FAT":
		version, serial, label = strings.TrimSpace(string(b[0x36:0x3B])), le.Uint32(b[0x27:]), string(b[0x2B:0x36])
		if version == "FAT" {
			version = "FAT16"
		}
	case string(b[3:8]) == "MSWIN" || string(b[3:11]) == "MSDOS5.0" || string(b[3:11]) == "mkfs.fat" || string(b[3:11]) == "mkdosfs ":
		version = "FAT16"
	default:
		return nil
	}
	s := &Signature{Type: "vfat", Usage: "filesystem", Version: version}
	if label = strings.TrimRight(label, " \x00"); label != "" && label != "NO NAME" {
		s.Label = strings.ToValidUTF8(label, "\uFFFD")
	}
	if serial != 0 {
		s.UUID = fmt.Sprintf("%04X-%04X", serial>>16, serial&0xFFFF)
	}
	return s
}

// probeLUKS decodes a LUKS1 or LUKS2 header (both start with "LUKS\xba\xbe"
// and a big-endian version; the UUID is a 40-byte string at 168, LUKS2's
// label 48 bytes at 24).
func probeLUKS(r *reader) *Signature {
	h := r.at(0, 512)
	if h == nil || string(h[:6]) != "LUKS\xba\xbe" {
		return nil
	}
	v := binary.BigEndian.Uint16(h[6:])
	s := &Signature{Type: "crypto_LUKS", Usage: "crypto", Version: fmt.Sprintf("%d", v), UUID: cstring(h[168:208])}
	if v == 2 {
		s.Label = cstring(h[24:72])
	}
	return s
}

// btrfs superblock (fs/btrfs/accessors and ctree.h): the primary copy at
// 64 KiB, 4 KiB long, checksummed from byte 0x20 with crc32c (csum_type 0).
const (
	btrfsSuperOffset = 64 << 10
	btrfsSuperSize   = 4096
)

// castagnoli is the crc32c table, made on first use: making it (the
// SSE4.2 path's tables) is 1.3 M instructions, a third of every hwagent
// start when it ran at package initialization, and most disks hold no
// btrfs.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// probeBtrfs decodes the primary btrfs superblock: magic "_BHRfS_M" at
// 0x40, the checksum libblkid verifies, fsid (UUID) at 0x20, the device's
// UUID (UUID_SUB) in dev_item at 0xc9+0x42, the label at 0x12b.
func probeBtrfs(r *reader) *Signature {
	sb := r.at(btrfsSuperOffset, btrfsSuperSize)
	if sb == nil || string(sb[0x40:0x48]) != "_BHRfS_M" {
		return nil
	}
	if binary.LittleEndian.Uint16(sb[0xc4:]) == 0 { // crc32c
		if crc32.Checksum(sb[0x20:], castagnoli()) != binary.LittleEndian.Uint32(sb[0:]) {
			r.problem("btrfs superblock: checksum mismatch")
			return nil
		}
	}
	return &Signature{Type: "btrfs", Usage: "filesystem", Offset: btrfsSuperOffset + 0x40,
		UUID: uuidString(sb[0x20:0x30]), SubUUID: uuidString(sb[0xc9+0x42 : 0xc9+0x52]), Label: cstring(sb[0x12b : 0x12b+256])}
}
