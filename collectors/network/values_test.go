package network

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/hostpaths/hostpathstest"
	"github.com/hwagent/hwagent/inventory"
)

func nicNamed(t *testing.T, s *inventory.Network, name string) inventory.NIC {
	t.Helper()
	for _, n := range s.Interfaces {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("no interface %s", name)
	return inventory.NIC{}
}

// TestRealValues checks interfaces against values read by hand from the
// trees' files.
func TestRealValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tree string
		want inventory.NIC
	}{
		// virtio-net: device link to virtio2, whose parent is the PCI
		// function; speed -1 and duplex "unknown" are absent.
		{"build-vm", inventory.NIC{Name: "eth0", Kind: "physical", MAC: "02:fc:00:00:00:01", Driver: "virtio_net",
			PCI: &inventory.PCIRef{Address: "0000:00:03.0", VendorID: "1af4", DeviceID: "1041",
				SubsystemVendorID: "1af4", SubsystemDeviceID: "1041"},
			Carrier: true, OperState: "up", AdminUp: true, MTU: 1400}},
		// ifb0 is down: reading speed gave EINVAL when captured.
		{"build-vm", inventory.NIC{Name: "ifb0", Kind: "virtual", MAC: "be:61:94:3b:b3:7a", OperState: "down", MTU: 1500}},
		{"netns-bridge-veth", inventory.NIC{Name: "br0", Kind: "bridge", MAC: "52:4d:37:3f:7b:2f", SpeedMbps: 10000,
			Carrier: true, OperState: "up", AdminUp: true, MTU: 1500, Members: []string{"tap0", "vport0"}}},
		{"netns-bridge-veth", inventory.NIC{Name: "vport0", Kind: "virtual", MAC: "e6:91:3a:87:44:2c", SpeedMbps: 10000,
			Duplex: "full", Carrier: true, OperState: "up", AdminUp: true, MTU: 1500, Master: "br0"}},
		{"netns-bridge-veth", inventory.NIC{Name: "tap0", Kind: "virtual", MAC: "52:4d:37:3f:7b:2f", SpeedMbps: 10000,
			Duplex: "full", OperState: "down", AdminUp: true, MTU: 1500, Master: "br0"}},
		{"netns-bridge-veth", inventory.NIC{Name: "vdown", Kind: "virtual", MAC: "d2:5f:92:76:af:ab", OperState: "down", MTU: 1500}},
		{"netns-bridge-veth", inventory.NIC{Name: "vdown-peer", Kind: "virtual", MAC: "36:f7:f4:7d:10:d1", SpeedMbps: 10000,
			Duplex: "full", OperState: "lowerlayerdown", AdminUp: true, MTU: 1500}},
		{"ghw-asus-ryzen", inventory.NIC{Name: "enp6s0f1", Kind: "physical",
			PCI: &inventory.PCIRef{Address: "0000:06:00.1", VendorID: "8086", DeviceID: "1521",
				SubsystemVendorID: "ffff", SubsystemDeviceID: "0000"}}},
		{"ghw-asus-ryzen", inventory.NIC{Name: "enp8s0", Kind: "physical",
			PCI: &inventory.PCIRef{Address: "0000:08:00.0", VendorID: "10ec", DeviceID: "8168",
				SubsystemVendorID: "7470", SubsystemDeviceID: "3468"}}},
		// Hand-built: a backup slave carries the bond's MAC; its own is in
		// bonding_slave/perm_hwaddr.
		{"handmade-bond-vlan", inventory.NIC{Name: "enp17s0f1", Kind: "physical", MAC: "00:1f:f3:af:d3:f0",
			PermanentMAC: "00:1f:f3:af:d3:f1", Driver: "ixgbe",
			PCI: &inventory.PCIRef{Address: "0000:11:00.1", VendorID: "8086", DeviceID: "10fb",
				SubsystemVendorID: "8086", SubsystemDeviceID: "000c"},
			SpeedMbps: 10000, Duplex: "full", Carrier: true, OperState: "up", AdminUp: true, MTU: 9000,
			Master: "bond0", Boot: true}},
		{"handmade-bond-vlan", inventory.NIC{Name: "bond0", Kind: "bond", MAC: "00:1f:f3:af:d3:f0", SpeedMbps: 10000,
			Duplex: "full", Carrier: true, OperState: "up", AdminUp: true, MTU: 9000,
			Members: []string{"enp17s0f0", "enp17s0f1"}}},
		{"handmade-bond-vlan", inventory.NIC{Name: "bond0.100", Kind: "vlan", MAC: "00:1f:f3:af:d3:f0", SpeedMbps: 10000,
			Duplex: "full", Carrier: true, OperState: "up", AdminUp: true, MTU: 9000, Master: "br100",
			VLANID: 100, Parent: "bond0"}},
		// Link down: no speed, duplex or carrier attribute.
		{"handmade-bond-vlan", inventory.NIC{Name: "eno1", Kind: "physical", MAC: "a0:36:9f:12:34:56", Driver: "igb",
			PCI: &inventory.PCIRef{Address: "0000:05:00.0", VendorID: "8086", DeviceID: "1521",
				SubsystemVendorID: "8086", SubsystemDeviceID: "5001"},
			OperState: "down", MTU: 9000}},
	}
	for _, tt := range tests {
		t.Run(tt.tree+"/"+tt.want.Name, func(t *testing.T) {
			t.Parallel()
			s, err := collect(t, nil, filepath.Join("testdata", tt.tree))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, nicNamed(t, s, tt.want.Name)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoopbackLeftOut(t *testing.T) {
	t.Parallel()
	for _, tree := range []string{"build-vm", "netns-bridge-veth"} {
		s, err := collect(t, nil, filepath.Join("testdata", tree))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range s.Interfaces {
			if n.Name == "lo" {
				t.Errorf("%s: lo reported", tree)
			}
		}
	}
}

// copyTree copies a testdata tree (keeping symlinks) to a temporary
// directory that a test may change.
func copyTree(t *testing.T, tree string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("testdata", tree))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestBondingProcFallback removes the bonding_slave directories (kernels
// before 3.13 have none) so permanent addresses come from
// /proc/net/bonding/bond0.
func TestBondingProcFallback(t *testing.T) {
	t.Parallel()
	root := copyTree(t, "handmade-bond-vlan")
	for _, f := range []string{"0000:11:00.0/net/enp17s0f0", "0000:11:00.1/net/enp17s0f1"} {
		if err := os.RemoveAll(filepath.Join(root, "sys/devices/pci0000:00/0000:00:03.0", f, "bonding_slave")); err != nil {
			t.Fatal(err)
		}
	}
	s, err := collect(t, nil, root)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, n := range s.Interfaces {
		got[n.Name] = n.PermanentMAC
	}
	want := map[string]string{"bond0": "", "bond0.100": "", "br100": "", "eno1": "",
		"enp17s0f0": "00:1f:f3:af:d3:f0", "enp17s0f1": "00:1f:f3:af:d3:f1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("permanent MACs (-want +got):\n%s", diff)
	}

	// A corrupt bonding file is a warning, not a failure.
	if err := os.WriteFile(filepath.Join(root, "proc/net/bonding/bond0"), []byte("Permanent HW addr: zz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = collect(t, nil, root)
	var partial *collector.PartialError
	if !errors.As(err, &partial) || len(s.Interfaces) != 6 {
		t.Errorf("corrupt /proc/net/bonding: err = %v, %d interfaces", err, len(s.Interfaces))
	}
}

// TestNetlinkJoin gives the netns tree a fake namespace: links that match
// name, ifindex and MAC add addresses, permanent MAC and driver info; a link
// with another ifindex or MAC is another machine's and adds nothing.
func TestNetlinkJoin(t *testing.T) {
	t.Parallel()
	fake := fakeNetwork(
		[]hostpaths.NetLink{
			{Index: 2, Name: "br0", MAC: mustMAC("52:4d:37:3f:7b:2f"),
				Addrs: []string{"192.0.2.1/24", "fe80::504d:37ff:fe3f:7b2f/64"}},
			{Index: 4, Name: "vport0", MAC: mustMAC("e6:91:3a:87:44:2c"), PermMAC: mustMAC("e6:91:3a:87:44:2d"),
				Addrs: []string{"198.51.100.4/24"}},
			{Index: 99, Name: "vpeer0", MAC: mustMAC("ae:e6:ba:64:48:b3"), Addrs: []string{"203.0.113.9/24"}},
			{Index: 6, Name: "vdown", MAC: mustMAC("02:00:00:00:00:01"), Addrs: []string{"203.0.113.10/24"}},
		},
		map[string]hostpaths.DriverInfo{
			"br0":    {Driver: "bridge", Version: "2.3", FirmwareVersion: "N/A", BusInfo: "N/A"},
			"vport0": {Driver: "veth", Version: "1.0"},
			"vpeer0": {Driver: "veth", Version: "1.0"},
		},
	)
	s, err := collect(t, fake, filepath.Join("testdata", "netns-bridge-veth"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"br0":    {"192.0.2.1/24", "fe80::504d:37ff:fe3f:7b2f/64"},
		"vport0": {"198.51.100.4/24"},
	}
	for _, n := range s.Interfaces {
		if diff := cmp.Diff(want[n.Name], n.Addresses); diff != "" {
			t.Errorf("%s addresses (-want +got):\n%s", n.Name, diff)
		}
	}
	if n := nicNamed(t, s, "br0"); n.Driver != "bridge" || n.DriverVersion != "2.3" || n.FirmwareVersion != "" || n.BusInfo != "" {
		t.Errorf("br0 driver info: %+v", n)
	}
	if n := nicNamed(t, s, "vport0"); n.Driver != "veth" || n.PermanentMAC != "e6:91:3a:87:44:2d" {
		t.Errorf("vport0: %+v", n)
	}
	if n := nicNamed(t, s, "vpeer0"); n.Driver != "" || n.Addresses != nil {
		t.Errorf("vpeer0 (other ifindex) took netlink data: %+v", n)
	}
	if n := nicNamed(t, s, "vdown"); n.Addresses != nil {
		t.Errorf("vdown (other MAC) took netlink data: %+v", n)
	}
}

// TestNetlinkVLAN takes a VLAN's ID and parent from netlink when
// /proc/net/vlan is not readable.
func TestNetlinkVLAN(t *testing.T) {
	t.Parallel()
	root := copyTree(t, "handmade-bond-vlan")
	if err := os.RemoveAll(filepath.Join(root, "proc/net/vlan")); err != nil {
		t.Fatal(err)
	}
	mac := mustMAC("00:1f:f3:af:d3:f0")
	fake := fakeNetwork([]hostpaths.NetLink{
		{Index: 5, Name: "bond0", MAC: mac},
		{Index: 6, Name: "bond0.100", MAC: mac, VLANID: 100, ParentIndex: 5},
	}, nil)
	for _, tt := range []struct {
		name string
		m    hostpaths.Machine
		want inventory.NIC
	}{
		{"recording without network facts", nil, inventory.NIC{Name: "bond0.100", Kind: "vlan"}},
		{"netlink", fake, inventory.NIC{Name: "bond0.100", Kind: "vlan", VLANID: 100, Parent: "bond0"}},
	} {
		s, err := collect(t, tt.m, root)
		if err != nil {
			t.Fatal(err)
		}
		n := nicNamed(t, s, "bond0.100")
		got := inventory.NIC{Name: n.Name, Kind: n.Kind, VLANID: n.VLANID, Parent: n.Parent}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestNetlinkUnavailable(t *testing.T) {
	t.Parallel()
	m := hostpathstest.Machine{Live: true, NetErr: errors.New("netlink: permission denied")}
	s, err := collect(t, m, filepath.Join("testdata", "build-vm"))
	var partial *collector.PartialError
	if !errors.As(err, &partial) || len(s.Interfaces) != 3 {
		t.Errorf("err = %v, section %+v; want partial with sysfs data", err, s)
	}
}
