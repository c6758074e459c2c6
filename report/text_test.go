package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// fullInventory is a server with every section filled, values taken from
// the SuperMicro X9DBL fixture and a lab BMC/switch.
func fullInventory() *inventory.Inventory {
	return &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		CollectedAt:   time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC),
		Agent:         inventory.Agent{Version: "v0.1.0", Mode: "dump"},
		Identity:      inventory.Identity{MachineID: "m-0123456789abcdef01234567", Basis: "baseboard_serial"},
		Host:          &inventory.Host{Hostname: "hook", KernelRelease: "6.6.60", Architecture: "amd64", OS: "LinuxKit"},
		System: &inventory.System{
			BIOS:      inventory.BIOS{Vendor: "American Megatrends Inc.", Version: "3.0a", ReleaseDate: "12/05/2013"},
			Product:   inventory.Product{Manufacturer: "Supermicro", Name: "X9DBL-3F/X9DBL-iF", Version: "0123456789", Serial: "0123456789", UUID: "00000000-0000-0000-0000-002590d2f1d8", Placeholders: []string{"version", "serial"}},
			Baseboard: &inventory.Baseboard{Manufacturer: "Supermicro", Product: "X9DBL-3F/X9DBL-iF", Serial: "NM13CS017331"},
			Chassis:   &inventory.Chassis{Manufacturer: "Supermicro", Type: "Main Server Chassis", TypeID: 17, Serial: "0123456789", Placeholders: []string{"serial"}},
		},
		CPU: &inventory.CPU{ModelName: "Intel(R) Xeon(R) CPU E5-2420 0 @ 1.90GHz", Vendor: "GenuineIntel", Packages: 2, PhysicalCores: 12, LogicalThreads: 24, OnlineCount: 24,
			NUMANodes: []inventory.NUMANode{{ID: 0}, {ID: 1}},
			Caches:    []inventory.Cache{{Level: 1, Type: "Data", SizeBytes: 32 << 10, Instances: 12}, {Level: 3, Type: "Unified", SizeBytes: 15 << 20, Instances: 2}},
			Sockets:   []inventory.CPUSocket{{Designation: "CPU1", Version: "Intel(R) Xeon(R) CPU E5-2420 0 @ 1.90GHz", MaxSpeedMHz: 4000, CoreCount: 6, ThreadCount: 12, Populated: true}, {Designation: "CPU2", Populated: false}}},
		Memory: &inventory.Memory{TotalBytes: 33_631_428_608, InstalledBytes: 32 << 30, SlotCount: 2, PopulatedCount: 1, Modules: []inventory.MemoryModule{
			{Locator: "P1-DIMMA1", Populated: true, SizeBytes: 32 << 30, Type: "DDR3", FormFactor: "DIMM", SpeedMTs: 1600, ConfiguredSpeedMTs: 1333, Manufacturer: "Samsung", PartNumber: "M393B4G70BM0-YH9", Serial: "12345678"},
			{Locator: "P1-DIMMA2"},
		}},
		Storage: &inventory.Storage{Disks: []inventory.Disk{
			{Name: "nvme0n1", Path: "/dev/nvme0n1", SizeBytes: 960_197_124_096, Transport: "nvme", Model: "SAMSUNG MZQLB960HAJR-00007", Serial: "S437NA0M900123", FirmwareRevision: "EDA5202Q"},
			{Name: "sda", Path: "/dev/sda", SizeBytes: 4_000_787_030_016, Rotational: true, Transport: "sata", Vendor: "ATA", Model: "ST4000NM0035-1V4", Serial: "ZC18ABCD"},
		}},
		Network: &inventory.Network{Interfaces: []inventory.NIC{
			{Name: "eth0", Kind: inventory.NICPhysical, MAC: "0c:c4:7a:12:34:56", PermanentMAC: "0c:c4:7a:12:34:56", Driver: "igb", Carrier: true, SpeedMbps: 1000, Boot: true, Addresses: []string{"10.0.0.17/24"},
				Neighbors: []inventory.Neighbor{{Protocol: "lldp", SystemName: "sw01", PortIDSubtype: "local", PortID: "Ethernet1/7", PortVLANID: 100}}},
			{Name: "eth1", Kind: inventory.NICPhysical, MAC: "0c:c4:7a:12:34:57", Driver: "igb"},
		}},
		PCI: &inventory.PCI{Devices: []inventory.PCIDevice{
			{Address: "0000:03:00.0", Category: inventory.PCICategoryGPU, VendorID: "10de", DeviceID: "1eb8", VendorName: "NVIDIA Corporation", DeviceName: "TU104GL [Tesla T4]", Driver: "nvidia"},
			{Address: "0000:00:1f.0", Category: inventory.PCICategoryBridge, VendorID: "8086", DeviceID: "1d41"},
		}},
		Firmware: &inventory.Firmware{BootMode: "uefi", EFIBitness: 64, SecureBoot: new(bool), TPM: &inventory.TPM{Device: "tpm0", Version: "2.0"}},
		BMC: &inventory.BMC{Manufacturer: "Supermicro", ManufacturerID: 10876, FirmwareVersion: "3.10",
			Interface: &inventory.IPMIInterface{Type: "KCS", SpecVersion: "2.0", BaseAddress: "0xca2"},
			LAN:       []inventory.BMCLANChannel{{Channel: 1, IPSource: "static", IPv4: "10.0.0.42", Netmask: "255.255.255.0", Gateway: "10.0.0.1", MAC: "52:54:00:be:ef:01", VLANID: 20, Configured: true}}},
		Collectors: []inventory.CollectorStatus{
			{Name: "bmc", Status: inventory.StatusOK, DurationSeconds: 0.012},
			{Name: "lldp", Status: inventory.StatusPartial, Warnings: []string{"eth1: no LLDP received within 35s"}, DurationSeconds: 35},
			{Name: "pci", Status: inventory.StatusFailed, Error: "read /sys/bus/pci/devices: permission denied"},
		},
	}
}

