package testinv

import (
	"fmt"

	"github.com/hwagent/hwagent/inventory"
)

// memory is the R610's 18 slots (A1-A9, B1-B9), 12 populated with 8 GiB
// DDR3 RDIMMs.
func memory(i int, opts Options) *inventory.Memory {
	m := &inventory.Memory{TotalBytes: 99107631104}
	for _, bank := range []string{"A", "B"} {
		for s := 1; s <= 9; s++ {
			loc := fmt.Sprintf("DIMM_%s%d", bank, s)
			mod := inventory.MemoryModule{
				Locator: loc, FormFactor: "DIMM", TotalWidthBits: 72, DataWidthBits: 64,
				Type: "DDR3", TypeDetail: []string{"Synchronous", "Registered (Buffered)"},
			}
			if s <= 6 && loc != opts.RemoveDIMM {
				mod.Populated = true
				mod.SizeBytes = 8 << 30
				mod.SpeedMTs, mod.ConfiguredSpeedMTs = 1333, 1333
				mod.Manufacturer = "00CE00B300CE"
				mod.Serial = serial(i, loc, 0)
				mod.PartNumber = "M393B1K70DH0-YH9"
				mod.AssetTag = fmt.Sprintf("%02d113161", s)
				mod.Rank = 2
				m.InstalledBytes += mod.SizeBytes
				m.PopulatedCount++
			}
			m.Modules = append(m.Modules, mod)
			m.SlotCount++
		}
	}
	return m
}

// storage is six 600 GB SAS disks behind the PERC 6/i and one SATA SSD.
func storage(i int) *inventory.Storage {
	s := &inventory.Storage{}
	for d := 0; d < 6; d++ {
		name := "sd" + string(rune('a'+d))
		s.Disks = append(s.Disks, inventory.Disk{
			Name: name, Path: "/dev/" + name, SizeBytes: 600127266816,
			LogicalSectorBytes: 512, PhysicalSectorBytes: 512, Rotational: true,
			Transport: "sas", Vendor: "SEAGATE", Model: "ST9600205SS",
			Serial: "6XR" + serial(i, "disk", d)[:5], WWN: fmt.Sprintf("0x5000c500%08x", i*8+d),
			FirmwareRevision: "CS09",
			ByPath:           []string{fmt.Sprintf("/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:%d:0", d)},
			ByID:             []string{fmt.Sprintf("/dev/disk/by-id/wwn-0x5000c500%08x", i*8+d)},
			PCIAddress:       "0000:03:00.0", Partitions: 0,
		})
	}
	s.Disks = append(s.Disks, inventory.Disk{
		Name: "sdg", Path: "/dev/sdg", SizeBytes: 480103981056, LogicalSectorBytes: 512, PhysicalSectorBytes: 4096,
		Transport: "sata", Vendor: "ATA", Model: "MTFDDAK480TDS", Serial: "2042" + serial(i, "ssd", 0),
		FirmwareRevision: "D3MU001", PCIAddress: "0000:00:1f.2", Partitions: 2,
		ByID: []string{"/dev/disk/by-id/ata-MTFDDAK480TDS_2042" + serial(i, "ssd", 0)},
	})
	return s
}

// nicPorts are the R610's four BCM5709 ports and an I350 card.
var nicPorts = []struct {
	name, pci, driver, device, firmware string
	vendor, id                          string
}{
	{"eno1", "0000:01:00.0", "bnx2", "NetXtreme II BCM5709 Gigabit Ethernet", "7.10.4 bc 5.2.3 NCSI 2.0.11", "14e4", "1639"},
	{"eno2", "0000:01:00.1", "bnx2", "NetXtreme II BCM5709 Gigabit Ethernet", "7.10.4 bc 5.2.3 NCSI 2.0.11", "14e4", "1639"},
	{"eno3", "0000:02:00.0", "bnx2", "NetXtreme II BCM5709 Gigabit Ethernet", "7.10.4 bc 5.2.3", "14e4", "1639"},
	{"eno4", "0000:02:00.1", "bnx2", "NetXtreme II BCM5709 Gigabit Ethernet", "7.10.4 bc 5.2.3", "14e4", "1639"},
	{"enp5s0f0", "0000:05:00.0", "igb", "I350 Gigabit Network Connection", "1.63, 0x800009fa", "8086", "1521"},
	{"enp5s0f1", "0000:05:00.1", "igb", "I350 Gigabit Network Connection", "1.63, 0x800009fa", "8086", "1521"},
}

