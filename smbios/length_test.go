package smbios

import (
	"strings"
	"testing"
)

// structureAt returns the offset of the n-th (from 1) structure of type
// typ in a structure table.
func structureAt(t *testing.T, table []byte, typ byte, n int) int {
	t.Helper()
	for off := 0; off+4 <= len(table); {
		if table[off] == typ {
			if n--; n == 0 {
				return off
			}
		}
		next := off + int(table[off+1])
		for next+1 < len(table) && (table[next] != 0 || table[next+1] != 0) {
			next++
		}
		off = next + 2
	}
	t.Fatalf("no structure %d of type %d", n, typ)
	return 0
}

// A structure whose length byte runs past what SMBIOS defines for its
// type is not decoded, nor anything after it: the fields, strings and
// following structures would be read from the wrong bytes. Problem names
// it; the structures before it are kept. Every real table of the fixtures
// passes the check (the fixture tests).
func TestStructureLongerThanDefined(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		fixture string
		typ     byte
		n       int
		length  byte
	}{
		{"SuperMicro-X9DBL", 1, 1, 0xFF},
		{"GigaByte-X399", 17, 2, 0xFF},
		{"Lenovo-ThinkPad-T480", 0, 1, 0xFF},
		{"VMWare", 4, 1, 0xFF},
		{"Synology-RS3614xsp", 2, 1, 0xFF},
	} {
		entry, table := readFixture(t, tt.fixture)
		table = append([]byte(nil), table...)
		off := structureAt(t, table, tt.typ, tt.n)
		table[off+1] = tt.length
		tb, err := Parse(entry, table)
		if err != nil {
			if off == 0 && strings.Contains(err.Error(), "longer than SMBIOS defines") {
				continue // the first structure: nothing to keep
			}
			t.Fatalf("%s: %v", tt.fixture, err)
		}
		p := tb.Problem()
		if p == nil || !strings.Contains(p.Error(), "longer than SMBIOS defines") || !strings.Contains(p.Error(), "length 255") {
			t.Errorf("%s type %d: Problem() = %v", tt.fixture, tt.typ, p)
		}
		for _, s := range tb.Tables {
			if s.Length == tt.length && uint8(s.Type) == tt.typ {
				t.Errorf("%s: the broken structure was kept", tt.fixture)
			}
		}
	}
}
