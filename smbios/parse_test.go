package smbios

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
)

// mapped is everything the mapping methods return, for comparing tables.
type mapped struct {
	System  *inventory.System
	Sockets []inventory.CPUSocket
	Modules []inventory.MemoryModule
	IPMI    *inventory.IPMIInterface
	Redfish []inventory.RedfishHostInterface
	TPM     *inventory.TPM
	Errs    []string
}

// mapAll runs every mapping method; errors are collected, not fatal.
func mapAll(tb *Table) mapped {
	var m mapped
	var err error
	add := func(err error) {
		if err != nil {
			m.Errs = append(m.Errs, err.Error())
		}
	}
	m.System, err = tb.System()
	add(err)
	m.Sockets, err = tb.CPUSockets()
	add(err)
	m.Modules, err = tb.MemoryModules()
	add(err)
	m.IPMI, err = tb.IPMIInterface()
	add(err)
	m.Redfish, err = tb.RedfishHostInterfaces()
	add(err)
	m.TPM, err = tb.TPM()
	add(err)
	_ = tb.Version()
	return m
}

// eotOffset finds the end-of-table structure (7F 04 handle, then its
// string set: 00 00, or " " 00 00 in the Gigabyte GA-MA74GMT-S2) at the end
// of a fixture's table.
func eotOffset(t *testing.T, table []byte) int {
	t.Helper()
	i := bytes.LastIndex(table, []byte{0x7F, 0x04})
	if i < 0 || len(table)-i > 8 || !bytes.HasSuffix(table, []byte{0, 0}) {
		t.Fatal("no end-of-table structure")
	}
	return i
}

// TestWithoutEndOfTable cuts the type 127 structure, as Linux 6.6.39+ can
// export the table, and expects the same result.
func TestWithoutEndOfTable(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			entry, table := readFixture(t, name)
			full := mapAll(parseFixture(t, name))
			cut, err := Parse(entry, table[:eotOffset(t, table)])
			if err != nil {
				t.Fatal(err)
			}
			if err := cut.Problem(); err != nil {
				t.Errorf("Problem() = %v, want nil", err)
			}
			if diff := cmp.Diff(full, mapAll(cut)); diff != "" {
				t.Errorf("without end-of-table (-full +cut):\n%s", diff)
			}
		})
	}
}

// TestBytesAfterEndOfTable: whatever follows type 127 is ignored.
func TestBytesAfterEndOfTable(t *testing.T) {
	t.Parallel()
	entry, table := readFixture(t, "SuperMicro-X9DBL")
	padded := append(append([]byte(nil), table...), 0xDE, 0xAD, 0xBE)
	tb, err := Parse(entry, padded)
	if err != nil || tb.Problem() != nil {
		t.Fatalf("Parse: %v, problem %v", err, tb.Problem())
	}
	if diff := cmp.Diff(mapAll(parseFixture(t, "SuperMicro-X9DBL")), mapAll(tb)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestZeroPadding: zeros after the last structure of a table without an
// end-of-table structure are not read as structures of length 0.
func TestZeroPadding(t *testing.T) {
	t.Parallel()
	entry, table := readFixture(t, "Asus-UX307LA")
	padded := append(append([]byte(nil), table[:eotOffset(t, table)]...), make([]byte, 16)...)
	tb, err := Parse(entry, padded)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Problem() == nil {
		t.Error("Problem() = nil, want the zero-length structure reported")
	}
	if diff := cmp.Diff(mapAll(parseFixture(t, "Asus-UX307LA")), mapAll(tb)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestTruncatedTable cuts a table in the middle of a structure: the
// structures before the cut are kept and Problem says why the rest is not.
func TestTruncatedTable(t *testing.T) {
	t.Parallel()
	entry, table := readFixture(t, "GigaByte-X399")
	tb, err := Parse(entry, table[:len(table)/2+1])
	if err != nil {
		t.Fatal(err)
	}
	if tb.Problem() == nil {
		t.Error("Problem() = nil, want the truncation")
	}
	sys, err := tb.System()
	if err != nil || sys.Product.Name != "X399 AORUS XTREME" {
		t.Errorf("System() = %+v, %v; want the X399 before the cut", sys, err)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	entry, table := readFixture(t, "MSI-MS-7816")
	badSum := append([]byte(nil), entry...)
	badSum[4]++
	tests := []struct {
		name         string
		entry, table []byte
	}{
		{"no entry point", nil, table},
		{"entry point checksum", badSum, table},
		{"legacy _DMI_ anchor only", entry[0x10:], table},
		{"empty table", entry, nil},
		{"first structure cut", entry, table[:3]},
		{"first structure without terminator", entry, []byte{1, 8, 0, 0, 1, 2, 3, 4, 'a'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tb, err := Parse(tt.entry, tt.table); err == nil {
				t.Errorf("Parse succeeded with %d structures, want an error", len(tb.Tables))
			}
		})
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"GigaByte-X399": "3.1.1", "Lenovo-ThinkPad-T480": "3.0.0", "SuperMicro-X9DBL": "2.7"} {
		if got := parseFixture(t, name).Version(); got != want {
			t.Errorf("%s: Version() = %q, want %q", name, got, want)
		}
	}
}

func TestSystemNeedsType0Or1(t *testing.T) {
	t.Parallel()
	tb := parseBuilt(t, tpm43('N', 'T', 'C', 0, 2, 0, 0x00070002, 0))
	if _, err := tb.System(); !errors.Is(err, ErrNoStructure) {
		t.Errorf("System() error %v, want ErrNoStructure", err)
	}
}

// TestShortStructures: structures shorter than their types' fields give
// what they hold and no more (a 2.0-era type 1 of 8 bytes has no UUID).
func TestShortStructures(t *testing.T) {
	t.Parallel()
	tb := parseBuilt(t,
		structBytes(1, 1, []byte{1, 2, 0, 3}, "Acme", "X1", "SN1"),
		structBytes(4, 4, []byte{1, 3}, "CPU0"),             // too short: skipped
		structBytes(17, 17, []byte{0, 0, 0, 0}),             // too short: skipped
		structBytes(3, 3, []byte{1, 0x97, 0, 0, 0}, "Acme"), // rack mount, lock bit set
	)
	got := mapAll(tb)
	want := mapped{System: &inventory.System{
		SMBIOSVersion: "3.2.0",
		Product:       inventory.Product{Manufacturer: "Acme", Name: "X1", Serial: "SN1"},
		Chassis:       &inventory.Chassis{Manufacturer: "Acme", Type: "Rack Mount Chassis", TypeID: 0x17},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
