package smbios

import (
	"encoding/binary"
	"strings"

	usmbios "github.com/u-root/u-root/pkg/smbios"
)

// structure reads the fields of one SMBIOS structure by their DSP0134
// offsets. Every accessor is bounds-checked against the structure's
// formatted length, so a short or corrupt structure yields zero values,
// never a panic.
type structure struct {
	*usmbios.Table
}

// length is the formatted area's length (the header's Length byte, as far
// as the data actually holds it).
func (s structure) length() int { return s.Len() }

// has reports whether the formatted area holds n bytes at off.
func (s structure) has(off, n int) bool { return off >= 0 && n >= 0 && off+n <= s.Len() }

func (s structure) byte(off int) uint8 {
	v, err := s.GetByteAt(off)
	if err != nil {
		return 0
	}
	return v
}

// word, dword and qword read little-endian values; u-root's GetWordAt and
// friends allocate a reader per call, which the 620-structure VMware table
// notices.
func (s structure) word(off int) uint16 {
	if b := s.bytes(off, 2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (s structure) dword(off int) uint32 {
	if b := s.bytes(off, 4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (s structure) qword(off int) uint64 {
	if b := s.bytes(off, 8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// bytes returns n bytes at off, or nil.
func (s structure) bytes(off, n int) []byte {
	if !s.has(off, n) {
		return nil
	}
	b, err := s.GetBytesAt(off, n)
	if err != nil {
		return nil
	}
	return b
}

// str returns the string whose index is the byte at off: "" when the field
// is beyond the structure, the index is 0 (no string) or past the string set.
// The string is trimmed and bytes outside printable ASCII become '.', as
// dmidecode prints them.
func (s structure) str(off int) string {
	if !s.has(off, 1) || s.byte(off) == 0 {
		return ""
	}
	v, err := s.GetStringAt(off)
	if err != nil {
		return ""
	}
	return cleanString(v)
}

// cleanString trims surrounding space and applies dmidecode's ASCII filter.
func cleanString(v string) string {
	v = strings.TrimSpace(v)
	clean := true
	for i := 0; i < len(v); i++ {
		if v[i] < 32 || v[i] >= 127 {
			clean = false
			break
		}
	}
	if !clean {
		b := []byte(v)
		for i, c := range b {
			if c < 32 || c >= 127 {
				b[i] = '.'
			}
		}
		v = string(b)
	}
	return v
}
