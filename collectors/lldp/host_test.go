package lldp

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/lldp/pcapfile"
)

// hostTree builds a sysfs/procfs tree with the interface kinds the
// collector must tell apart, laid out as the kernel does (class/net links
// into devices/, device and driver links):
//
//	eth0     physical, i40e, PCI 0000:3b:00.0, carrier
//	eth1     physical, virtio_net behind virtio1, carrier
//	eth2     physical, e1000e, administratively down, no carrier
//	bond0    bond master; br0 bridge; eth0.100 VLAN; wlan0 wireless
//	lo       loopback; veth0 virtual
func hostTree(t testing.TB) *hostpaths.Paths {
	t.Helper()
	files := map[string]string{
		"proc/net/vlan/eth0.100":                     "eth0.100  VID: 100\n",
		"sys/kernel/debug/i40e/0000:3b:00.0/command": "",
	}
	type iface struct {
		name, devdir, driver, uevent, typ, flags, carrier string
		dirs                                              []string
	}
	for _, i := range []iface{
		{name: "eth0", devdir: "pci0000:3a/0000:3a:00.0/0000:3b:00.0", driver: "i40e", typ: "1", flags: "0x1003", carrier: "1"},
		{name: "eth1", devdir: "pci0000:00/0000:00:03.0/virtio1", driver: "virtio_net", typ: "1", flags: "0x1003", carrier: "1"},
		{name: "eth2", devdir: "pci0000:00/0000:00:19.0", driver: "e1000e", typ: "1", flags: "0x1002"},
		{name: "bond0", uevent: "DEVTYPE=bond\n", typ: "1", flags: "0x1403", carrier: "1", dirs: []string{"bonding"}},
		{name: "br0", uevent: "DEVTYPE=bridge\n", typ: "1", flags: "0x1003", carrier: "1", dirs: []string{"bridge"}},
		{name: "eth0.100", uevent: "DEVTYPE=vlan\n", typ: "1", flags: "0x1003", carrier: "1"},
		{name: "wlan0", devdir: "pci0000:00/0000:00:14.3", driver: "iwlwifi", uevent: "DEVTYPE=wlan\n", typ: "1", flags: "0x1003", carrier: "1"},
		{name: "lo", typ: "772", flags: "0x9", carrier: "1"},
		{name: "veth0", typ: "1", flags: "0x1003", carrier: "1"},
	} {
		dir := "sys/devices/virtual/net/" + i.name
		if i.devdir != "" {
			dir = "sys/devices/" + i.devdir + "/net/" + i.name
			files["sys/devices/"+i.devdir+"/driver"] = "->../../../bus/pci/drivers/" + i.driver
			files[dir+"/device"] = "->../../../" + filepath.Base(i.devdir) // as the kernel links it
		}
		files[dir+"/type"] = i.typ + "\n"
		files[dir+"/uevent"] = i.uevent + "INTERFACE=" + i.name + "\n"
		files[dir+"/flags"] = i.flags + "\n"
		if i.carrier != "" {
			files[dir+"/carrier"] = i.carrier + "\n"
		}
		for _, d := range i.dirs {
			files[dir+"/"+d+"/"] = ""
		}
		files["sys/class/net/"+i.name] = "->../../devices/" + dir[len("sys/devices/"):]
	}
	root := t.TempDir()
	testutil.WriteTree(t, root, files)
	return hostpaths.New(root, nil)
}

// frames returns the records of testdata/name.pcap.
func frames(tb testing.TB, name string) [][]byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".pcap"))
	if err != nil {
		tb.Fatal(err)
	}
	_, recs, err := pcapfile.ReadAll(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	out := make([][]byte, len(recs))
	for i, r := range recs {
		out[i] = r.Data
	}
	return out
}
