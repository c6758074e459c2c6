package blockid

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strconv"
)

// mdMagic is MD_SB_MAGIC, in the byte order of the superblock.
const mdMagic = 0xa92b4efc

// probeMD looks for md RAID member superblocks where mdadm writes them:
// version 1.1 at 0, 1.2 at 4 KiB, 1.0 at 8 KiB before the end (4 KiB
// aligned), and 0.90 in the last 64 KiB-aligned 64 KiB.
func probeMD(r *reader) *Signature {
	if s := mdV1(r, 0, "1.1"); s != nil {
		return s
	}
	if s := mdV1(r, 4096, "1.2"); s != nil {
		return s
	}
	if r.dev.Size >= 128<<10 {
		sectors := r.dev.Size / 512
		if s := mdV1(r, ((sectors-16)&^7)*512, "1.0"); s != nil {
			return s
		}
		return md090(r, ((sectors&^127)-128)*512)
	}
	return nil
}

// mdV1 decodes an mdp_superblock_1 at off (drivers/md/md.h): magic,
// major_version 1, set_uuid at 16, set_name at 32, super_offset (sectors)
// at 144, dev_uuid at 168, sb_csum at 216, max_dev at 220. Like libblkid
// it requires super_offset to match where the superblock was found and
// the checksum (mdadm's calc_sb_1_csum) to hold.
func mdV1(r *reader, off int64, version string) *Signature {
	sb := r.at(off, 256)
	le := binary.LittleEndian
	if sb == nil || le.Uint32(sb[0:]) != mdMagic || le.Uint32(sb[4:]) != 1 {
		return nil
	}
	if so := le.Uint64(sb[144:]); so != uint64(off/512) {
		return nil
	}
	maxDev := le.Uint32(sb[220:])
	if maxDev > 1920 {
		r.problem("md %s superblock: max_dev %d", version, maxDev)
		return nil
	}
	full := r.at(off, 256+int(maxDev)*2)
	if full == nil {
		return nil
	}
	want := le.Uint32(full[216:])
	var sum uint64
	size := len(full)
	i := 0
	for ; size >= 4; size -= 4 {
		v := le.Uint32(full[i:])
		if i == 216 {
			v = 0
		}
		sum += uint64(v)
		i += 4
	}
	if size == 2 {
		sum += uint64(le.Uint16(full[i:]))
	}
	if got := uint32((sum & 0xffffffff) + (sum >> 32)); got != want {
		r.problem("md %s superblock at %d: checksum mismatch", version, off)
		return nil
	}
	return &Signature{Type: "linux_raid_member", Usage: "raid", Version: version, Offset: off,
		UUID: uuidString(sb[16:32]), Label: cstring(sb[32:64]), SubUUID: uuidString(sb[168:184])}
}

// md090 decodes a version 0.90 superblock (mdp_super_t, host byte order:
// tried little endian, as on x86 and arm64): the UUID is set_uuid0 (word 5)
// then set_uuid1-3 (words 13-15).
func md090(r *reader, off int64) *Signature {
	sb := r.at(off, 128)
	le := binary.LittleEndian
	if sb == nil || le.Uint32(sb[0:]) != mdMagic || le.Uint32(sb[4:]) != 0 || le.Uint32(sb[8:]) != 90 {
		return nil
	}
	u := make([]byte, 0, 16)
	for _, w := range []int{5, 13, 14, 15} {
		u = binary.BigEndian.AppendUint32(u, le.Uint32(sb[w*4:]))
	}
	return &Signature{Type: "linux_raid_member", Usage: "raid", Version: "0.90.0", Offset: off, UUID: uuidString(u)}
}

// lvmCRC is LVM2's calc_crc: reflected CRC-32 (IEEE polynomial) seeded with
// 0xf597a6cf and no final inversion.
func lvmCRC(b []byte) uint32 {
	return ^crc32.Update(^uint32(0xf597a6cf), crc32.IEEETable, b)
}

// probeLVM2 finds an LVM2 label (label_header) in one of the first four
// sectors: "LABELONE", its own sector number, a CRC over the rest of the
// sector, "LVM2 001", and the PV UUID (32 characters) in the pv_header the
// label points to, printed 6-4-4-4-4-4-6 as blkid does.
func probeLVM2(r *reader) *Signature {
	le := binary.LittleEndian
	for sector := int64(0); sector < 4; sector++ {
		b := r.at(sector*512, 512)
		if b == nil || string(b[:8]) != "LABELONE" || string(b[24:32]) != "LVM2 001" {
			continue
		}
		if le.Uint64(b[8:]) != uint64(sector) {
			continue
		}
		if lvmCRC(b[20:]) != le.Uint32(b[16:]) {
			r.problem("LVM2 label at sector %d: checksum mismatch", sector)
			continue
		}
		pv := int(le.Uint32(b[20:]))
		if pv < 32 || pv+32 > 512 {
			r.problem("LVM2 label at sector %d: pv_header offset %d", sector, pv)
			continue
		}
		id := b[pv : pv+32]
		uuid := fmt.Sprintf("%s-%s-%s-%s-%s-%s-%s", id[0:6], id[6:10], id[10:14], id[14:18], id[18:22], id[22:26], id[26:32])
		return &Signature{Type: "LVM2_member", Usage: "raid", Version: "LVM2 001", Offset: sector*512 + 24, UUID: cstring([]byte(uuid))}
	}
	return nil
}