func TestAtAGlanceLines(t *testing.T) {
	t.Parallel()
	inv := fullInventory()
	if got, want := inv.Network.Interfaces[0].Name+" "+NeighborLine(inv.Network.Interfaces[0]), "eth0 → sw01 Ethernet1/7 (VLAN 100)"; got != want {
		t.Errorf("neighbour line = %q, want %q", got, want)
	}
	if got, want := BMCLine(inv.BMC), "BMC 10.0.0.42 (static) 52:54:00:be:ef:01 VLAN 20 — Supermicro fw 3.10"; got != want {
		t.Errorf("BMC line = %q, want %q", got, want)
	}
	if got, want := Summary(inv), "Supermicro X9DBL-3F/X9DBL-iF · 2× Intel(R) Xeon(R) CPU E5-2420 0 @ 1.90GHz (24 threads) · 32 GiB RAM · 2 disks 4.5 TiB · 2 NICs · BMC 10.0.0.42"; got != want {
		t.Errorf("summary = %q\n      want %q", got, want)
	}
	unconfigured := &inventory.BMC{Manufacturer: "QEMU", FirmwareVersion: "0.0", LANError: "LAN parameters not supported"}
	if got, want := BMCLine(unconfigured), "BMC (no LAN address) — QEMU fw 0.0"; got != want {
		t.Errorf("BMC line without LAN = %q", got)
	}
}

func TestTextGolden(t *testing.T) {
	t.Parallel()
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Write(&buf, fullInventory(), Text, Options{Color: color}); err != nil {
			t.Fatal(err)
		}
		name := "full.txt"
		if color {
			name = "full.color.txt"
		}
		testutil.Golden(t, filepath.Join("testdata", name), buf.Bytes(), *testutil.Update)
		if !color && strings.Contains(buf.String(), "\033[") {
			t.Error("colour codes without Color")
		}
	}
}

func TestFormatsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{JSON, YAML} {
		var buf bytes.Buffer
		if err := Write(&buf, fullInventory(), f, Options{}); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"schema_version", "hwagent.inventory/v1", "total_bytes", "permanent_mac"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("%s output lacks %q", f, want)
			}
		}
	}
}

// TestOperatorDetails: what an operator reads during an outage — the MTU
// and an unknown speed on each NIC line, sizes in lsblk's units, the root
// disk marked, the hostname not read as a marker, CPU model runs of
// spaces collapsed, the hypervisor in words, the --lldp-wait hint.
func TestOperatorDetails(t *testing.T) {
	t.Parallel()
	inv := &inventory.Inventory{
		Host: &inventory.Host{Hostname: "vm", KernelRelease: "6.6.60", Architecture: "amd64"},
		CPU:  &inventory.CPU{ModelName: "Intel(R) Xeon(R) CPU           L5640  @ 2.27GHz", Packages: 2, LogicalThreads: 24},
		Storage: &inventory.Storage{Disks: []inventory.Disk{{
			Name: "sda", Path: "/dev/sda", SizeBytes: 240057409536, Transport: "sata", HoldsRoot: true, InUse: true,
			PartitionTable: "gpt", PartitionList: []inventory.Partition{
				{Name: "sda1", Signatures: []inventory.Signature{{Type: "vfat"}}, Mountpoints: []string{"/boot/efi"}},
				{Name: "sda2", Signatures: []inventory.Signature{{Type: "ext4"}}, Mountpoints: []string{"/"}},
			},
		}}},
		Network: &inventory.Network{Interfaces: []inventory.NIC{
			{Name: "eth0", Kind: inventory.NICPhysical, MAC: "52:54:00:12:34:56", Carrier: true, MTU: 9000},
		}},
		Virtualization: &inventory.Virtualization{Type: inventory.VirtualizationVirtualMachine, Hypervisor: "kvm",
			Evidence: []inventory.VirtualizationEvidence{{Source: "cpuid", Virtual: true, Hypervisor: "kvm"}, {Source: "cpuinfo", Virtual: true}}},
		// What the LLDP collector says when a NIC with carrier heard
		// nothing (collectors/lldp TestLLDPDSilentNIC renders its real
		// status from a netns).
		Collectors: []inventory.CollectorStatus{{Name: "lldp", Status: inventory.StatusNotApplicable,
			Error: "no LLDP or CDP neighbour: eth0: no LLDP received within 3s"}},
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, inv, Options{LLDPWait: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"2× Intel(R) Xeon(R) CPU L5640 @ 2.27GHz (24 threads)",
		"KVM virtual machine (cpuid, cpuinfo)",
		`hostname "vm"`,
		"up, speed unknown  mtu 9000",
		"/dev/sda [root]  223.6 GiB",
		"gpt, sda1 vfat on /boot/efi, sda2 ext4 on /",
		"switches send every 30 s; try --lldp-wait 35s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	if err := WriteText(&buf, inv, Options{LLDPWait: 35 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "try --lldp-wait") {
		t.Error("hint after a whole switch interval")
	}
	// Waiting longer would not help: no carrier, links down, a recording.
	for _, reason := range []string{
		"no LLDP or CDP neighbour: no carrier on eth0",
		"no LLDP or CDP neighbour: eth0 down (use --lldp-link-up)",
		"a recorded host: LLDP listens on the running machine's links",
	} {
		inv.Collectors[0].Error = reason
		buf.Reset()
		if err := WriteText(&buf, inv, Options{LLDPWait: 3 * time.Second}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "try --lldp-wait") {
			t.Errorf("hint when the LLDP collector says %q", reason)
		}
	}
}
