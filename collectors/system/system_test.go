package system_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/system"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/smbios"
)

// The SMBIOS tables are the real machines' dump-bin files of package smbios.
const fixtures = "../../smbios/testdata"

// hostTree is a host root in a temporary directory.
type hostTree struct {
	t    *testing.T
	root string
}

func newHostTree(t *testing.T) *hostTree { return &hostTree{t, t.TempDir()} }

// write writes one file of the tree; a name ending in "/" makes a
// directory.
func (h *hostTree) write(rel string, data []byte) {
	h.t.Helper()
	testutil.WriteTree(h.t, h.root, map[string]string{rel: string(data)})
}

// table installs a fixture as the kernel exports it: the entry point (31
// bytes for _SM_, 24 for _SM3_) and the structure table from offset 0x20.
// cut, when not nil, changes the table first.
func (h *hostTree) table(fixture string, cut func([]byte) []byte) {
	h.t.Helper()
	entry, table := testutil.ReadDumpBin(h.t, filepath.Join(fixtures, fixture+".bin"))
	if cut != nil {
		table = cut(append([]byte(nil), table...))
	}
	h.write("sys/firmware/dmi/tables/smbios_entry_point", entry)
	h.write("sys/firmware/dmi/tables/DMI", table)
}

// dmiID writes sys/class/dmi/id files, with a trailing newline as the
// kernel prints them.
func (h *hostTree) dmiID(files map[string]string) {
	h.t.Helper()
	tree := map[string]string{}
	for name, v := range files {
		tree["sys/class/dmi/id/"+name] = v + "\n"
	}
	testutil.WriteTree(h.t, h.root, tree)
}

// run runs the system collector on the tree as the agent does.
func (h *hostTree) run() (*inventory.Inventory, inventory.CollectorStatus) {
	h.t.Helper()
	env := collector.NewEnv(hostpaths.New(h.root, nil), nil, collector.Config{})
	inv := &inventory.Inventory{}
	collectors.Run(context.Background(), env, []collectors.Spec{{Collector: system.New()}}, inv)
	st := inv.Collector("system")
	if st == nil {
		h.t.Fatal("no status for the system collector")
	}
	return inv, *st
}

// fixtureSystem is what package smbios maps from the fixture directly.
func fixtureSystem(t *testing.T, fixture string) *inventory.System {
	t.Helper()
	tb, err := smbios.Parse(testutil.ReadDumpBin(t, filepath.Join(fixtures, fixture+".bin")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := tb.System()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFromTable(t *testing.T) {
	t.Parallel()
	h := newHostTree(t)
	h.table("SuperMicro-X9DBL", nil)
	// dmi/id is there too but the table wins.
	h.dmiID(map[string]string{"sys_vendor": "ignored"})
	inv, st := h.run()
	if st.Status != inventory.StatusOK {
		t.Fatalf("status %+v, want ok", st)
	}
	if diff := cmp.Diff(fixtureSystem(t, "SuperMicro-X9DBL"), inv.System); diff != "" {
		t.Errorf("(-fixture +collected):\n%s", diff)
	}
	if p := inv.System.Product; p.Manufacturer != "Thomas-Krenn.AG" || p.Serial != "9000116105" || inv.System.SMBIOSVersion != "2.7" {
		t.Errorf("product %+v, version %q", p, inv.System.SMBIOSVersion)
	}
}

// TestWithoutEndOfTable: Linux 6.6.39+ may export the table without its
// type 127 structure; the result is the same.
func TestWithoutEndOfTable(t *testing.T) {
	t.Parallel()
	h := newHostTree(t)
	h.table("GigaByte-X399", func(b []byte) []byte {
		i := bytes.LastIndex(b, []byte{0x7F, 0x04})
		return b[:i]
	})
	inv, st := h.run()
	if st.Status != inventory.StatusOK {
		t.Fatalf("status %+v, want ok", st)
	}
	if diff := cmp.Diff(fixtureSystem(t, "GigaByte-X399"), inv.System); diff != "" {
		t.Errorf("(-fixture +collected):\n%s", diff)
	}
}

// msiDMIID is what Linux shows in /sys/class/dmi/id for the MSI MS-7816
// fixture (values from its dmidecode output; chassis type 3 is Desktop).
// The kernel creates no product_uuid for its all-FF UUID (dmi_save_uuid
// skips all-FF and all-zero UUIDs).
var msiDMIID = map[string]string{
	"bios_vendor":       "American Megatrends Inc.",
	"bios_version":      "V2.14B14",
	"bios_date":         "07/13/2018",
	"bios_release":      "4.6",
	"sys_vendor":        "MSI",
	"product_name":      "MS-7816",
	"product_version":   "1.0",
	"product_serial":    "To be filled by O.E.M.",
	"product_sku":       "To be filled by O.E.M.",
	"product_family":    "To be filled by O.E.M.",
	"board_vendor":      "MSI",
	"board_name":        "H87-G43 (MS-7816)",
	"board_version":     "1.0",
	"board_serial":      "To be filled by O.E.M.",
	"board_asset_tag":   "To be filled by O.E.M.",
	"chassis_vendor":    "MSI",
	"chassis_type":      "3",
	"chassis_version":   "1.0",
	"chassis_serial":    "To be filled by O.E.M.",
	"chassis_asset_tag": "To be filled by O.E.M.",
}

func TestDMIIDFallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		table func(h *hostTree)
		cause string
	}{
		{"no table (kernel before 4.2)", func(*hostTree) {}, "not applicable"},
		{"table unreadable", func(h *hostTree) {
			// A directory where the table should be: reading it fails
			// even as root, like a permission error for an unprivileged
			// agent.
			h.write("sys/firmware/dmi/tables/smbios_entry_point", []byte("_SM_"))
			h.write("sys/firmware/dmi/tables/DMI/", nil)
		}, "read SMBIOS"},
		{"corrupt table", func(h *hostTree) {
			h.table("MSI-MS-7816", func(b []byte) []byte { return b[:3] })
		}, "parse SMBIOS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHostTree(t)
			tt.table(h)
			h.dmiID(msiDMIID)
			inv, st := h.run()
			if st.Status != inventory.StatusPartial || len(st.Warnings) == 0 ||
				!strings.Contains(st.Warnings[len(st.Warnings)-1], "fell back to /sys/class/dmi/id") ||
				!strings.Contains(st.Warnings[len(st.Warnings)-1], tt.cause) {
				t.Fatalf("status %+v, want partial with a fallback warning naming %q", st, tt.cause)
			}
			want := &inventory.System{
				BIOS: inventory.BIOS{Vendor: "American Megatrends Inc.", Version: "V2.14B14", ReleaseDate: "07/13/2018", Release: "4.6"},
				Product: inventory.Product{
					Manufacturer: "MSI", Name: "MS-7816", Version: "1.0", Serial: "To be filled by O.E.M.",
					SKU: "To be filled by O.E.M.", Family: "To be filled by O.E.M.",
					Placeholders: []string{"serial", "sku", "family"},
				},
				Baseboard: &inventory.Baseboard{
					Manufacturer: "MSI", Product: "H87-G43 (MS-7816)", Version: "1.0",
					Serial: "To be filled by O.E.M.", AssetTag: "To be filled by O.E.M.",
					Placeholders: []string{"serial", "asset_tag"},
				},
				Chassis: &inventory.Chassis{
					Manufacturer: "MSI", Type: "Desktop", TypeID: 3, Version: "1.0",
					Serial: "To be filled by O.E.M.", AssetTag: "To be filled by O.E.M.",
					Placeholders: []string{"serial", "asset_tag"},
				},
			}
			if diff := cmp.Diff(want, inv.System); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// The table, when readable, says the same (and more: the
			// wake-up type is not in dmi/id, nor the unusable UUID).
			full := fixtureSystem(t, "MSI-MS-7816")
			if diff := cmp.Diff(full.Product, want.Product, cmpopts.IgnoreFields(inventory.Product{}, "WakeUpType", "UUID", "Placeholders")); diff != "" || full.Chassis.Type != want.Chassis.Type {
				t.Errorf("fallback and table disagree (-table +fallback):\n%s", diff)
			}
		})
	}
}

