//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
)

// readGolden decodes a golden inventory document strictly: a field the Go
// types do not know is an error.
func readGolden(t *testing.T, tree string) *inventory.Inventory {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, tree+".json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var inv inventory.Inventory
	if err := dec.Decode(&inv); err != nil {
		t.Fatalf("%s.json: %v", tree, err)
	}
	return &inv
}

// fact is one thing a golden document must say, and where the expected
// value comes from.
type fact struct {
	what string
	got  func(*inventory.Inventory) any
	want any
}

func status(name string) func(*inventory.Inventory) any {
	return func(inv *inventory.Inventory) any {
		if c := inv.Collector(name); c != nil {
			return c.Status
		}
		return nil
	}
}

func moduleSizes(inv *inventory.Inventory) any {
	var out []uint64
	for _, m := range inv.Memory.Modules {
		if m.Populated {
			out = append(out, m.SizeBytes)
		}
	}
	return out
}

func diskSummary(inv *inventory.Inventory) any {
	var out []string
	for _, d := range inv.Storage.Disks {
		out = append(out, fmt.Sprintf("%s %s %d", d.Name, d.Transport, d.SizeBytes))
	}
	return out
}

func nicNames(inv *inventory.Inventory) any {
	var out []string
	for _, n := range inv.Network.Interfaces {
		out = append(out, n.Name+" "+n.Kind)
	}
	return out
}

func pciByCategory(category string) func(*inventory.Inventory) any {
	return func(inv *inventory.Inventory) any {
		var out []string
		for _, d := range inv.PCI.Devices {
			if d.Category == category {
				out = append(out, d.Address+" "+d.VendorID+":"+d.DeviceID+" "+d.DeviceName)
			}
		}
		return out
	}
}

