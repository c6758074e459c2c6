//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
)

// The views below keep, of what the server holds, the values the test
// chose for the machine (QEMU decides the rest: PCI addresses, CPU flags,
// chassis type), so that each comparison is "what was configured" against
// "what came back".

type summaryView struct {
	State, Manufacturer, Product, Serial, BMCIP, Hostname string
	Switches, IdentityKeys                                []string
}

type systemView struct {
	BIOSVendor, BIOSVersion, BIOSDate                string
	Manufacturer, Product, Version, Serial, UUID     string
	SKU, Family                                      string
	BoardManufacturer, BoardProduct, BoardSerial     string
	ChassisManufacturer, ChassisSerial, ChassisAsset string
	CPUManufacturer, CPUVersion                      string
}

type dimmView struct {
	Locator, BankLocator             string
	Populated                        bool
	SizeBytes                        uint64
	Manufacturer, Serial, PartNumber string
	SpeedMTs                         uint32
}

type nicView struct {
	Name, MAC, PermanentMAC, Driver string
	Boot                            bool
}

type diskView struct {
	Name, Path, Transport, Serial string
	SizeBytes                     uint64
}

type bmcView struct {
	ManufacturerID uint32
	ProductID      uint16
	Firmware       string
	DevicePath     string
	LAN            []inventory.BMCLANChannel
}

type neighborView struct {
	Protocol, SystemName, PortIDSubtype, PortID, PortDescription string
	PortVLANID                                                   uint16
	VLANs                                                        []inventory.VLAN
	ManagementAddresses                                          []string
	CapabilitiesEnabled                                          []string
}