// ZFS vdev label layout (module/zfs/vdev_label.c): 8 KiB blank, 8 KiB boot
// header, then 112 KiB of XDR-encoded nvlist (vdev_phys) at 16 KiB, then
// the uberblock ring at 128 KiB; uberblocks start with UBERBLOCK_MAGIC.
const (
	zfsNVListOffset    = 16 << 10
	zfsUberblockOffset = 128 << 10
	zfsUberblockMagic  = 0x00bab10c
	zfsNVListRead      = 4 << 10
	// zfsUberblockSlots are the slots of the ring looked at (1 KiB each):
	// a new pool writes from slot 4 on (txg 4).
	zfsUberblockSlots = 16
	// zfsMinSize is blkid's minimum size of a ZFS member.
	zfsMinSize = 64 << 20
)

// probeZFS reads label 0 of a ZFS pool member: uberblocks (magic in
// either byte order) in the first 16 slots of the ring at 128 KiB, whose
// ub_version is blkid's VERSION, then the pool name, pool GUID and vdev
// GUID from the nvlist, as blkid's LABEL, UUID and UUID_SUB (GUIDs in
// decimal). Only a device of 64 MiB or more whose first 8 KiB are blank
// is looked at. blkid wants four uberblocks; one is enough here, so a
// young pool is not missed.
func probeZFS(r *reader) *Signature {
	if r.dev.Size < zfsMinSize || len(r.head) < HeadSize || !allZero(r.head[:HeadSize]) {
		return nil
	}
	ring := r.at(zfsUberblockOffset, zfsUberblockSlots*1024)
	if ring == nil {
		return nil
	}
	var s *Signature
	for i := 0; i < zfsUberblockSlots && s == nil; i++ {
		ub := ring[i*1024:]
		var order binary.ByteOrder
		switch {
		case binary.LittleEndian.Uint64(ub) == zfsUberblockMagic:
			order = binary.LittleEndian
		case binary.BigEndian.Uint64(ub) == zfsUberblockMagic:
			order = binary.BigEndian
		default:
			continue
		}
		s = &Signature{Type: "zfs_member", Usage: "filesystem", Offset: zfsUberblockOffset + int64(i)*1024,
			Version: strconv.FormatUint(order.Uint64(ub[8:]), 10)}
	}
	if s == nil {
		return nil
	}
	nv := r.at(zfsNVListOffset, zfsNVListRead)
	if nv == nil {
		return s
	}
	pairs, err := decodeNVList(nv)
	if err != nil {
		r.problem("zfs label nvlist: %v", err)
	}
	if v, ok := pairs["name"].(string); ok {
		s.Label = v
	}
	if v, ok := pairs["pool_guid"].(uint64); ok {
		s.UUID = strconv.FormatUint(v, 10)
	}
	if v, ok := pairs["guid"].(uint64); ok {
		s.SubUUID = strconv.FormatUint(v, 10)
	}
	return s
}

// nvlist data types used here (sys/nvpair.h).
const (
	nvUint64 = 8
	nvString = 9
)

// decodeNVList decodes the top-level string and uint64 pairs of an
// XDR-encoded nvlist (nvs_xdr): a 4-byte encoding header (1 = XDR), the
// nvlist version and flags, then pairs of encoded size, decoded size, name
// (length-prefixed, padded to 4), type, element count and value, ending
// with a zero encoded size. Other types are skipped by their encoded size.
func decodeNVList(b []byte) (map[string]any, error) {
	out := map[string]any{}
	if len(b) < 12 || b[0] != 1 {
		return out, fmt.Errorf("not an XDR nvlist")
	}
	be := binary.BigEndian
	off := 12
	for n := 0; n < 256; n++ {
		if off+8 > len(b) {
			return out, fmt.Errorf("truncated after %d pairs", n)
		}
		encSize := int(be.Uint32(b[off:]))
		if encSize == 0 {
			return out, nil
		}
		if encSize < 8 || off+encSize > len(b) {
			return out, fmt.Errorf("pair %d: encoded size %d", n, encSize)
		}
		p := b[off : off+encSize]
		off += encSize
		if len(p) < 12 {
			continue
		}
		nameLen := int(be.Uint32(p[8:]))
		pos := 12 + (nameLen+3)&^3
		if nameLen > len(p) || pos+8 > len(p) {
			continue
		}
		name := string(bytes.TrimRight(p[12:12+nameLen], "\x00"))
		typ := be.Uint32(p[pos:])
		nelem := be.Uint32(p[pos+4:])
		val := p[pos+8:]
		switch {
		case typ == nvUint64 && nelem == 1 && len(val) >= 8:
			out[name] = be.Uint64(val)
		case typ == nvString && nelem == 1 && len(val) >= 4:
			l := int(be.Uint32(val))
			if l <= len(val)-4 {
				out[name] = string(val[4 : 4+l])
			}
		}
	}
	return out, fmt.Errorf("more than 256 pairs")
}
