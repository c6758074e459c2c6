package smbios

import (
	"encoding/binary"
	"testing"
)

// Synthetic tables for what no fixture holds (types 42 and 43, SSIF,
// truncated and corrupt tables). Each structure is spelled out byte by byte
// where it is built; the dmidecode test checks the builder and the decoder
// together against the real dmidecode.

// structBytes returns one SMBIOS structure: the 4-byte header (type,
// length, handle), fields (the formatted area after the header) and the
// string set with its double-NUL terminator.
func structBytes(typ uint8, handle uint16, fields []byte, strs ...string) []byte {
	b := []byte{typ, byte(4 + len(fields)), byte(handle), byte(handle >> 8)}
	b = append(b, fields...)
	for _, s := range strs {
		b = append(append(b, s...), 0)
	}
	if len(strs) == 0 {
		b = append(b, 0)
	}
	return append(b, 0)
}

// endOfTable is a type 127 structure.
func endOfTable(handle uint16) []byte { return structBytes(127, handle, nil) }

// entry3 is a 64-bit (_SM3_) entry point for a table of tableLen bytes at
// address 0x20, as dmidecode --dump-bin writes it.
func entry3(major, minor, docrev uint8, tableLen int) []byte {
	e := make([]byte, 0x18)
	copy(e, "_SM3_")
	e[0x06] = 0x18
	e[0x07], e[0x08], e[0x09] = major, minor, docrev
	e[0x0A] = 1 // entry point revision
	binary.LittleEndian.PutUint32(e[0x0C:], uint32(tableLen))
	binary.LittleEndian.PutUint64(e[0x10:], 0x20)
	e[0x05] = checksum(e)
	return e
}

// entry2 is a 32-bit (_SM_) entry point for count structures in tableLen
// bytes at address 0x20.
func entry2(major, minor uint8, tableLen, count, maxSize int) []byte {
	e := make([]byte, 0x1F)
	copy(e, "_SM_")
	e[0x05] = 0x1F
	e[0x06], e[0x07] = major, minor
	binary.LittleEndian.PutUint16(e[0x08:], uint16(maxSize))
	copy(e[0x10:], "_DMI_")
	binary.LittleEndian.PutUint16(e[0x16:], uint16(tableLen))
	binary.LittleEndian.PutUint32(e[0x18:], 0x20)
	binary.LittleEndian.PutUint16(e[0x1C:], uint16(count))
	e[0x1E] = major<<4 | minor
	e[0x15] = checksum(e[0x10:0x1F])
	e[0x04] = checksum(e)
	return e
}

// checksum returns the byte that makes b sum to zero, the checksum byte
// itself being zero in b.
func checksum(b []byte) byte {
	var s byte
	for _, c := range b {
		s += c
	}
	return -s
}

// dumpBin lays out entry and table as dmidecode --dump-bin does: the entry
// point at 0, the table at 0x20.
func dumpBin(entry, table []byte) []byte {
	d := make([]byte, 0x20, 0x20+len(table))
	copy(d, entry)
	return append(d, table...)
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// parseBuilt parses a synthetic SMBIOS 3.2 table and fails on error.
func parseBuilt(t testing.TB, structs ...[]byte) *Table {
	t.Helper()
	table := concat(structs...)
	tb, err := Parse(entry3(3, 2, 0, len(table)), table)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}
