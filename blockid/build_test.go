package blockid

import (
	"encoding/binary"
	"hash/crc32"
)

// Builders of minimal on-disk structures, for the fuzz seeds and for the
// formats whose tools cannot run here (md needs the kernel's md driver,
// ZFS its module): each is checked against blkid on the same bytes where
// blkid recognises them.

// mdV12 writes an md 1.2 superblock (at 4 KiB) with a valid checksum into
// img.
func mdV12(img []byte, off int64, setUUID, devUUID [16]byte, name string) {
	sb := img[off : off+256+2*4]
	le := binary.LittleEndian
	le.PutUint32(sb[0:], mdMagic)
	le.PutUint32(sb[4:], 1)
	copy(sb[16:32], setUUID[:])
	copy(sb[32:64], name)
	le.PutUint32(sb[72:], 1) // level raid1
	le.PutUint64(sb[144:], uint64(off/512))
	copy(sb[168:184], devUUID[:])
	le.PutUint32(sb[220:], 4) // max_dev
	var sum uint64
	for i := 0; i < len(sb); i += 4 {
		if i != 216 {
			sum += uint64(le.Uint32(sb[i:]))
		}
	}
	le.PutUint32(sb[216:], uint32((sum&0xffffffff)+(sum>>32)))
}

// lvmLabel writes an LVM2 label in sector 1 with the PV UUID pvid (32
// characters).
func lvmLabel(img []byte, pvid string) {
	b := img[512:1024]
	copy(b, "LABELONE")
	binary.LittleEndian.PutUint64(b[8:], 1)
	binary.LittleEndian.PutUint32(b[20:], 32)
	copy(b[24:], "LVM2 001")
	copy(b[32:], pvid)
	binary.LittleEndian.PutUint32(b[16:], lvmCRC(b[20:]))
}

// gptImage writes a protective MBR, a primary GPT header and one entry.
func gptImage(img []byte, diskGUID, typ, part [16]byte, name string) {
	img[446+4] = 0xEE
	binary.LittleEndian.PutUint32(img[446+8:], 1)
	binary.LittleEndian.PutUint32(img[446+12:], uint32(len(img)/512-1))
	img[510], img[511] = 0x55, 0xAA
	ent := img[1024 : 1024+128*128]
	copy(ent[0:16], typ[:])
	copy(ent[16:32], part[:])
	binary.LittleEndian.PutUint64(ent[32:], 34)
	binary.LittleEndian.PutUint64(ent[40:], 40)
	for i, c := range name {
		binary.LittleEndian.PutUint16(ent[56+2*i:], uint16(c))
	}
	h := img[512:1024]
	copy(h, "EFI PART")
	binary.LittleEndian.PutUint32(h[8:], 0x00010000)
	binary.LittleEndian.PutUint32(h[12:], 92)
	binary.LittleEndian.PutUint64(h[24:], 1)
	binary.LittleEndian.PutUint64(h[32:], uint64(len(img)/512-1))
	binary.LittleEndian.PutUint64(h[40:], 34)
	binary.LittleEndian.PutUint64(h[48:], uint64(len(img)/512-34))
	copy(h[56:72], diskGUID[:])
	binary.LittleEndian.PutUint64(h[72:], 2)
	binary.LittleEndian.PutUint32(h[80:], 128)
	binary.LittleEndian.PutUint32(h[84:], 128)
	binary.LittleEndian.PutUint32(h[88:], crc32.ChecksumIEEE(ent))
	binary.LittleEndian.PutUint32(h[16:], crc32.ChecksumIEEE(h[:92]))
}

// nvpair appends an XDR nvpair (string or uint64) to b.
func nvpair(b []byte, name string, v any) []byte {
	be := binary.BigEndian
	var p []byte
	p = be.AppendUint32(p, 0) // encoded size, filled below
	p = be.AppendUint32(p, 0) // decoded size
	p = be.AppendUint32(p, uint32(len(name)))
	p = append(p, name...)
	for len(p)%4 != 0 {
		p = append(p, 0)
	}
	switch x := v.(type) {
	case string:
		p = be.AppendUint32(p, nvString)
		p = be.AppendUint32(p, 1)
		p = be.AppendUint32(p, uint32(len(x)))
		p = append(p, x...)
		for len(p)%4 != 0 {
			p = append(p, 0)
		}
	case uint64:
		p = be.AppendUint32(p, nvUint64)
		p = be.AppendUint32(p, 1)
		p = be.AppendUint64(p, x)
	}
	be.PutUint32(p[0:], uint32(len(p)))
	return append(b, p...)
}

// zfsLabel writes the vdev labels L0 and L1 (at 0 and 256 KiB) of a pool
// member: the nvlist with the pool's name and GUIDs and a ring of
// uberblocks.
func zfsLabel(img []byte, pool string, poolGUID, guid uint64) {
	for _, base := range []int{0, 256 << 10} {
		if base+zfsUberblockOffset+32*1024 > len(img) {
			continue
		}
		nv := []byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1} // XDR, big endian; version 0, flags NV_UNIQUE_NAME
		nv = nvpair(nv, "version", uint64(5000))
		nv = nvpair(nv, "name", pool)
		nv = nvpair(nv, "state", uint64(0))
		nv = nvpair(nv, "txg", uint64(4))
		nv = nvpair(nv, "pool_guid", poolGUID)
		nv = nvpair(nv, "guid", guid)
		nv = append(nv, 0, 0, 0, 0, 0, 0, 0, 0)
		copy(img[base+zfsNVListOffset:], nv)
		for i := 0; i < 32; i++ {
			ub := img[base+zfsUberblockOffset+i*1024:]
			binary.LittleEndian.PutUint64(ub[0:], zfsUberblockMagic)
			binary.LittleEndian.PutUint64(ub[8:], 5000)
			binary.LittleEndian.PutUint64(ub[16:], uint64(i))
		}
	}
}
