package history

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/testinv"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	base := testinv.Machine(42)
	truth := true
	tests := []struct {
		name   string
		change func(inv *inventory.Inventory)
		want   []string
	}{
		{"identical", func(*inventory.Inventory) {}, nil},
		{"collection time and uptime only", func(inv *inventory.Inventory) {
			inv.CollectedAt = inv.CollectedAt.Add(3600e9)
			inv.Host.UptimeSeconds = 99
		}, nil},
		{"bios and bmc firmware", func(inv *inventory.Inventory) {
			inv.System.BIOS.Version = "6.6.1"
			inv.System.BIOS.ReleaseDate = "01/02/2020"
			inv.BMC.FirmwareVersion = "2.95"
		}, []string{
			"bios.version 6.6.0 → 6.6.1",
			"bios.release_date 05/24/2018 → 01/02/2020",
			"bmc.firmware 2.92 → 2.95",
		}},
		{"bmc address and vlan", func(inv *inventory.Inventory) {
			inv.BMC.LAN[0].IPv4 = "10.30.9.9"
			inv.BMC.LAN[0].VLANID = 30
		}, []string{"bmc.ipv4 10.30.1.43 → 10.30.9.9", "bmc.vlan 0 → 30"}},
		{"bmc gone", func(inv *inventory.Inventory) { inv.BMC = nil }, []string{"bmc gone (firmware 2.92)"}},
		{"system serial and board", func(inv *inventory.Inventory) {
			inv.System.Product.Serial = "ABCDEFG"
			inv.System.Baseboard.Serial = "..CN000."
		}, []string{
			"system.serial " + base.System.Product.Serial + " → ABCDEFG",
			"baseboard.serial " + base.System.Baseboard.Serial + " → ..CN000.",
		}},
		{"cpu swap", func(inv *inventory.Inventory) {
			inv.CPU.ModelName = "Intel(R) Xeon(R) CPU           X5650  @ 2.67GHz"
			inv.CPU.Microcode = "0x20"
		}, []string{
			"cpu.model Intel(R) Xeon(R) CPU           L5640  @ 2.27GHz → Intel(R) Xeon(R) CPU           X5650  @ 2.67GHz",
			"cpu.microcode 0x1f → 0x20",
		}},
		{"dimm removed and memory total", func(inv *inventory.Inventory) {
			m := inv.Memory
			m.Modules[0] = inventory.MemoryModule{Locator: "DIMM_A1"}
			m.TotalBytes -= 8 << 30
			m.InstalledBytes -= 8 << 30
		}, []string{
			"memory.total 92.3 GiB → 84.3 GiB",
			"memory.installed 96 GiB → 88 GiB",
			"dimm DIMM_A1 removed (8 GiB 00CE00B300CE M393B1K70DH0-YH9, serial " + base.Memory.Modules[0].Serial + ")",
		}},
		{"dimm added in an empty slot", func(inv *inventory.Inventory) {
			inv.Memory.Modules[8] = inventory.MemoryModule{Locator: "DIMM_A9", Populated: true, SizeBytes: 16 << 30, Manufacturer: "Samsung", PartNumber: "M393B2G70BH0-YH9", Serial: "1234ABCD"}
		}, []string{"dimm DIMM_A9 added (16 GiB Samsung M393B2G70BH0-YH9, serial 1234ABCD)"}},
		{"dimm replaced", func(inv *inventory.Inventory) {
			inv.Memory.Modules[1].Serial = "FFFF0000"
		}, []string{"dimm DIMM_A2 replaced (8 GiB 00CE00B300CE M393B1K70DH0-YH9, serial " + base.Memory.Modules[1].Serial + ") → (8 GiB 00CE00B300CE M393B1K70DH0-YH9, serial FFFF0000)"}},
		{"disk gone, another renamed, firmware updated", func(inv *inventory.Inventory) {
			d := inv.Storage.Disks
			d[1].FirmwareRevision = "CS10"
			d[6].Name = "sdf"
			inv.Storage.Disks = append(d[:5], d[6])
		}, []string{
			"disk sdb (" + base.Storage.Disks[1].Serial + ") firmware CS09 → CS10",
			"disk sdf removed (600 GB ST9600205SS, serial " + base.Storage.Disks[5].Serial + ")",
			"disk sdf (" + base.Storage.Disks[6].Serial + ") renamed sdg → sdf",
		}},
		{"nic moved to another switch port, firmware, speed", func(inv *inventory.Inventory) {
			nic := &inv.Network.Interfaces[0]
			nic.Neighbors[0].SystemName = "leaf-r007-a"
			nic.Neighbors[0].PortID = "Ethernet1"
			nic.FirmwareVersion = "7.14.0"
			nic.SpeedMbps = 10000
		}, []string{
			"nic eno1 (00:26:b9:00:01:50) firmware 7.10.4 bc 5.2.3 NCSI 2.0.11 → 7.14.0",
			"nic eno1 (00:26:b9:00:01:50) speed 1 Gb/s → 10 Gb/s",
			"nic eno1 (00:26:b9:00:01:50) neighbour leaf-r001-a Ethernet3 → leaf-r007-a Ethernet1",
		}},
		{"nic renamed and driver", func(inv *inventory.Inventory) {
			inv.Network.Interfaces[4].Name = "ens2f0"
			inv.Network.Interfaces[4].Driver = "igb_uio"
		}, []string{
			"nic ens2f0 (00:26:b9:00:01:54) renamed enp5s0f0 → ens2f0",
			"nic ens2f0 (00:26:b9:00:01:54) driver igb → igb_uio",
		}},
		{"nic removed and virtual ones ignored", func(inv *inventory.Inventory) {
			n := inv.Network
			n.Interfaces = append(n.Interfaces[:5], inventory.NIC{Name: "docker0", Kind: inventory.NICBridge, MAC: "02:42:ac:11:00:01"})
		}, []string{"nic enp5s0f1 (00:26:b9:00:01:55) removed (I350 Gigabit Network Connection, igb, firmware 1.63, 0x800009fa)"}},
		{"pci device gone and replaced", func(inv *inventory.Inventory) {
			p := inv.PCI
			p.Devices[1].DeviceID = "3409"
			p.Devices = p.Devices[:len(p.Devices)-1]
		}, []string{
			"pci 0000:00:01.0 replaced (8086:3408 Intel Corporation 5520/5500/X58 I/O Hub PCI Express Root Port 1) → (8086:3409 Intel Corporation 5520/5500/X58 I/O Hub PCI Express Root Port 1)",
			"pci " + base.PCI.Devices[len(base.PCI.Devices)-1].Address + " removed (" + pciText(base.PCI.Devices[len(base.PCI.Devices)-1]) + ")",
		}},
		{"secure boot and tpm", func(inv *inventory.Inventory) {
			inv.Firmware = &inventory.Firmware{BootMode: "uefi", SecureBoot: &truth, TPM: &inventory.TPM{Device: "tpm0", Version: "2.0"}}
		}, []string{"firmware.boot_mode bios → uefi", "firmware.secure_boot (none) → true", "tpm 2.0 appeared"}},
		{"sections gone", func(inv *inventory.Inventory) { inv.Storage, inv.Memory = nil, nil }, func() []string {
			var out []string
			out = append(out, "memory.total 92.3 GiB → 0 B", "memory.installed 96 GiB → 0 B")
			for _, m := range base.Memory.Modules {
				if m.Populated {
					out = append(out, "dimm "+m.Locator+" removed ("+dimmText(m)+")")
				}
			}
			for _, d := range base.Storage.Disks {
				out = append(out, "disk "+d.Name+" removed ("+diskText(d)+")")
			}
			return out
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			newer := testinv.Machine(42)
			tt.change(newer)
			got := Diff(testinv.Machine(42), newer)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffNil(t *testing.T) {
	t.Parallel()
	if got := Diff(nil, nil); got != nil {
		t.Errorf("Diff(nil, nil) = %q", got)
	}
	got := Diff(nil, &inventory.Inventory{BMC: &inventory.BMC{FirmwareVersion: "1.0"}})
	if diff := cmp.Diff([]string{"bmc appeared (firmware 1.0)"}, got); diff != "" {
		t.Errorf("Diff(nil, bmc) (-want +got):\n%s", diff)
	}
}

// FuzzDiff feeds two inventories decoded from arbitrary JSON: Diff never
// panics, and a document compared with itself has no differences.
func FuzzDiff(f *testing.F) {
	// Seeds are trimmed machines: the fuzzer minimizes every interesting
	// input, which takes minutes on a whole 47 KB document.
	trim := func(inv *inventory.Inventory) []byte {
		inv.PCI.Devices = inv.PCI.Devices[:2]
		inv.CPU = nil
		inv.Memory.Modules = inv.Memory.Modules[:3]
		inv.Storage.Disks = inv.Storage.Disks[:2]
		inv.Network.Interfaces = inv.Network.Interfaces[:2]
		inv.Host, inv.Collectors = nil, nil
		b, _ := json.Marshal(inv)
		return b
	}
	a := trim(testinv.Machine(1))
	b := trim(testinv.MachineWith(1, testinv.Options{RemoveDIMM: "DIMM_A1", BIOSVersion: "x", Switch: "s", SwitchPort: "p"}))
	f.Add(a, b)
	f.Add([]byte(`{"memory":{"modules":[{"locator":"A","populated":true},{"locator":"A","populated":true}]}}`), []byte(`{}`))
	f.Add([]byte(`{"network":{"interfaces":[{"name":"x","kind":"physical"},{"name":"x","kind":"physical"}]}}`), []byte(`{"bmc":{}}`))
	f.Fuzz(func(t *testing.T, x, y []byte) {
		var older, newer inventory.Inventory
		if json.Unmarshal(x, &older) != nil || json.Unmarshal(y, &newer) != nil {
			return
		}
		Diff(&older, &newer)
		if same := Diff(&older, &older); len(same) != 0 {
			t.Errorf("Diff of a document with itself: %q", same)
		}
	})
}

// TestDiffTPMEndorsementKey: a machine whose TPM now has another
// endorsement key (a replaced TPM or motherboard) says so.
func TestDiffTPMEndorsementKey(t *testing.T) {
	t.Parallel()
	withEK := func(sha, issuer string) *inventory.Inventory {
		inv := testinv.Machine(42)
		inv.Firmware = &inventory.Firmware{BootMode: "uefi", TPM: &inventory.TPM{Device: "tpm0", Version: "2.0"}}
		if sha != "" {
			inv.Firmware.TPM.EndorsementKey = &inventory.TPMEndorsementKey{Algorithm: "rsa-2048", PublicKeySHA256: sha, CertificateIssuer: issuer}
		}
		return inv
	}
	for _, tc := range []struct {
		name         string
		older, newer *inventory.Inventory
		want         []string
	}{
		{"same key", withEK("aa", "CN=ca"), withEK("aa", "CN=ca"), nil},
		{"key read for the first time", withEK("", ""), withEK("aa", "CN=ca"), []string{"tpm.endorsement_key (none) → rsa-2048 sha256:aa", "tpm.ek_certificate_issuer (none) → CN=ca"}},
		{"another TPM", withEK("aa", "CN=ca"), withEK("bb", "CN=other"), []string{"tpm.endorsement_key rsa-2048 sha256:aa → rsa-2048 sha256:bb", "tpm.ek_certificate_issuer CN=ca → CN=other"}},
	} {
		if diff := cmp.Diff(tc.want, Diff(tc.older, tc.newer)); diff != "" {
			t.Errorf("%s: Diff (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestDiffPending: a registration sent before the First collectors
// finished (their sections absent, their statuses pending) compares only
// what it holds, and names what reported since or has not yet; an
// endorsement key change still shows while the firmware collector is
// pending.
func TestDiffPending(t *testing.T) {
	t.Parallel()
	withEK := func(inv *inventory.Inventory, sha string) *inventory.Inventory {
		inv.Firmware = &inventory.Firmware{BootMode: "uefi", TPM: &inventory.TPM{Device: "tpm0", Version: "2.0",
			EndorsementKey: &inventory.TPMEndorsementKey{Algorithm: "rsa-2048", PublicKeySHA256: sha}}}
		inv.Collectors = append(inv.Collectors, inventory.CollectorStatus{Name: "tpm", Status: inventory.StatusOK})
		return inv
	}
	full := withEK(testinv.Machine(42), "aa")
	// testinv's collectors in its order; the registration has no LLDP
	// result yet, so the neighbours are gone from it, as they were from
	// every registration before.
	pending := "cpu, memory, storage, pci, firmware, bmc"
	noNeighbours := []string{
		"nic eno1 (00:26:b9:00:01:50) neighbour leaf-r001-a Ethernet3 → (none)",
		"nic eno2 (00:26:b9:00:01:51) neighbour leaf-r001-b Ethernet3 → (none)",
	}
	for _, tc := range []struct {
		name         string
		older, newer *inventory.Inventory
		want         []string
	}{
		{"a new machine's first update", testinv.Registration(full), full,
			[]string{"nic eno1 (00:26:b9:00:01:50) neighbour (none) → leaf-r001-a Ethernet3", "nic eno2 (00:26:b9:00:01:51) neighbour (none) → leaf-r001-b Ethernet3",
				"reported after the registration: " + pending}},
		{"a held registration against the machine's inventory", full, testinv.Registration(full),
			append(noNeighbours, "not reported yet: "+pending)},
		{"a held registration with another BIOS and TPM", full,
			testinv.Registration(withEK(testinv.MachineWith(42, testinv.Options{BIOSVersion: "6.6.1"}), "bb")),
			append(append([]string{"bios.version 6.6.0 → 6.6.1"}, noNeighbours...),
				"tpm.endorsement_key rsa-2048 sha256:aa → rsa-2048 sha256:bb", "not reported yet: "+pending)},
		{"a registration after another", testinv.Registration(full), testinv.Registration(full), []string{"not reported yet: " + pending}},
	} {
		if diff := cmp.Diff(tc.want, Diff(tc.older, tc.newer)); diff != "" {
			t.Errorf("%s: Diff (-want +got):\n%s", tc.name, diff)
		}
	}
}
