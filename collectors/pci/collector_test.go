package pci

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// trees are host trees under testdata: PCI parts of ghw's snapshots of real
// machines and of the VM hwagent is built on (see testdata/README.md).
var trees = []string{
	"ghw-dell-poweredge-r610",
	"ghw-lenovo-laptop",
	"ghw-qemu-nvidia-p100",
	"ghw-qemu-accel",
	"ghw-aws-graviton",
	"build-vm",
}

const excerpt = "pciids/testdata/pci.ids"

// collect runs the collector on a testdata tree with cfg.
func collect(t testing.TB, root string, cfg collector.Config) (*inventory.Inventory, error) {
	t.Helper()
	return collectortest.Collect(t, New(), root, cfg)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tree := range trees {
		t.Run(tree, func(t *testing.T) {
			t.Parallel()
			inv, err := collect(t, filepath.Join("testdata", tree), collector.Config{PCIIDsPath: excerpt})
			if err != nil {
				t.Fatal(err)
			}
			testutil.GoldenJSON(t, testutil.GoldenPath(tree), inv.PCI, *testutil.Update)
		})
	}
}

func intp(i int) *int { return &i }

// TestRealValues checks functions of each tree against values read from
// the tree's files by hand (class, vendor, device, modalias, revision,
// numa_node, the driver and iommu_group links) and names from pci.ids.
func TestRealValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tree string
		want inventory.PCIDevice
	}{
		{"ghw-dell-poweredge-r610", inventory.PCIDevice{
			Address: "0000:01:00.0", Class: "020000", ClassName: "Network controller", SubclassName: "Ethernet controller",
			Category: "network", VendorID: "14e4", DeviceID: "1639", SubsystemVendorID: "1028", SubsystemDeviceID: "0236",
			Revision: "20", VendorName: "Broadcom Inc. and subsidiaries", DeviceName: "NetXtreme II BCM5709 Gigabit Ethernet",
			SubsystemName: "PowerEdge R610 BCM5709 Gigabit Ethernet", Driver: "bnx2"}},
		{"ghw-dell-poweredge-r610", inventory.PCIDevice{
			Address: "0000:05:00.1", Class: "020000", ClassName: "Network controller", SubclassName: "Ethernet controller",
			Category: "network", VendorID: "8086", DeviceID: "1521", SubsystemVendorID: "ffff", SubsystemDeviceID: "0000",
			Revision: "01", VendorName: "Intel Corporation", DeviceName: "I350 Gigabit Network Connection",
			Driver: "igb", NUMANode: intp(1)}},
		{"ghw-dell-poweredge-r610", inventory.PCIDevice{
			Address: "0000:03:00.0", Class: "010400", ClassName: "Mass storage controller", SubclassName: "RAID bus controller",
			Category: "storage", VendorID: "1000", DeviceID: "0060", SubsystemVendorID: "1028", SubsystemDeviceID: "1f0c",
			Revision: "04", VendorName: "Broadcom / LSI", DeviceName: "MegaRAID SAS 1078",
			SubsystemName: "PERC 6/i Integrated RAID Controller", Driver: "megaraid_sas"}},
		{"ghw-dell-poweredge-r610", inventory.PCIDevice{
			Address: "0000:00:14.1", Class: "080000", ClassName: "Generic system peripheral", SubclassName: "PIC",
			Category: "other", VendorID: "8086", DeviceID: "3422", Revision: "13", VendorName: "Intel Corporation",
			DeviceName: "7500/5520/5500/X58 I/O Hub GPIO and Scratch Pad Registers"}},
		{"ghw-lenovo-laptop", inventory.PCIDevice{
			Address: "0000:04:00.0", Class: "010802", ClassName: "Mass storage controller", SubclassName: "Non-Volatile memory controller",
			Category: "storage", VendorID: "144d", DeviceID: "a80a", SubsystemVendorID: "144d", SubsystemDeviceID: "a801",
			Revision: "00", VendorName: "Samsung Electronics Co Ltd", DeviceName: "NVMe SSD Controller PM9A1/PM9A3/980PRO",
			Driver: "nvme", IOMMUGroup: intp(14)}},
		{"ghw-lenovo-laptop", inventory.PCIDevice{
			Address: "0000:00:02.0", Class: "030000", ClassName: "Display controller", SubclassName: "VGA compatible controller",
			Category: "gpu", VendorID: "8086", DeviceID: "46a6", SubsystemVendorID: "17aa", SubsystemDeviceID: "22e7",
			Revision: "0c", VendorName: "Intel Corporation", DeviceName: "Alder Lake-P Integrated Graphics Controller",
			Driver: "i915", IOMMUGroup: intp(0)}},
		{"ghw-qemu-nvidia-p100", inventory.PCIDevice{
			Address: "0000:06:00.0", Class: "030200", ClassName: "Display controller", SubclassName: "3D controller",
			Category: "gpu", VendorID: "10de", DeviceID: "15f8", SubsystemVendorID: "10de", SubsystemDeviceID: "118f",
			Revision: "a1", VendorName: "NVIDIA Corporation", DeviceName: "GP100GL [Tesla P100 PCIe 16GB]", Driver: "nvidia"}},
		{"ghw-qemu-accel", inventory.PCIDevice{
			Address: "0000:00:04.0", Class: "120000", ClassName: "Processing accelerators", SubclassName: "Processing accelerators",
			Category: "accelerator", VendorID: "1b36", DeviceID: "0005", SubsystemVendorID: "1af4", SubsystemDeviceID: "1100",
			Revision: "00", VendorName: "Red Hat, Inc.", DeviceName: "QEMU PCI Test Device",
			SubsystemName: "QEMU Virtual Machine", Driver: "fake_pci_driver"}},
		{"ghw-aws-graviton", inventory.PCIDevice{
			Address: "0000:00:04.0", Class: "010802", ClassName: "Mass storage controller", SubclassName: "Non-Volatile memory controller",
			Category: "storage", VendorID: "1d0f", DeviceID: "8061", SubsystemVendorID: "1d0f", Revision: "00",
			SubsystemDeviceID: "0000", VendorName: "Amazon.com, Inc.", DeviceName: "NVMe EBS Controller",
			Driver: "nvme", NUMANode: intp(0)}},
		{"build-vm", inventory.PCIDevice{
			Address: "0000:00:03.0", Class: "020000", ClassName: "Network controller", SubclassName: "Ethernet controller",
			Category: "network", VendorID: "1af4", DeviceID: "1041", SubsystemVendorID: "1af4", SubsystemDeviceID: "1041",
			Revision: "01", VendorName: "Red Hat, Inc.", DeviceName: "Virtio 1.0 network device", Driver: "virtio-pci"}},
		{"build-vm", inventory.PCIDevice{
			Address: "0000:00:01.0", Class: "ffff00", ClassName: "Unassigned class", Category: "other",
			VendorID: "1af4", DeviceID: "1045", SubsystemVendorID: "1af4", SubsystemDeviceID: "1045",
			Revision: "01", VendorName: "Red Hat, Inc.", DeviceName: "Virtio 1.0 memory balloon", Driver: "virtio-pci"}},
	}
	for _, tt := range tests {
		t.Run(tt.tree+"/"+tt.want.Address, func(t *testing.T) {
			t.Parallel()
			inv, err := collect(t, filepath.Join("testdata", tt.tree), collector.Config{PCIIDsPath: excerpt})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range inv.PCI.Devices {
				if d.Address == tt.want.Address {
					if diff := cmp.Diff(tt.want, d); diff != "" {
						t.Errorf("(-want +got):\n%s", diff)
					}
					return
				}
			}
			t.Errorf("no function %s", tt.want.Address)
		})
	}
}

