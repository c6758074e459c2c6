package smbios

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/inventory"
)

// TestPlaceholders lists, for the real tables, which fields hold the
// vendor placeholders inventory.IsPlaceholder knows ("Default string", "To
// be filled by O.E.M.", "0123456789", "None", the all-FF UUID...). The values
// themselves are kept as read.
func TestPlaceholders(t *testing.T) {
	t.Parallel()
	type want struct {
		product, baseboard, chassis, cpu0, mem0 []string
	}
	tests := map[string]want{
		// Chassis SKU "To be filled by O.E.M.", CPU serial "NULL", asset
		// tag and part number "To Be Filled By O.E.M" (no final dot), DIMM
		// serial "00000000" and asset tag "9876543210" (AMI's default),
		// baseboard serial "BSN12345678901234567" and asset tags
		// "ATN12345678901234567" (counting digits).
		"Asus-UX307LA": {
			baseboard: []string{"serial", "asset_tag"},
			chassis:   []string{"asset_tag", "sku"},
			cpu0:      []string{"serial", "asset_tag", "part_number"},
			mem0:      []string{"serial", "asset_tag"},
		},
		// Gigabyte's "Default string" everywhere, board version "x.x",
		// CPU serial, asset tag and part number "Unknown".
		"GigaByte-X399": {
			product:   []string{"version", "serial", "sku", "family"},
			baseboard: []string{"version", "serial", "asset_tag"},
			chassis:   []string{"manufacturer", "version", "serial", "asset_tag", "sku"},
			cpu0:      []string{"serial", "asset_tag", "part_number"},
		},
		// UUID "Not Present" (all FF) and "To be filled by O.E.M.", CPU
		// asset tag and part number "Fill By OEM".
		"MSI-MS-7816": {
			product:   []string{"serial", "uuid", "sku", "family"},
			baseboard: []string{"serial", "asset_tag"},
			chassis:   []string{"serial", "asset_tag", "sku"},
			cpu0:      []string{"asset_tag", "part_number"},
			mem0:      []string{"asset_tag"},
		},
		// Supermicro's "0123456789" versions and chassis serial; DIMM
		// manufacturer "Undefined", asset tag "Dimm0_AssetTag".
		"SuperMicro-X9DBL": {
			product:   []string{"version", "sku", "family"},
			baseboard: []string{"version", "asset_tag"},
			chassis:   []string{"version", "serial", "asset_tag", "sku"},
			mem0:      []string{"manufacturer", "asset_tag"},
		},
		// Lenovo's "Not Available", "None", "No Asset Information".
		"Lenovo-ThinkPad-T480": {
			baseboard: []string{"asset_tag"},
			chassis:   []string{"version", "asset_tag"},
			cpu0:      []string{"serial", "asset_tag", "part_number"},
			mem0:      []string{"serial", "asset_tag"},
		},
		// VMware's "None", "N/A", "No Asset Tag", chassis manufacturer
		// "No Enclosure".
		"VMWare": {
			product:   []string{"version"},
			baseboard: []string{"version", "serial"},
			chassis:   []string{"manufacturer", "version", "serial", "asset_tag"},
		},
	}
	for name, w := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tb := parseFixture(t, name)
			sys, err := tb.System()
			if err != nil {
				t.Fatal(err)
			}
			cpus, _ := tb.CPUSockets()
			mems, _ := tb.MemoryModules()
			got := want{product: sys.Product.Placeholders, baseboard: sys.Baseboard.Placeholders, chassis: sys.Chassis.Placeholders}
			if len(cpus) > 0 {
				got.cpu0 = cpus[0].Placeholders
			}
			if len(mems) > 0 {
				got.mem0 = mems[0].Placeholders
			}
			if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("placeholders (-want +got):\n%s", diff)
			}
			if len(sys.BIOS.Placeholders) != 0 {
				t.Errorf("BIOS placeholders %q, want none", sys.BIOS.Placeholders)
			}
		})
	}
}

