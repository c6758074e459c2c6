package memory_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/memory"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/smbios"
)

// The SMBIOS tables are the real machines' dump-bin files of package smbios.
const fixtures = "../../smbios/testdata"

// splitFixture returns a fixture's entry point and structure table as
// Linux exports them.
func splitFixture(t *testing.T, name string) (entry, table []byte) {
	t.Helper()
	return testutil.ReadDumpBin(t, filepath.Join(fixtures, name+".bin"))
}

// hostTree builds a host root with proc/meminfo (when meminfo is not "")
// and the fixture's SMBIOS table (when fixture is not "").
func hostTree(t *testing.T, meminfo, fixture string) string {
	t.Helper()
	files := map[string]string{}
	if meminfo != "" {
		data, err := os.ReadFile(filepath.Join("testdata", meminfo))
		if err != nil {
			t.Fatal(err)
		}
		files["proc/meminfo"] = string(data)
	}
	if fixture != "" {
		entry, table := splitFixture(t, fixture)
		files["sys/firmware/dmi/tables/smbios_entry_point"] = string(entry)
		files["sys/firmware/dmi/tables/DMI"] = string(table)
	}
	root := t.TempDir()
	testutil.WriteTree(t, root, files)
	return root
}

func run(t *testing.T, root string) (*inventory.Inventory, inventory.CollectorStatus) {
	t.Helper()
	env := collector.NewEnv(hostpaths.New(root, nil), nil, collector.Config{})
	inv := &inventory.Inventory{}
	collectors.Run(context.Background(), env, []collectors.Spec{{Collector: memory.New()}}, inv)
	st := inv.Collector("memory")
	if st == nil {
		t.Fatal("no status for the memory collector")
	}
	return inv, *st
}

func modulesOf(t *testing.T, fixture string) []inventory.MemoryModule {
	t.Helper()
	tb, err := smbios.Parse(splitFixture(t, fixture))
	if err != nil {
		t.Fatal(err)
	}
	m, err := tb.MemoryModules()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCollect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, meminfo, fixture string
		status                 inventory.Status
		total, installed       uint64
		slots, populated       int
	}{
		// SuperMicro X9DBL: 6 slots, all populated, 4+4+16 GB per socket
		// (dmidecode: "Size: 4 GB", "4 GB", "16 GB", twice).
		{"server", "meminfo-amd64-64g", "SuperMicro-X9DBL", inventory.StatusOK, 65921280 << 10, 48 << 30, 6, 6},
		// GigaByte X399: 8 × 16 GiB.
		{"desktop", "meminfo-amd64-64g", "GigaByte-X399", inventory.StatusOK, 65921280 << 10, 128 << 30, 8, 8},
		// No SMBIOS table (a VM without one, an arm64 board): MemTotal only.
		{"no SMBIOS", "meminfo-arm64-2g", "", inventory.StatusOK, 1888980 << 10, 0, 0, 0},
		// meminfo unreadable but the table lists modules: partial.
		{"no meminfo", "", "Asus-UX307LA", inventory.StatusPartial, 0, 8 << 30, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv, st := run(t, hostTree(t, tt.meminfo, tt.fixture))
			if st.Status != tt.status {
				t.Fatalf("status %+v, want %s", st, tt.status)
			}
			var modules []inventory.MemoryModule
			if tt.fixture != "" {
				modules = modulesOf(t, tt.fixture)
			}
			want := &inventory.Memory{
				TotalBytes: tt.total, InstalledBytes: tt.installed,
				SlotCount: tt.slots, PopulatedCount: tt.populated, Modules: modules,
			}
			if tt.installed > 0 {
				want.InstalledSource = inventory.InstalledFromSMBIOS
			}
			if diff := cmp.Diff(want, inv.Memory); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectFails(t *testing.T) {
	t.Parallel()
	// Nothing to read at all.
	_, st := run(t, t.TempDir())
	if st.Status != inventory.StatusFailed || !strings.Contains(st.Error, "/proc/meminfo") {
		t.Errorf("empty host: status %+v, want failed naming /proc/meminfo", st)
	}
	// A corrupt table next to a good meminfo: the section with a warning.
	root := hostTree(t, "meminfo-arm64-2g", "")
	entry, table := splitFixture(t, "MSI-MS-7816")
	testutil.WriteTree(t, root, map[string]string{
		"sys/firmware/dmi/tables/smbios_entry_point": string(entry),
		"sys/firmware/dmi/tables/DMI":                string(table[:3]),
	})
	inv, st := run(t, root)
	if st.Status != inventory.StatusPartial || inv.Memory.TotalBytes != 1888980<<10 || inv.Memory.Modules != nil {
		t.Errorf("corrupt table: status %+v, memory %+v", st, inv.Memory)
	}
}

// TestSummarize counts slots and sizes on hand-made modules, including one
// of unknown size (SMBIOS "Size: Unknown"), which is populated but adds
// nothing.
func TestSummarize(t *testing.T) {
	t.Parallel()
	var m inventory.Memory
	memory.Summarize(&m, []inventory.MemoryModule{
		{Locator: "A1", Populated: true, SizeBytes: 32 << 30},
		{Locator: "A2"},
		{Locator: "B1", Populated: true},
	})
	if m.SlotCount != 3 || m.PopulatedCount != 2 || m.InstalledBytes != 32<<30 {
		t.Errorf("got %+v", m)
	}
}
