package blockid

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"unicode/utf16"
)

// Table is a partition table.
type Table struct {
	// Type is blkid's PTTYPE: "gpt" or "dos".
	Type string
	// UUID is blkid's PTUUID: the GPT disk GUID or the MBR disk signature
	// ("1a2b3c4d").
	UUID string
	// Entries are the used entries in table order.
	Entries []Entry
}

// Entry is one partition table entry.
type Entry struct {
	// Number is the partition number the kernel gives it (sdaN).
	Number int
	// Start and Size in bytes.
	Start, Size int64
	// Type is blkid's PART_ENTRY_TYPE: the GPT type GUID in lower case or
	// the MBR type ("0x83").
	Type string
	// UUID is PART_ENTRY_UUID: the GPT partition GUID, or the MBR disk
	// signature and the number ("1a2b3c4d-01").
	UUID string
	// Name is the GPT partition name (PART_ENTRY_NAME).
	Name string
}

func probeTable(r *reader) *Table {
	mbr := r.at(0, 512)
	if mbr == nil || mbr[510] != 0x55 || mbr[511] != 0xAA {
		return nil
	}
	protective := false
	for i := 0; i < 4; i++ {
		e := mbr[446+16*i:]
		if e[0] != 0 && e[0] != 0x80 {
			return nil // not an MBR: boot indicators are 0x00 or 0x80
		}
		if e[4] == 0xEE {
			protective = true
		}
	}
	if protective {
		if t := probeGPT(r); t != nil {
			return t
		}
		r.problem("protective MBR without a valid GPT")
		return &Table{Type: "PMBR"}
	}
	return probeDOS(r, mbr)
}

// gptHeader is the part of the GPT header (UEFI 2.10 §5.3.2) used here.
type gptHeader struct {
	myLBA, altLBA     uint64
	diskGUID          []byte
	entriesLBA        uint64
	entries, entrySiz uint32
	entriesCRC        uint32
}

// readGPTHeader reads and checks the header at lba.
func readGPTHeader(r *reader, lba uint64) (*gptHeader, string) {
	ss := r.sectorSize()
	if lba > uint64(1)<<40 {
		return nil, "header LBA out of range"
	}
	b := r.at(int64(lba)*int64(ss), ss)
	if b == nil {
		return nil, "unreadable"
	}
	if string(b[:8]) != "EFI PART" {
		return nil, "no EFI PART signature"
	}
	hsize := binary.LittleEndian.Uint32(b[12:])
	if hsize < 92 || int(hsize) > ss {
		return nil, fmt.Sprintf("header size %d", hsize)
	}
	h := append([]byte(nil), b[:hsize]...)
	want := binary.LittleEndian.Uint32(h[16:])
	binary.LittleEndian.PutUint32(h[16:], 0)
	if crc32.ChecksumIEEE(h) != want {
		return nil, "header CRC mismatch"
	}
	g := &gptHeader{
		myLBA:      binary.LittleEndian.Uint64(h[24:]),
		altLBA:     binary.LittleEndian.Uint64(h[32:]),
		diskGUID:   h[56:72],
		entriesLBA: binary.LittleEndian.Uint64(h[72:]),
		entries:    binary.LittleEndian.Uint32(h[80:]),
		entrySiz:   binary.LittleEndian.Uint32(h[84:]),
		entriesCRC: binary.LittleEndian.Uint32(h[88:]),
	}
	if g.myLBA != lba {
		return nil, fmt.Sprintf("header says it is at LBA %d", g.myLBA)
	}
	if g.entrySiz < 128 || g.entrySiz%8 != 0 || uint64(g.entries)*uint64(g.entrySiz) > MaxRead {
		return nil, fmt.Sprintf("%d entries of %d bytes", g.entries, g.entrySiz)
	}
	return g, ""
}