// TestIdentityFromFixtures checks that placeholders stay out of the
// identity the server matches machines by.
func TestIdentityFromFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want inventory.Identity
	}{
		// UUID all FF, serials "To be filled by O.E.M.": nothing usable.
		{"MSI-MS-7816", inventory.Identity{}},
		{"GigaByte-X399", inventory.Identity{
			Basis:      "system_uuid",
			SystemUUID: "032e02b4-0499-0533-a106-940700080009",
		}},
		// AMI's template UUID (03000200-0400-0500-0006-000700080009, the
		// Beelink mini-PCs of timmo001/system-bridge#3532) and every serial
		// "To be filled by O.E.M.": nothing usable, the MACs must do.
		{"Synology-RS3614xsp", inventory.Identity{}},
		// The board serial "BSN12345678901234567" is dropped.
		{"Asus-UX307LA", inventory.Identity{
			Basis:         "system_uuid",
			SystemUUID:    "850f3e82-9f38-694a-8840-2f8b0cf5d3d0",
			SystemSerial:  "ASUSTeK COMPUTER INC./UX305LA/FCN0CJ03468352B",
			ChassisSerial: "ASUSTeK COMPUTER INC./FCN0CJ03468352B",
		}},
		// Chassis serial "0123456789" is dropped, the board serial is kept.
		{"SuperMicro-X9DBL", inventory.Identity{
			Basis:           "system_uuid",
			SystemUUID:      "00000000-0000-0000-0000-0cc47a133878",
			SystemSerial:    "Thomas-Krenn.AG/X9DBL-3F/X9DBL-iF/9000116105",
			BaseboardSerial: "Supermicro/X9DBL-3F/X9DBL-iF/VM147S018307",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sys, err := parseFixture(t, tt.name).System()
			if err != nil {
				t.Fatal(err)
			}
			got := inventory.DeriveIdentity(&inventory.Inventory{System: sys})
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(inventory.Identity{}, "MachineID")); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
}

// placeholdersInFixtures are, by hand from the dmidecode output of every
// table below, the values vendors left unfilled. Everything else in these
// tables is a real value.
var placeholdersInFixtures = map[string]bool{
	"0000": true, "00000000": true, "0123456789": true, "9876543210": true,
	"03000200-0400-0500-0006-000700080009": true, "ffffffff-ffff-ffff-ffff-ffffffffffff": true,
	"ATN12345678901234567": true, "BSN12345678901234567": true, "Default string": true,
	"Dimm0_AssetTag": true, "Dimm1_AssetTag": true, "Dimm2_AssetTag": true, "Fill By OEM": true,
	"N/A": true, "NULL": true, "No Asset Information": true, "No Asset Tag": true, "No Enclosure": true,
	"None": true, "Not Available": true, "To Be Filled By O.E.M": true, "To Be Filled By O.E.M.": true,
	"To be filled by O.E.M.": true, "Undefined": true, "Unknown": true, "x.x": true,
}

// TestPlaceholderRulesOnEveryTable runs inventory's placeholder rules over
// every string of the system, baseboard, chassis, processor and memory
// structures of every real table (../shared/fixtures/smbios, copied to
// testdata) and of the project's own host trees: every placeholder is
// flagged, no real value is.
func TestPlaceholderRulesOnEveryTable(t *testing.T) {
	t.Parallel()
	tables := map[string]*Table{}
	for _, name := range fixtures {
		tables[name] = parseFixture(t, name)
	}
	hosts, err := filepath.Glob("../testdata/hosts/*/sys/firmware/dmi/tables/DMI")
	if err != nil || len(hosts) < 4 {
		t.Fatalf("host trees with SMBIOS tables: %v %v", hosts, err)
	}
	for _, h := range hosts {
		entry, err := os.ReadFile(filepath.Join(filepath.Dir(h), "smbios_entry_point"))
		if err != nil {
			t.Fatal(err)
		}
		table, err := os.ReadFile(h)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := Parse(entry, table)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		tables[strings.Split(h, "/")[3]] = tb
	}
	seen := map[string]bool{}
	for name, tb := range tables {
		check := func(section, field, value string, flagged []string) {
			if value == "" {
				return
			}
			seen[value] = true
			want := placeholdersInFixtures[value]
			if got := slices.Contains(flagged, field); got != want {
				t.Errorf("%s %s.%s %q: flagged %v, want %v", name, section, field, value, got, want)
			}
		}
		sys, err := tb.System()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p := sys.Product
		for _, f := range [][2]string{{"manufacturer", p.Manufacturer}, {"name", p.Name}, {"version", p.Version},
			{"serial", p.Serial}, {"uuid", p.UUID}, {"sku", p.SKU}, {"family", p.Family}} {
			check("product", f[0], f[1], p.Placeholders)
		}
		if b := sys.Baseboard; b != nil {
			for _, f := range [][2]string{{"manufacturer", b.Manufacturer}, {"product", b.Product}, {"version", b.Version},
				{"serial", b.Serial}, {"asset_tag", b.AssetTag}} {
				check("baseboard", f[0], f[1], b.Placeholders)
			}
		}
		if c := sys.Chassis; c != nil {
			for _, f := range [][2]string{{"manufacturer", c.Manufacturer}, {"version", c.Version}, {"serial", c.Serial},
				{"asset_tag", c.AssetTag}, {"sku", c.SKU}} {
				check("chassis", f[0], f[1], c.Placeholders)
			}
		}
		cpus, _ := tb.CPUSockets()
		for _, c := range cpus {
			for _, f := range [][2]string{{"manufacturer", c.Manufacturer}, {"version", c.Version}, {"serial", c.Serial},
				{"asset_tag", c.AssetTag}, {"part_number", c.PartNumber}} {
				check("cpu "+c.Designation, f[0], f[1], c.Placeholders)
			}
		}
		mems, _ := tb.MemoryModules()
		for _, m := range mems {
			for _, f := range [][2]string{{"manufacturer", m.Manufacturer}, {"serial", m.Serial},
				{"asset_tag", m.AssetTag}, {"part_number", m.PartNumber}} {
				check("dimm "+m.Locator, f[0], f[1], m.Placeholders)
			}
		}
	}
	for v := range placeholdersInFixtures {
		if !seen[v] {
			t.Errorf("placeholder %q is in no table: the expectation is stale", v)
		}
	}
}
