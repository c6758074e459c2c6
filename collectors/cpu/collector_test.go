package cpu

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// collect runs the collector against a host tree rooted at root.
func collect(t testing.TB, root string) (*inventory.CPU, error) {
	t.Helper()
	inv, err := collectortest.Collect(t, New(), root, collector.Config{})
	return inv.CPU, err
}

// fixtures are the real machines under testdata.
var fixtures = []string{
	"ghw/intel-i7-1270p",
	"ghw/amd-ryzen5-1600",
	"ghw/dual-xeon-l5640",
	"ghw/xeon-e5-2695v4-vm",
	"ghw/xeon-gold-5218r-vm",
	"ghw/skylake-offline-cpus",
	"ghw/arm64-neoverse-n1",
	"ghw/s390x-z16",
	"local/vm-virtio",
	"qemu-arm64/cortex-a57",
	"qemu-arm64/cortex-a72",
	"qemu-arm64/cortex-a76",
	"qemu-arm64/neoverse-n1",
}

// topologySummary is the part of the CPU section checked against values read
// by hand from each fixture's files.
type topologySummary struct {
	ModelName                               string
	Packages, PhysicalCores, LogicalThreads int
	OnlineCPUs                              string
	OnlineCount                             int
	NUMANodes                               []inventory.NUMANode
	// Caches as "L<level> <type> <size> x<instances>".
	Caches []string
}

func summarizeCPU(c *inventory.CPU) topologySummary {
	s := topologySummary{
		ModelName: c.ModelName, Packages: c.Packages, PhysicalCores: c.PhysicalCores,
		LogicalThreads: c.LogicalThreads, OnlineCPUs: c.OnlineCPUs, OnlineCount: c.OnlineCount,
		NUMANodes: c.NUMANodes,
	}
	for _, k := range c.Caches {
		s.Caches = append(s.Caches, cacheString(k))
	}
	return s
}

