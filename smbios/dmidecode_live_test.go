package smbios

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
)

// TestSyntheticTablesAgreeWithDmidecode writes synthetic tables holding the
// structures no fixture has (SSIF IPMI, Redfish host interfaces, TPM, a
// pre-2.6 UUID) as dump-bin files, runs the real dmidecode on them and
// compares. Needs dmidecode (Debian package dmidecode).
//
// Debian 12's dmidecode 3.4 does not know the v2 USB/PCI device types of
// DSP0270 1.3 (3.5 does): where it prints "<OUT OF SPEC>" the device fields
// are not compared. dmidecode calls interface type 40h "Network"; the
// inventory says "Network Host Interface".
func TestSyntheticTablesAgreeWithDmidecode(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.Dmidecode)
	dmidecode, err := exec.LookPath("dmidecode")
	if err != nil {
		t.Fatal(err)
	}
	// type 0: vendor, version, segment F000, date, ROM 0xFF → extended
	// 0x0020 = 32 MiB, characteristics PCI, ext1 ACPI+USB, ext2 targeted
	// content + UEFI + VM, release 5.14, EC 0.32.
	bios := structBytes(0, 0x0000, []byte{1, 2, 0x00, 0xF0, 3, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x1C, 5, 14, 0x00, 0x20, 0x20, 0x00}, "Acme", "1.2.3", "01/02/2024")
	// type 1: strings, UUID bytes 00..0F, wake-up 06 (power switch), SKU, family.
	system := structBytes(1, 0x0001, []byte{1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 6, 5, 6}, "Acme", "X1", "v1", "SN123", "SKU-X1", "XFamily")
	// type 38: SSIF, IPMI 2.0, I2C address 0x20, no NV storage, SMBus
	// address 0x20, no interrupt info.
	ssif := structBytes(38, 0x0026, []byte{0x04, 0x20, 0x20, 0xFF, 0x20, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00})
	tests := []struct {
		name  string
		entry func(tableLen, count, maxSize int) []byte
		table [][]byte
	}{
		{"SMBIOS 3.2", func(l, _, _ int) []byte { return entry3(3, 2, 0, l) },
			[][]byte{bios, system, ssif, redfishUSBv2(), redfishPCI(), tpm43('N', 'T', 'C', 0, 2, 0, 0x00070002, 0), endOfTable(0xFFFF)}},
		// Before 2.6 the UUID is printed in byte order.
		{"SMBIOS 2.5", func(l, n, m int) []byte { return entry2(2, 5, l, n, m) },
			[][]byte{bios, system, ssif, endOfTable(0xFFFF)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			table := concat(tt.table...)
			maxSize := 0
			for _, s := range tt.table {
				maxSize = max(maxSize, len(s))
			}
			entry := tt.entry(len(table), len(tt.table), maxSize)
			path := filepath.Join(t.TempDir(), "table.bin")
			if err := os.WriteFile(path, dumpBin(entry, table), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(dmidecode, "--from-dump", path).CombinedOutput()
			if err != nil {
				t.Fatalf("dmidecode: %v\n%s", err, out)
			}
			blocks := parseDmidecodeOutput(t, tt.name, string(out))
			tb, err := Parse(entry, table)
			if err != nil {
				t.Fatal(err)
			}
			compareSyntheticSystem(t, tb, blocks)
			compareSyntheticIPMI(t, tb, blocks)
			compareSyntheticRedfish(t, tb, blocks)
			compareSyntheticTPM(t, tb, blocks)
		})
	}
}

func compareSyntheticSystem(t *testing.T, tb *Table, blocks []dmiBlock) {
	t.Helper()
	got, err := tb.System()
	if err != nil {
		t.Fatal(err)
	}
	b, s := ofType(blocks, 0)[0], ofType(blocks, 1)[0]
	want := inventory.BIOS{
		Vendor: b.Attrs["Vendor"], Version: b.Attrs["Version"], ReleaseDate: b.Attrs["Release Date"],
		Release: b.Attrs["BIOS Revision"], FirmwareRevision: b.Attrs["Firmware Revision"],
		ROMSizeBytes: dmiBytes(t, b.Attrs["ROM Size"]),
		UEFI:         contains(b.Lists["Characteristics"], "UEFI is supported"),
	}
	if diff := cmp.Diff(want, got.BIOS); diff != "" {
		t.Errorf("BIOS (-dmidecode +got):\n%s", diff)
	}
	if vm := contains(b.Lists["Characteristics"], "System is a virtual machine"); !vm || !got.Virtual {
		t.Errorf("virtual machine bit: dmidecode %v, Virtual %v", vm, got.Virtual)
	}
	wantP := inventory.Product{
		Manufacturer: s.Attrs["Manufacturer"], Name: s.Attrs["Product Name"], Version: s.Attrs["Version"],
		Serial: s.Attrs["Serial Number"], UUID: s.Attrs["UUID"], SKU: s.Attrs["SKU Number"],
		Family: s.Attrs["Family"], WakeUpType: s.Attrs["Wake-up Type"],
		// Bytes 00..0F count: a placeholder UUID (osquery/osquery#4374
		// lists 03020100-0504-0706-0809-0A0B0C0D0E0F).
		Placeholders: []string{"uuid"},
	}
	if diff := cmp.Diff(wantP, got.Product); diff != "" {
		t.Errorf("Product (-dmidecode +got):\n%s", diff)
	}
}