func network(i int, opts Options) *inventory.Network {
	n := &inventory.Network{Boot: &inventory.BootInterface{Interface: "eno1", MAC: mac(i, 0), Source: "hw_addr"}}
	rack := i / 40
	for p, port := range nicPorts {
		nic := inventory.NIC{
			Name: port.name, Kind: inventory.NICPhysical, MAC: mac(i, p), PermanentMAC: mac(i, p),
			Driver: port.driver, DriverVersion: "6.6.39-linuxkit", FirmwareVersion: port.firmware, BusInfo: port.pci,
			PCI:       &inventory.PCIRef{Address: port.pci, VendorID: port.vendor, DeviceID: port.id, SubsystemVendorID: "1028", SubsystemDeviceID: "0236", DeviceName: port.device},
			OperState: "down", MTU: 1500,
		}
		if p < 2 {
			nic.Carrier, nic.AdminUp, nic.OperState = true, true, "up"
			nic.SpeedMbps, nic.Duplex = 1000, "full"
			if p == 0 {
				nic.Boot = true
				nic.Addresses = []string{fmt.Sprintf("10.20.%d.%d/16", 1+i/250%250, 1+i%250), "fe80::226:b9ff:fe00:1/64"}
			}
			if !opts.NoNeighbours {
				sw, swPort := fmt.Sprintf("leaf-r%03d-%c", rack, 'a'+p), fmt.Sprintf("Ethernet%d", i%40+1)
				if p == 0 && opts.Switch != "" {
					sw, swPort = opts.Switch, opts.SwitchPort
				}
				nic.Neighbors = []inventory.Neighbor{neighbour(rack, p, sw, swPort)}
			}
		}
		n.Interfaces = append(n.Interfaces, nic)
	}
	return n
}

func neighbour(rack, p int, sw, port string) inventory.Neighbor {
	return inventory.Neighbor{
		Protocol: "lldp", SourceMAC: fmt.Sprintf("44:4c:a8:%02x:%02x:%02x", byte(rack>>8), byte(rack), 0x10+p),
		ChassisIDSubtype: "mac", ChassisID: fmt.Sprintf("44:4c:a8:%02x:%02x:00", byte(rack>>8), byte(rack)),
		PortIDSubtype: "interface_name", PortID: port, TTLSeconds: 120,
		PortDescription:       "server " + port,
		SystemName:            sw,
		SystemDescription:     "Arista Networks EOS version 4.28.3M running on an Arista Networks DCS-7050SX3-48YC12",
		CapabilitiesSupported: []string{"bridge", "router"}, CapabilitiesEnabled: []string{"bridge", "router"},
		ManagementAddresses: []inventory.ManagementAddress{
			{Family: "ipv4", Address: fmt.Sprintf("10.255.%d.%d", rack%250, 1+p), InterfaceSubtype: "ifindex", InterfaceNumber: 999001},
		},
		PortVLANID:      120,
		VLANs:           []inventory.VLAN{{ID: 120, Name: "provisioning"}, {ID: 130, Name: "storage"}, {ID: 140, Name: "tenant-a"}},
		LinkAggregation: &inventory.LinkAggregation{Capable: true},
		MACPHY: &inventory.MACPHY{
			AutonegSupported: true, AutonegEnabled: true, Advertised: 0x6c01,
			AdvertisedCapabilities: []string{"10baseT", "10baseTFD", "100baseTX", "100baseTXFD", "1000baseTFD"},
			MAUType:                30, MAUTypeName: "1000BaseTFD",
		},
		MaxFrameSizeBytes: 9236,
	}
}

func bmc(i int) *inventory.BMC {
	return &inventory.BMC{
		Interface:  &inventory.IPMIInterface{Type: "KCS", SpecVersion: "2.0", BaseAddress: "0xca8", AddressSpace: "io", I2CSlaveAddress: "0x20"},
		DevicePath: "/dev/ipmi0",
		DeviceID:   32, DeviceRevision: 1, FirmwareVersion: "2.92", IPMIVersion: "2.0",
		ManufacturerID: 674, Manufacturer: "Dell", ProductID: 256,
		LAN: []inventory.BMCLANChannel{{
			Channel: 1, IPSource: "dhcp", IPv4: fmt.Sprintf("10.30.%d.%d", 1+i/250%250, 1+i%250), Netmask: "255.255.0.0",
			Gateway: "10.30.0.1", MAC: mac(i, 7), Configured: true,
		}},
	}
}