func TestCounts(t *testing.T) {
	t.Parallel()
	want := map[string]map[string]int{
		"ghw-dell-poweredge-r610": {"bridge": 56, "network": 14, "storage": 2, "gpu": 1, "other": 9},
		"ghw-qemu-nvidia-p100":    {"bridge": 12, "gpu": 2, "network": 1, "storage": 4, "other": 10},
	}
	for tree, cats := range want {
		inv, err := collect(t, filepath.Join("testdata", tree), collector.Config{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, d := range inv.PCI.Devices {
			got[d.Category]++
		}
		if diff := cmp.Diff(cats, got); diff != "" {
			t.Errorf("%s categories (-want +got):\n%s", tree, diff)
		}
	}
}

func TestNoPCIBus(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, map[string]string{"sys/devices/": ""})
	_, err := collect(t, root, collector.Config{})
	if !errors.Is(err, collector.ErrNotApplicable) {
		t.Errorf("err = %v, want not applicable", err)
	}
}

// TestDatabaseSearch puts pci.ids files in the host's usr tree and checks
// which one is used: the configured file, then hwdata's, then Debian's.
func TestDatabaseSearch(t *testing.T) {
	t.Parallel()
	excerptData, err := os.ReadFile(excerpt)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		files      []string // under the host root
		configured string
		wantDB     string
		wantNames  bool
		wantWarn   bool
	}{
		{"none", nil, "", "", false, false},
		{"debian", []string{"usr/share/misc/pci.ids"}, "", "/usr/share/misc/pci.ids", true, false},
		{"hwdata first", []string{"usr/share/misc/pci.ids", "usr/share/hwdata/pci.ids"}, "", "/usr/share/hwdata/pci.ids", true, false},
		{"old location", []string{"usr/share/pci.ids"}, "", "/usr/share/pci.ids", true, false},
		{"configured", []string{"usr/share/misc/pci.ids"}, excerpt, excerpt, true, false},
		{"configured missing", []string{"usr/share/misc/pci.ids"}, "/nonexistent/pci.ids", "/usr/share/misc/pci.ids", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			if err := os.CopyFS(root, os.DirFS("testdata/build-vm")); err != nil {
				t.Fatal(err)
			}
			files := map[string]string{}
			for _, f := range tt.files {
				files[f] = string(excerptData)
			}
			testutil.WriteTree(t, root, files)
			inv, err := collect(t, root, collector.Config{PCIIDsPath: tt.configured})
			var partial *collector.PartialError
			if gotWarn := errors.As(err, &partial); gotWarn != tt.wantWarn || (err != nil && !gotWarn) {
				t.Fatalf("err = %v, want warning %v", err, tt.wantWarn)
			}
			if inv.PCI.IDsDatabase != tt.wantDB {
				t.Errorf("IDsDatabase = %q, want %q", inv.PCI.IDsDatabase, tt.wantDB)
			}
			if got := inv.PCI.Devices[3].DeviceName != ""; got != tt.wantNames {
				t.Errorf("names found %v, want %v (%+v)", got, tt.wantNames, inv.PCI.Devices[3])
			}
			if len(inv.PCI.Devices) != 6 || inv.PCI.Devices[3].VendorID != "1af4" {
				t.Errorf("functions not read without names: %+v", inv.PCI.Devices)
			}
		})
	}
}

// TestNICNames checks that Apply names the network section's PCI references
// by address, leaving other NICs alone.
func TestNICNames(t *testing.T) {
	t.Parallel()
	env := collector.NewEnv(hostpaths.New("testdata/build-vm", nil), nil, collector.Config{PCIIDsPath: excerpt})
	apply, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{Network: &inventory.Network{Interfaces: []inventory.NIC{
		{Name: "eth0", PCI: &inventory.PCIRef{Address: "0000:00:03.0", VendorID: "1af4", DeviceID: "1041"}},
		{Name: "veth0"},
		{Name: "eth9", PCI: &inventory.PCIRef{Address: "0000:09:00.0"}},
	}}}
	apply(inv)
	want := []inventory.NIC{
		{Name: "eth0", PCI: &inventory.PCIRef{Address: "0000:00:03.0", VendorID: "1af4", DeviceID: "1041",
			VendorName: "Red Hat, Inc.", DeviceName: "Virtio 1.0 network device"}},
		{Name: "veth0"},
		{Name: "eth9", PCI: &inventory.PCIRef{Address: "0000:09:00.0"}},
	}
	if diff := cmp.Diff(want, inv.Network.Interfaces); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