func TestNoTableNoDMIID(t *testing.T) {
	t.Parallel()
	h := newHostTree(t)
	h.write("proc/cpuinfo", []byte("processor : 0\n"))
	inv, st := h.run()
	if st.Status != inventory.StatusNotApplicable || inv.System != nil {
		t.Errorf("status %+v, system %v; want not applicable and no section", st, inv.System)
	}
}

// TestCorruptTable: a table that cannot be decoded and no dmi/id is a
// failure, reported, not a panic.
func TestCorruptTable(t *testing.T) {
	t.Parallel()
	for name, cut := range map[string]func([]byte) []byte{
		"cut in the first structure": func(b []byte) []byte { return b[:5] },
		"garbage":                    func(b []byte) []byte { return bytes.Repeat([]byte{0xFF}, 64) },
		"empty":                      func(b []byte) []byte { return nil },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHostTree(t)
			h.table("Lenovo-ThinkPad-T480", cut)
			inv, st := h.run()
			if st.Status != inventory.StatusFailed || !strings.Contains(st.Error, "SMBIOS") || inv.System != nil {
				t.Errorf("status %+v, want failed with an SMBIOS error", st)
			}
		})
	}
}

// TestTruncatedTable: a table cut after some good structures is used, with
// a warning.
func TestTruncatedTable(t *testing.T) {
	t.Parallel()
	h := newHostTree(t)
	h.table("Lenovo-ThinkPad-T480", func(b []byte) []byte { return b[:len(b)/2] })
	inv, st := h.run()
	if st.Status != inventory.StatusPartial || inv.System == nil || inv.System.Product.Serial != "PC131TBF" {
		t.Errorf("status %+v, system %+v; want partial with the T480's serial", st, inv.System)
	}
}

// TestDMIIDUnreadableFile: a dmi/id attribute that exists but cannot be
// read leaves its field empty and says so. (The usual cause, product_serial
// being root-only, cannot be reproduced by a test running as root; a
// directory in its place fails the read the same way for everyone.)
func TestDMIIDUnreadableFile(t *testing.T) {
	t.Parallel()
	h := newHostTree(t)
	h.dmiID(map[string]string{"sys_vendor": "Acme", "product_name": "X1"})
	h.write("sys/class/dmi/id/product_serial/", nil)
	inv, st := h.run()
	if st.Status != inventory.StatusPartial || inv.System.Product.Serial != "" ||
		!strings.Contains(strings.Join(st.Warnings, "\n"), "read /sys/class/dmi/id/product_serial") {
		t.Errorf("status %+v, product %+v", st, inv.System.Product)
	}
	if p := inv.System.Product; p.Manufacturer != "Acme" || p.Name != "X1" || inv.System.Baseboard != nil || inv.System.Chassis != nil {
		t.Errorf("system %+v", inv.System)
	}
}
