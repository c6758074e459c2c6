package smbios

import (
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
		// serial "00000000" and asset tag "9876543210" (AMI's default).
		"Asus-UX307LA": {
			chassis: []string{"sku"},
			cpu0:    []string{"serial", "asset_tag", "part_number"},
			mem0:    []string{"serial", "asset_tag"},
		},
		// Gigabyte's "Default string" everywhere, board version "x.x",
		// CPU serial, asset tag and part number "Unknown".
		"GigaByte-X399": {
			product:   []string{"version", "serial", "sku", "family"},
			baseboard: []string{"version", "serial", "asset_tag"},
			chassis:   []string{"manufacturer", "version", "serial", "asset_tag", "sku"},
			cpu0:      []string{"serial", "asset_tag", "part_number"},
		},
		// UUID "Not Present" (all FF) and "To be filled by O.E.M.".
		"MSI-MS-7816": {
			product:   []string{"serial", "uuid", "sku", "family"},
			baseboard: []string{"serial", "asset_tag"},
			chassis:   []string{"serial", "asset_tag", "sku"},
			mem0:      []string{"asset_tag"},
		},
		// Supermicro's "0123456789" versions and chassis serial; DIMM
		// manufacturer "Undefined".
		"SuperMicro-X9DBL": {
			product:   []string{"version", "sku", "family"},
			baseboard: []string{"version", "asset_tag"},
			chassis:   []string{"version", "serial", "asset_tag", "sku"},
			mem0:      []string{"manufacturer"},
		},
		// Lenovo's "Not Available", "None", "No Asset Information".
		"Lenovo-ThinkPad-T480": {
			baseboard: []string{"asset_tag"},
			chassis:   []string{"version", "asset_tag"},
			cpu0:      []string{"serial", "asset_tag", "part_number"},
			mem0:      []string{"serial", "asset_tag"},
		},
		// VMware's "None", "N/A", "No Asset Tag".
		"VMWare": {
			product:   []string{"version"},
			baseboard: []string{"version", "serial"},
			chassis:   []string{"version", "serial", "asset_tag"},
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