// goldenFacts are the facts of the non-QEMU trees (QEMU guests are checked
// against their command line by TestQEMUHostFacts). SMBIOS values are what
// Debian's dmidecode printed for the grafted table
// (/work/shared/fixtures/smbios/NAME.dmidecode.txt); the rest is in the
// tree's proc and sys files.
var goldenFacts = map[string][]fact{
	"server-r610-x9dbl": {
		{"SMBIOS serial (SuperMicro-X9DBL)", func(i *inventory.Inventory) any { return i.System.Product.Serial }, "9000116105"},
		{"SMBIOS UUID", func(i *inventory.Inventory) any { return i.System.Product.UUID }, "00000000-0000-0000-0000-0cc47a133878"},
		{"chassis serial 0123456789 is a placeholder, not an identifier", func(i *inventory.Inventory) any { return i.Identity.ChassisSerial }, ""},
		{"six DIMMs (4, 4, 16, 4, 4, 16 GiB)", moduleSizes, []uint64{4 << 30, 4 << 30, 16 << 30, 4 << 30, 4 << 30, 16 << 30}},
		{"two Xeon L5640: 2 packages, 12 cores, 24 threads (cpuinfo, topology)", func(i *inventory.Inventory) any {
			return [3]int{i.CPU.Packages, i.CPU.PhysicalCores, i.CPU.LogicalThreads}
		}, [3]int{2, 12, 24}},
		{"two NUMA nodes", func(i *inventory.Inventory) any { return len(i.CPU.NUMANodes) }, 2},
		{"MemTotal 65921280 kB", func(i *inventory.Inventory) any { return i.Memory.TotalBytes }, uint64(65921280 * 1024)},
		{"KCS BMC at 0xca2 (SMBIOS type 38)", func(i *inventory.Inventory) any { return i.BMC.Interface.BaseAddress }, "0xca2"},
		{"BMC partial: no /dev/ipmi0 in the tree", status("bmc"), inventory.StatusPartial},
		{"PERC 6/i (MegaRAID SAS 1078) and ICH9 SATA", pciByCategory(inventory.PCICategoryStorage), []string{
			"0000:00:1f.2 8086:2921 82801IB (ICH9) 2 port SATA Controller [IDE mode]",
			"0000:03:00.0 1000:0060 MegaRAID SAS 1078",
		}},
		{"ghw kept no /sys/class/net", status("network"), inventory.StatusFailed},
	},
	"desktop-ryzen-x399": {
		{"serial 'Default string' is flagged", func(i *inventory.Inventory) any { return i.System.Product.Placeholders }, []string{"version", "serial", "sku", "family"}},
		{"identity from the UUID, not the placeholder serial", func(i *inventory.Inventory) any {
			return [2]string{i.Identity.Basis, i.Identity.SystemSerial}
		}, [2]string{"system_uuid", ""}},
		{"eight 16 GiB DIMMs", func(i *inventory.Inventory) any { return i.Memory.InstalledBytes }, uint64(128 << 30)},
		{"three SATA disks", diskSummary, []string{"sda sata 256060514304", "sdb sata 1000204886016", "sdc sata 500107862016"}},
		{"four NICs", nicNames, []string{"enp3s0 physical", "enp6s0f0 physical", "enp6s0f1 physical", "enp8s0 physical"}},
		{"Ryzen 5 1600: 6 cores, 12 threads", func(i *inventory.Inventory) any {
			return [3]int{i.CPU.Packages, i.CPU.PhysicalCores, i.CPU.LogicalThreads}
		}, [3]int{1, 6, 12}},
		{"Radeon GPU", pciByCategory(inventory.PCICategoryGPU), []string{"0000:0a:00.0 1002:6758 Turks XT [Radeon HD 6670/7670]"}},
	},
	"laptop-lenovo-t480": {
		{"SMBIOS UUID (ThinkPad T480s)", func(i *inventory.Inventory) any { return i.System.Product.UUID }, "161674cc-2a1e-11b2-a85c-e121881d01b9"},
		{"chassis type Notebook (10)", func(i *inventory.Inventory) any { return [2]any{i.System.Chassis.Type, i.System.Chassis.TypeID} }, [2]any{"Notebook", uint8(10)}},
		{"two SODIMMs, 8 and 16 GiB", moduleSizes, []uint64{8 << 30, 16 << 30}},
		{"one NVMe disk", diskSummary, []string{"nvme0n1 nvme 1024209543168"}},
		{"Samsung NVMe controller", pciByCategory(inventory.PCICategoryStorage), []string{"0000:04:00.0 144d:a80a NVMe SSD Controller PM9A1/PM9A3/980PRO"}},
	},
	"vm-p100-vmware": {
		{"VMware guest", func(i *inventory.Inventory) any { return [2]any{i.System.Virtual, i.System.Hypervisor} }, [2]any{true, "VMware"}},
		{"Tesla P100 (3D controller, class 0302) counted as a GPU beside the virtio GPU", pciByCategory(inventory.PCICategoryGPU),
			[]string{"0000:04:00.0 1af4:1050 Virtio 1.0 GPU", "0000:06:00.0 10de:15f8 GP100GL [Tesla P100 PCIe 16GB]"}},
		{"128 slots, one populated with 1 GiB", func(i *inventory.Inventory) any {
			return [3]any{i.Memory.SlotCount, i.Memory.PopulatedCount, i.Memory.InstalledBytes}
		}, [3]any{128, 1, uint64(1 << 30)}},
	},
	"arm64-graviton": {
		{"architecture from kernel.arch aarch64", func(i *inventory.Inventory) any { return i.Host.Architecture }, "arm64"},
		{"no SMBIOS table grafted: system not applicable", status("system"), inventory.StatusNotApplicable},
		{"Neoverse-N1", func(i *inventory.Inventory) any { return i.CPU.ModelName }, "Neoverse-N1"},
		{"EBS NVMe disk", diskSummary, []string{"nvme0n1 nvme 8589934592"}},
		{"ENA NIC", pciByCategory(inventory.PCICategoryNetwork), []string{"0000:00:05.0 1d0f:ec20 Elastic Network Adapter (ENA)"}},
		{"no identifier at all", func(i *inventory.Inventory) any { return i.Identity.MachineID }, ""},
	},
	"build-vm": {
		{"no SMBIOS on the build VM", status("system"), inventory.StatusNotApplicable},
		{"virtio disk with the serial the VMM gives", diskSummary, []string{"vda virtio 274877906944"}},
		{"eth0, and the live addresses of the machine running the test are NOT joined", func(i *inventory.Inventory) any {
			n := i.Network.Interfaces[0]
			return fmt.Sprint(n.Name, " ", n.MAC, " ", n.Addresses, " ", n.BusInfo)
		}, "eth0 02:fc:00:00:00:01 [] "},
		{"identity from eth0's MAC", func(i *inventory.Inventory) any { return [2]any{i.Identity.Basis, i.Identity.MACs} }, [2]any{"mac", []string{"02:fc:00:00:00:01"}}},
	},
}

// TestGoldenFacts checks a few key facts of each golden document, so that
// a reviewer sees what the goldens are meant to say and an -update that
// changes one of them fails loudly.
func TestGoldenFacts(t *testing.T) {
	t.Parallel()
	for _, tree := range hostTrees(t) {
		facts, ok := goldenFacts[tree]
		if !ok && !isQEMUHost(tree) {
			t.Errorf("%s: no facts in goldenFacts", tree)
			continue
		}
		t.Run(tree, func(t *testing.T) {
			t.Parallel()
			inv := readGolden(t, tree)
			for _, f := range facts {
				checkFact(t, inv, f)
			}
		})
	}
}

func checkFact(t *testing.T, inv *inventory.Inventory, f fact) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s: section missing: %v", f.what, p)
		}
	}()
	if diff := cmp.Diff(f.want, f.got(inv)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", f.what, diff)
	}
}

func isQEMUHost(tree string) bool {
	for _, h := range qemuHosts {
		if h.Name == tree {
			return true
		}
	}
	return false
}