func cacheString(c inventory.Cache) string {
	return "L" + itoa(c.Level) + " " + c.Type + " " + itoa(int(c.SizeBytes>>10)) + "K x" + itoa(c.Instances)
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCollectFixtures(t *testing.T) {
	t.Parallel()
	// Every value below was read from the fixture's files: core_id and
	// physical_package_id per CPU, the distinct shared_cpu_list values per
	// cache index, node cpulist and meminfo.
	want := map[string]topologySummary{
		"ghw/intel-i7-1270p": {
			ModelName: "12th Gen Intel(R) Core(TM) i7-1270P", Packages: 1, PhysicalCores: 12, LogicalThreads: 16,
			OnlineCPUs: "0-15", OnlineCount: 16,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-15", MemoryBytes: 32542668 << 10}},
			Caches:    []string{"L1 Data 48K x12", "L1 Instruction 32K x12", "L2 Unified 1280K x6", "L3 Unified 18432K x1"},
		},
		"ghw/amd-ryzen5-1600": {
			ModelName: "AMD Ryzen 5 1600 Six-Core Processor", Packages: 1, PhysicalCores: 6, LogicalThreads: 12,
			OnlineCPUs: "0-11", OnlineCount: 12,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-11"}}, // no meminfo in the snapshot
			Caches:    []string{"L1 Data 32K x6", "L1 Instruction 64K x6", "L2 Unified 512K x6", "L3 Unified 8192K x2"},
		},
		"ghw/dual-xeon-l5640": {
			ModelName: "Intel(R) Xeon(R) CPU           L5640  @ 2.27GHz", Packages: 2, PhysicalCores: 12, LogicalThreads: 24,
			OnlineCPUs: "0-23", OnlineCount: 24,
			NUMANodes: []inventory.NUMANode{
				{ID: 0, CPUs: "0,2,4,6,8,10,12,14,16,18,20,22", MemoryBytes: 32980312 << 10},
				{ID: 1, CPUs: "1,3,5,7,9,11,13,15,17,19,21,23", MemoryBytes: 32940968 << 10},
			},
			Caches: []string{"L1 Data 32K x12", "L1 Instruction 32K x12", "L2 Unified 256K x12", "L3 Unified 12288K x2"},
		},
		"ghw/xeon-e5-2695v4-vm": {
			ModelName: "Intel(R) Xeon(R) CPU E5-2695 v4 @ 2.10GHz", Packages: 1, PhysicalCores: 8, LogicalThreads: 8,
			OnlineCPUs: "0-7", OnlineCount: 8,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-7", MemoryBytes: 30601816 << 10}},
			Caches:    []string{"L1 Data 32K x8", "L1 Instruction 32K x8", "L2 Unified 4096K x8", "L3 Unified 16384K x1"},
		},
		"ghw/xeon-gold-5218r-vm": {
			ModelName: "Intel(R) Xeon(R) Gold 5218R CPU @ 2.10GHz", Packages: 2, PhysicalCores: 2, LogicalThreads: 2,
			OnlineCPUs: "0-1", OnlineCount: 2,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-1", MemoryBytes: 2007536 << 10}},
			Caches:    []string{"L1 Data 32K x2", "L1 Instruction 32K x2", "L2 Unified 4096K x2", "L3 Unified 16384K x2"},
		},
		"ghw/skylake-offline-cpus": {
			// present 0-3, online 0-1: cpu2 and cpu3 have no topology.
			ModelName: "Intel Xeon Processor (Skylake, IBRS)", Packages: 2, PhysicalCores: 2, LogicalThreads: 4,
			OnlineCPUs: "0-1", OnlineCount: 2,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-1", MemoryBytes: 7881912 << 10}},
			Caches:    []string{"L1 Data 32K x2", "L1 Instruction 32K x2", "L2 Unified 4096K x2", "L3 Unified 16384K x2"},
		},
		"ghw/arm64-neoverse-n1": {
			ModelName: "Neoverse-N1", Packages: 1, PhysicalCores: 1, LogicalThreads: 1,
			OnlineCPUs: "0", OnlineCount: 1,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0", MemoryBytes: 1888980 << 10}},
			Caches:    []string{"L1 Data 64K x1", "L1 Instruction 64K x1", "L2 Unified 1024K x1", "L3 Unified 32768K x1"},
		},
		// An arm64 kernel under QEMU's model of the core, UEFI and ACPI
		// without cache nodes in PPTT: the kernel knows the cache levels
		// but not their sizes, and says every CPU shares each.
		"qemu-arm64/cortex-a57": {
			ModelName: "Cortex-A57", Packages: 1, PhysicalCores: 4, LogicalThreads: 4,
			OnlineCPUs: "0-3", OnlineCount: 4,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-3", MemoryBytes: 477484 << 10}},
			Caches:    []string{"L1 Data 0K x1", "L1 Instruction 0K x1", "L2 Unified 0K x1"},
		},
		// An arm64 kernel under QEMU's model of the core, UEFI and ACPI
		// without cache nodes in PPTT: the kernel knows the cache levels
		// but not their sizes, and says every CPU shares each.
		"qemu-arm64/cortex-a72": {
			ModelName: "Cortex-A72", Packages: 1, PhysicalCores: 4, LogicalThreads: 4,
			OnlineCPUs: "0-3", OnlineCount: 4,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-3", MemoryBytes: 477484 << 10}},
			Caches:    []string{"L1 Data 0K x1", "L1 Instruction 0K x1", "L2 Unified 0K x1"},
		},
		// An arm64 kernel under QEMU's model of the core, UEFI and ACPI
		// without cache nodes in PPTT: the kernel knows the cache levels
		// but not their sizes, and says every CPU shares each.
		"qemu-arm64/cortex-a76": {
			ModelName: "Cortex-A76", Packages: 1, PhysicalCores: 4, LogicalThreads: 4,
			OnlineCPUs: "0-3", OnlineCount: 4,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-3", MemoryBytes: 477484 << 10}},
			Caches:    []string{"L1 Data 0K x1", "L1 Instruction 0K x1", "L2 Unified 0K x1"},
		},
		// An arm64 kernel under QEMU's model of the core, UEFI and ACPI
		// without cache nodes in PPTT: the kernel knows the cache levels
		// but not their sizes, and says every CPU shares each.
		"qemu-arm64/neoverse-n1": {
			ModelName: "Neoverse-N1", Packages: 1, PhysicalCores: 4, LogicalThreads: 4,
			OnlineCPUs: "0-3", OnlineCount: 4,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-3", MemoryBytes: 477484 << 10}},
			Caches:    []string{"L1 Data 0K x1", "L1 Instruction 0K x1", "L2 Unified 0K x1"},
		},
		"ghw/s390x-z16": {
			Packages: 1, PhysicalCores: 4, LogicalThreads: 8,
			OnlineCPUs: "0-7", OnlineCount: 8,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-7", MemoryBytes: 112832212 << 10}},
			Caches:    []string{"L1 Data 128K x8", "L1 Instruction 128K x8", "L2 Unified 32768K x1"},
		},
		"local/vm-virtio": {
			ModelName: "Intel(R) Xeon(R) Processor", Packages: 1, PhysicalCores: 2, LogicalThreads: 2,
			OnlineCPUs: "0-1", OnlineCount: 2,
			NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-1", MemoryBytes: 5334816 << 10}},
			Caches:    []string{"L1 Data 48K x2", "L1 Instruction 64K x2", "L2 Unified 2048K x2", "L3 Unified 491520K x1"},
		},
	}
	for _, fx := range fixtures {
		t.Run(fx, func(t *testing.T) {
			t.Parallel()
			got, err := collect(t, filepath.Join("testdata", fx))
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(want[fx], summarizeCPU(got)); diff != "" {
				t.Errorf("CPU section (-want +got):\n%s", diff)
			}
			golden(t, fx, got, err)
		})
	}
}

// golden compares the whole section and the warnings with
// testdata/golden/<fixture>.json; -update rewrites it.
func golden(t *testing.T, fixture string, c *inventory.CPU, err error) {
	t.Helper()
	testutil.GoldenJSON(t, testutil.GoldenPath(fixture), struct {
		CPU      *inventory.CPU `json:"cpu"`
		Warnings []string       `json:"warnings,omitempty"`
	}{c, collectortest.Warnings(err)}, *testutil.Update)
}

const x86CPUInfo = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nmodel name\t: Test CPU\nflags\t\t: fpu vme\n\nprocessor\t: 1\n\nprocessor\t: 2\n\nprocessor\t: 3\n"

func TestCollectEdgeCases(t *testing.T) {
	t.Parallel()
	cpuDir := "sys/devices/system/cpu/"
	tests := []struct {
		name         string
		files        map[string]string
		want         topologySummary
		wantWarnings []string
	}{
		{
			name: "offline cpus without online file",
			// cpu1 and cpu3 are offline: no topology directory.
			files: map[string]string{
				"proc/cpuinfo":     x86CPUInfo,
				cpuDir + "present": "0-3\n",
				cpuDir + "cpu0/topology/physical_package_id": "0\n",
				cpuDir + "cpu0/topology/core_id":             "0\n",
				cpuDir + "cpu2/topology/physical_package_id": "0\n",
				cpuDir + "cpu2/topology/core_id":             "1\n",
				cpuDir + "cpu1/online":                       "0\n",
				cpuDir + "cpu3/online":                       "0\n",
			},
			want: topologySummary{ModelName: "Test CPU", Packages: 1, PhysicalCores: 2, LogicalThreads: 4, OnlineCPUs: "0,2", OnlineCount: 2},
		},
		{
			name: "no sysfs at all: threads from cpuinfo, no numa",
			files: map[string]string{
				"proc/cpuinfo": x86CPUInfo,
			},
			want: topologySummary{ModelName: "Test CPU", LogicalThreads: 4},
		},
		{
			name: "corrupt online list is a warning",
			files: map[string]string{
				"proc/cpuinfo":      x86CPUInfo,
				cpuDir + "possible": "0-1\n",
				cpuDir + "online":   "0-x\n",
				cpuDir + "cpu0/topology/physical_package_id": "0\n",
				cpuDir + "cpu0/topology/core_id":             "0\n",
				"sys/devices/system/node/node0/cpulist":      "0-1\n",
				"sys/devices/system/node/node0/meminfo":      "Node 0 MemTotal: 1024 kB\n",
				"sys/devices/system/node/node10/cpulist":     "\n",
				"sys/devices/system/node/node2/cpulist":      "\n",
			},
			want: topologySummary{
				ModelName: "Test CPU", Packages: 1, PhysicalCores: 1, LogicalThreads: 2, OnlineCPUs: "0", OnlineCount: 1,
				NUMANodes: []inventory.NUMANode{{ID: 0, CPUs: "0-1", MemoryBytes: 1 << 20}, {ID: 2}, {ID: 10}},
			},
			wantWarnings: []string{`/sys/devices/system/cpu/online: invalid cpu list "0-x": bad cpu number "x"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			testutil.WriteTree(t, root, tt.files)
			got, err := collect(t, root)
			if err != nil && tt.wantWarnings == nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarizeCPU(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("CPU section (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWarnings, collectortest.Warnings(err)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectFails(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	_, err := collect(t, root)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Collect without proc/cpuinfo: error = %v, want ErrNotExist", err)
	}
	testutil.WriteTree(t, root, map[string]string{"proc/cpuinfo": "garbage\n"})
	if _, err := collect(t, root); !errors.Is(err, ErrNoCPUInfo) {
		t.Fatalf("Collect with garbage cpuinfo: error = %v, want ErrNoCPUInfo", err)
	}
}

func BenchmarkCollect(b *testing.B) {
	collectortest.Benchmark(b, New(), filepath.Join("testdata", "ghw", "dual-xeon-l5640"), collector.Config{})
}

// TestCollectSMBIOSSockets joins the dual-socket SuperMicro X9DBL's SMBIOS
// table (testdata/smbios, a dmidecode --dump-bin file with dmidecode's own
// text beside it) to a host tree.
func TestCollectSMBIOSSockets(t *testing.T) {
	t.Parallel()
	entry, table := testutil.ReadDumpBin(t, filepath.Join("testdata", "smbios", "SuperMicro-X9DBL.bin"))
	root := t.TempDir()
	testutil.WriteTree(t, root, map[string]string{
		"proc/cpuinfo": x86CPUInfo,
		"sys/firmware/dmi/tables/smbios_entry_point": string(entry),
		"sys/firmware/dmi/tables/DMI":                string(table),
	})
	got, err := collect(t, root)
	if err != nil {
		t.Fatal(err)
	}
	type socket struct {
		Designation, Version, Status string
		Populated                    bool
		Cores, Threads               uint16
		MaxMHz                       uint16
	}
	var sockets []socket
	for _, s := range got.Sockets {
		sockets = append(sockets, socket{s.Designation, s.Version, s.Status, s.Populated, s.CoreCount, s.ThreadCount, s.MaxSpeedMHz})
	}
	// From SuperMicro-X9DBL.dmidecode.txt, DMI type 4 handles 0x0004 and 0x0008.
	want := []socket{
		{"SOCKET 0", "Intel(R) Xeon(R) CPU E5-2403 v2 @ 1.80GHz", "Enabled", true, 4, 4, 4000},
		{"SOCKET 1", "Intel(R) Xeon(R) CPU E5-2403 v2 @ 1.80GHz", "Enabled", true, 4, 4, 4000},
	}
	if diff := cmp.Diff(want, sockets); diff != "" {
		t.Errorf("sockets (-want +got):\n%s", diff)
	}
}

// TestSnapshotRoundTrip checks that every file the collector reads goes
// through hostpaths: what `hwagent snapshot` records from a fixture,
// unpacked, gives the same section.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	collectortest.SnapshotRoundTrip(t, New(), filepath.Join("testdata", "ghw", "dual-xeon-l5640"))
}