func probeGPT(r *reader) *Table {
	h, why := readGPTHeader(r, 1)
	if h == nil {
		// The backup header sits in the last LBA (UEFI 2.10 §5.3.2).
		ss := int64(r.sectorSize())
		if r.dev.Size/ss > 2 {
			last := uint64(r.dev.Size/ss - 1)
			if b, why2 := readGPTHeader(r, last); b != nil {
				r.problem("primary GPT header: %s; the backup at LBA %d is used", why, last)
				h = b
			} else {
				r.problem("GPT: primary header: %s; backup header: %s", why, why2)
				return nil
			}
		} else {
			r.problem("GPT: primary header: %s", why)
			return nil
		}
	}
	ss := int64(r.sectorSize())
	if h.entriesLBA > uint64(1)<<40 {
		r.problem("GPT: entry array at LBA %d", h.entriesLBA)
		return &Table{Type: "gpt", UUID: guid(h.diskGUID)}
	}
	t := &Table{Type: "gpt", UUID: guid(h.diskGUID)}
	arr := r.at(int64(h.entriesLBA)*ss, int(h.entries*h.entrySiz))
	if arr == nil {
		r.problem("GPT: entry array unreadable")
		return t
	}
	if crc32.ChecksumIEEE(arr) != h.entriesCRC {
		r.problem("GPT: entry array CRC mismatch")
		return t
	}
	var zero [16]byte
	for i := 0; i < int(h.entries); i++ {
		e := arr[i*int(h.entrySiz):]
		if bytes.Equal(e[:16], zero[:]) {
			continue
		}
		first := binary.LittleEndian.Uint64(e[32:])
		last := binary.LittleEndian.Uint64(e[40:])
		ent := Entry{Number: i + 1, Type: guid(e[:16]), UUID: guid(e[16:32]), Name: utf16Name(e[56:128])}
		if last >= first && last < uint64(1)<<48 {
			ent.Start = int64(first) * ss
			ent.Size = int64(last-first+1) * ss
		}
		t.Entries = append(t.Entries, ent)
	}
	return t
}

// guid formats a GUID stored mixed-endian (the first three fields little
// endian), lower case, as blkid and lsblk print it.
func guid(b []byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x", binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint16(b[4:]),
		binary.LittleEndian.Uint16(b[6:]), b[8:10], b[10:16])
}

// utf16Name decodes a NUL-terminated UTF-16LE name.
func utf16Name(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return strings.ToValidUTF8(string(utf16.Decode(u)), "\uFFFD")
}

// maxLogical bounds the chain of extended boot records.
const maxLogical = 128

func probeDOS(r *reader, mbr []byte) *Table {
	id := binary.LittleEndian.Uint32(mbr[440:])
	t := &Table{Type: "dos", UUID: fmt.Sprintf("%08x", id)}
	entry := func(e []byte, base int64, n int) Entry {
		start := int64(binary.LittleEndian.Uint32(e[8:])) + base
		return Entry{Number: n, Type: fmt.Sprintf("0x%x", e[4]), UUID: fmt.Sprintf("%08x-%02x", id, n),
			Start: start * 512, Size: int64(binary.LittleEndian.Uint32(e[12:])) * 512}
	}
	var ext *Entry
	for i := 0; i < 4; i++ {
		e := mbr[446+16*i:]
		if e[4] == 0 || binary.LittleEndian.Uint32(e[12:]) == 0 {
			continue
		}
		ent := entry(e, 0, i+1)
		t.Entries = append(t.Entries, ent)
		if isExtended(e[4]) && ext == nil {
			ext = &ent
		}
	}
	if ext != nil {
		logicalPartitions(r, t, id, ext.Start/512, entry)
	}
	return t
}

func isExtended(typ byte) bool { return typ == 0x05 || typ == 0x0F || typ == 0x85 }

// logicalPartitions walks the extended boot records of an extended
// partition starting at sector extStart: each holds one logical partition
// (relative to itself) and the link to the next (relative to extStart).
func logicalPartitions(r *reader, t *Table, id uint32, extStart int64, entry func([]byte, int64, int) Entry) {
	seen := map[int64]bool{}
	cur := extStart
	n := 5
	for range maxLogical {
		if seen[cur] {
			r.problem("dos: extended boot record loop at sector %d", cur)
			return
		}
		seen[cur] = true
		b := r.at(cur*512, 512)
		if b == nil || b[510] != 0x55 || b[511] != 0xAA {
			if b == nil || cur != extStart {
				r.problem("dos: extended boot record at sector %d unreadable or without signature", cur)
			}
			return
		}
		var next int64 = -1
		for i := 0; i < 2; i++ {
			e := b[446+16*i:]
			if e[4] == 0 || binary.LittleEndian.Uint32(e[12:]) == 0 {
				continue
			}
			if isExtended(e[4]) {
				next = extStart + int64(binary.LittleEndian.Uint32(e[8:]))
				continue
			}
			t.Entries = append(t.Entries, entry(e, cur, n))
			n++
		}
		if next < 0 {
			return
		}
		cur = next
	}
	r.problem("dos: more than %d logical partitions", maxLogical)
}