// checkMachine compares the machine the server holds with m.
func checkMachine(t *testing.T, m fakeServer, got api.Machine) {
	t.Helper()
	inv := got.Inventory
	if inv == nil || inv.System == nil || inv.Memory == nil || inv.Network == nil || inv.BMC == nil || inv.Storage == nil || inv.CPU == nil {
		t.Fatalf("inventory lacks sections: %+v", inv)
	}
	diff := func(what string, want, got any) {
		t.Helper()
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", what, d)
		}
	}

	diff("machine summary", summaryView{
		State: api.StateRegistered, Manufacturer: m.Manufacturer, Product: m.Product, Serial: m.Serial,
		BMCIP: m.BMC.IP, Hostname: m.Hostname,
		Switches: []string{m.Switch.SystemName + " " + m.Switch.PortID},
		IdentityKeys: []string{
			"baseboard_serial:" + m.BoardManufacturer + "/" + m.BoardProduct + "/" + m.BoardSerial,
			"chassis_serial:" + m.ChassisManufacturer + "/" + m.ChassisSerial,
			"mac:" + m.BootMAC, "mac:" + m.SecondMAC,
			"system_serial:" + m.Manufacturer + "/" + m.Product + "/" + m.Serial,
			"system_uuid:" + m.UUID,
		},
	}, summaryView{
		State: got.State, Manufacturer: got.Manufacturer, Product: got.Product, Serial: got.Serial,
		BMCIP: got.BMCIP, Hostname: got.Hostname, Switches: got.Switches, IdentityKeys: got.IdentityKeys,
	})

	s := inv.System
	gs := systemView{
		BIOSVendor: s.BIOS.Vendor, BIOSVersion: s.BIOS.Version, BIOSDate: s.BIOS.ReleaseDate,
		Manufacturer: s.Product.Manufacturer, Product: s.Product.Name, Version: s.Product.Version,
		Serial: s.Product.Serial, UUID: s.Product.UUID, SKU: s.Product.SKU, Family: s.Product.Family,
	}
	if b := s.Baseboard; b != nil {
		gs.BoardManufacturer, gs.BoardProduct, gs.BoardSerial = b.Manufacturer, b.Product, b.Serial
	}
	if c := s.Chassis; c != nil {
		gs.ChassisManufacturer, gs.ChassisSerial, gs.ChassisAsset = c.Manufacturer, c.Serial, c.AssetTag
	}
	if len(inv.CPU.Sockets) > 0 {
		gs.CPUManufacturer, gs.CPUVersion = inv.CPU.Sockets[0].Manufacturer, inv.CPU.Sockets[0].Version
	}
	diff("system", systemView{
		BIOSVendor: m.BIOSVendor, BIOSVersion: m.BIOSVersion, BIOSDate: m.BIOSDate,
		Manufacturer: m.Manufacturer, Product: m.Product, Version: "1.0", Serial: m.Serial, UUID: m.UUID,
		SKU: m.SKU, Family: m.Family,
		BoardManufacturer: m.BoardManufacturer, BoardProduct: m.BoardProduct, BoardSerial: m.BoardSerial,
		ChassisManufacturer: m.ChassisManufacturer, ChassisSerial: m.ChassisSerial, ChassisAsset: m.AssetTag,
		CPUManufacturer: m.CPUManufacturer, CPUVersion: m.CPUVersion,
	}, gs)

	var dimms []dimmView
	for _, d := range inv.Memory.Modules {
		dimms = append(dimms, dimmView{d.Locator, d.BankLocator, d.Populated, d.SizeBytes, d.Manufacturer, d.Serial, d.PartNumber, d.SpeedMTs})
	}
	// QEMU describes its RAM as one DIMM per 16 GiB: one here.
	diff("DIMMs", []dimmView{{
		Locator: "DIMM 0", BankLocator: "BANK", Populated: true, SizeBytes: uint64(m.MemoryMiB) << 20,
		Manufacturer: m.DIMMManufacturer, Serial: m.DIMMSerial, PartNumber: m.DIMMPart, SpeedMTs: uint32(m.DIMMSpeedMTs),
	}}, dimms)

	var nics []nicView
	for _, n := range inv.Network.Interfaces {
		nics = append(nics, nicView{n.Name, n.MAC, n.PermanentMAC, n.Driver, n.Boot})
	}
	diff("NICs", []nicView{
		{Name: "eth0", MAC: m.BootMAC, PermanentMAC: m.BootMAC, Driver: m.BootDriver, Boot: true},
		{Name: "eth1", MAC: m.SecondMAC, PermanentMAC: m.SecondMAC, Driver: m.SecondDriver},
	}, nics)
	diff("boot interface", &inventory.BootInterface{Interface: "eth0", MAC: m.BootMAC, Source: "ip"}, inv.Network.Boot)

	var disks []diskView
	for _, d := range inv.Storage.Disks {
		disks = append(disks, diskView{d.Name, d.Path, d.Transport, d.Serial, d.SizeBytes})
	}
	diff("disks", []diskView{{Name: "vda", Path: "/dev/vda", Transport: "virtio", Serial: m.DiskSerial, SizeBytes: m.DiskBytes}}, disks)

	b := inv.BMC
	diff("BMC", bmcView{
		ManufacturerID: m.BMCManufacturerID, ProductID: m.BMCProductID, Firmware: "3.10", DevicePath: "/dev/ipmi0",
		LAN: []inventory.BMCLANChannel{{
			Channel: 1, IPSource: m.BMC.Source, IPv4: m.BMC.IP, Netmask: m.BMC.Netmask, Gateway: m.BMC.Gateway,
			GatewayMAC: m.BMC.GatewayMAC, MAC: m.BMC.MAC, Configured: true,
		}},
	}, bmcView{b.ManufacturerID, b.ProductID, b.FirmwareVersion, b.DevicePath, b.LAN})

	var nbs []neighborView
	if eth0 := findNIC(inv, "eth0"); eth0 != nil {
		for _, n := range eth0.Neighbors {
			v := neighborView{
				Protocol: n.Protocol, SystemName: n.SystemName, PortIDSubtype: n.PortIDSubtype, PortID: n.PortID,
				PortDescription: n.PortDescription, PortVLANID: n.PortVLANID, VLANs: n.VLANs,
				CapabilitiesEnabled: n.CapabilitiesEnabled,
			}
			for _, a := range n.ManagementAddresses {
				v.ManagementAddresses = append(v.ManagementAddresses, a.Family+":"+a.Address)
			}
			nbs = append(nbs, v)
		}
	}
	sw := m.Switch
	diff("eth0's LLDP neighbours", []neighborView{{
		Protocol: "lldp", SystemName: sw.SystemName, PortIDSubtype: "local", PortID: sw.PortID,
		PortDescription: sw.PortDescription, PortVLANID: sw.PVID,
		VLANs:               []inventory.VLAN{{ID: sw.PVID, Name: sw.VLANName}},
		ManagementAddresses: []string{"ipv4:" + sw.ManagementIP},
		CapabilitiesEnabled: []string{"bridge"},
	}}, nbs)
	if eth1 := findNIC(inv, "eth1"); eth1 != nil && len(eth1.Neighbors) > 0 {
		t.Errorf("eth1 (isolated network) has neighbours: %+v", eth1.Neighbors)
	}

	// The enrollment token came on the kernel command line; the server
	// must not have received it.
	if b, err := json.Marshal(inv); err != nil || strings.Contains(string(b), enrollToken) {
		t.Errorf("the stored inventory holds the enrollment token (kernel command line %q)", inv.Host.KernelCommandLine)
	}

	// Every collector ran; none failed.
	for _, c := range inv.Collectors {
		if c.Status == inventory.StatusFailed {
			t.Errorf("collector %s failed: %s", c.Name, c.Error)
		}
		if c.Status == inventory.StatusPartial && c.Name != "lldp" {
			t.Errorf("collector %s partial: %s", c.Name, strings.Join(c.Warnings, "; "))
		}
	}
}
