package smbios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/smbios/internal/jep106gen"
)

func TestParseJEP106(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw, name string
	}{
		{"802C", "Micron Technology"},
		{"80AD", "SK Hynix (former Hyundai Electronics)"},
		{"80CE", "Samsung"},
		{"0198", "Kingston"},
		// The W510 fixture's DIMMs (part CT51264BF1339, Crucial).
		{"859B", "Crucial Technology"},
		{"2C00", "Micron Technology"},
		{"CE00000000000000", "Samsung"},
		{"00AD00B300AD", "SK Hynix (former Hyundai Electronics)"},
		{"7F7F7F7F7F9B0000", "Crucial Technology"},
		// Not IDs, or IDs nobody holds: kept as written.
		{"1315", ""}, {"0000", ""}, {"FFFF", ""}, {"Samsung", ""}, {"80", ""}, {"8000", ""},
	} {
		j, ok := ParseJEP106(tc.raw)
		if got := j.Name(); ok != (tc.name != "") || got != tc.name {
			t.Errorf("ParseJEP106(%q) = %+v %v (%q), want %q", tc.raw, j, ok, got, tc.name)
		}
	}
	if j, ok := moduleManufacturer(0x2C80); !ok || j.String() != "Bank 1, Hex 0x2C" || j.Name() != "Micron Technology" {
		t.Errorf("module manufacturer 0x2C80 = %v %v %q", j, ok, j.Name())
	}
}

// TestJEP106AgainstDecodeDimms: the table is i2c-tools' decode-dimms
// table, entry for entry, as the installed i2c-tools has it.
func TestJEP106AgainstDecodeDimms(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.DecodeDimms)
	want, err := jep106gen.Dump("/usr/bin/decode-dimms")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, jep106Names); diff != "" {
		t.Errorf("table vs decode-dimms (-decode-dimms +table; go run ./internal/jep106gen > jep106_names.go):\n%s", diff)
	}
}

// TestJEP106Fixture: the ThinkPad W510's table gives "859B" for its
// Crucial DIMMs (dmidecode prints it raw): the inventory names Crucial
// and keeps the raw ID beside it.
func TestJEP106Fixture(t *testing.T) {
	t.Parallel()
	dump, err := os.ReadFile(filepath.Join("testdata", "Lenovo-ThinkPad-W510.dmidecode.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dump), "Manufacturer: 859B") {
		t.Fatal("the W510 dmidecode output no longer says 859B")
	}
	tbl := parseFixture(t, "Lenovo-ThinkPad-W510")
	mods, err := tbl.MemoryModules()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range mods {
		if m.ManufacturerID == "859B" {
			n++
			if m.Manufacturer != "Crucial Technology" {
				t.Errorf("%s: manufacturer %q", m.Locator, m.Manufacturer)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d modules with ID 859B, want 2", n)
	}
}