func compareSyntheticIPMI(t *testing.T, tb *Table, blocks []dmiBlock) {
	t.Helper()
	got, err := tb.IPMIInterface()
	if err != nil {
		t.Fatal(err)
	}
	a := ofType(blocks, 38)[0].Attrs
	typ, _, _ := strings.Cut(a["Interface Type"], " ")
	addr, space, _ := strings.Cut(a["Base Address"], " ")
	want := &inventory.IPMIInterface{
		Type: typ, SpecVersion: a["Specification Version"], I2CSlaveAddress: a["I2C Slave Address"],
		BaseAddress: strings.ToLower(addr), AddressSpace: map[string]string{"(SMBus)": "smbus"}[space],
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("IPMIInterface (-dmidecode +got):\n%s", diff)
	}
}

func compareSyntheticRedfish(t *testing.T, tb *Table, blocks []dmiBlock) {
	t.Helper()
	got, err := tb.RedfishHostInterfaces()
	if err != nil {
		t.Fatal(err)
	}
	var want []inventory.RedfishHostInterface
	hex := func(v string) string { return strings.TrimPrefix(v, "0x") }
	assign := map[string]string{"Static": "static", "DHCP": "dhcp", "AutoConf": "autoconf", "Host Selected": "host_selected"}
	for _, b := range ofType(blocks, 42) {
		a := b.Attrs
		w := inventory.RedfishHostInterface{
			InterfaceType:      map[string]string{"Network": "Network Host Interface"}[a["Host Interface Type"]],
			ServiceIP:          a["IPv4 Redfish Service Address"],
			ServiceNetmask:     a["IPv4 Redfish Service Mask"],
			ServiceHostname:    a["Redfish Service Hostname"],
			ServiceUUID:        dmiUUID(a["Service UUID"]),
			ServiceIPDiscovery: assign[a["Redfish Service IP Discovery Type"]],
			HostIPAssignment:   assign[a["Host IP Assignment Type"]],
			HostIP:             a["IPv4 Address"],
			HostNetmask:        a["IPv4 Mask"],
		}
		if p, ok := a["Protocol ID"]; ok {
			_, name, _ := strings.Cut(p, " ")
			w.Protocols = []string{strings.Trim(name, "()")}
		}
		if v := a["Redfish Service Port"]; v != "" {
			n, _ := strconv.Atoi(v)
			w.ServicePort = uint16(n)
		}
		if v := a["Redfish Service Vlan"]; v != "" {
			n, _ := strconv.Atoi(v)
			w.ServiceVLAN = uint32(n)
		}
		switch a["Device Type"] {
		case "PCI/PCIe":
			w.DeviceType, w.VendorID, w.ProductID = "PCI/PCIe Network Interface", hex(a["VendorID"]), hex(a["DeviceID"])
		case "USB":
			w.DeviceType, w.VendorID, w.ProductID = "USB Network Interface", hex(a["idVendor"]), hex(a["idProduct"])
		case "USB v2":
			w.DeviceType, w.VendorID, w.ProductID, w.MAC = "USB Network Interface v2", hex(a["idVendor"]), hex(a["idProduct"]), a["MAC Address"]
		case "PCI/PCIe v2":
			w.DeviceType, w.VendorID, w.ProductID, w.MAC = "PCI/PCIe Network Interface v2", hex(a["VendorID"]), hex(a["DeviceID"]), a["MAC Address"]
		case "<OUT OF SPEC>":
			// dmidecode older than 3.5: take the device fields from the
			// inventory, they are checked by TestRedfishHostInterfaces.
			for _, g := range got {
				if g.ServiceUUID == w.ServiceUUID {
					w.DeviceType, w.VendorID, w.ProductID, w.MAC = g.DeviceType, g.VendorID, g.ProductID, g.MAC
				}
			}
		}
		want = append(want, w)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RedfishHostInterfaces (-dmidecode +got):\n%s", diff)
	}
}

func compareSyntheticTPM(t *testing.T, tb *Table, blocks []dmiBlock) {
	t.Helper()
	got, err := tb.TPM()
	if err != nil {
		t.Fatal(err)
	}
	var want *inventory.TPM
	if b := ofType(blocks, 43); len(b) > 0 {
		a := b[0].Attrs
		want = &inventory.TPM{Manufacturer: a["Vendor ID"], Version: a["Specification Version"], FirmwareVersion: a["Firmware Revision"]}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TPM (-dmidecode +got):\n%s", diff)
	}
}
