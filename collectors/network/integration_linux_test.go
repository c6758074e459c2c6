package network

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

const childEnv = "HWAGENT_NETWORK_NETNS_CHILD"

// TestIntegrationNetns runs the collector, with real netlink and ethtool,
// in a fresh network namespace holding a bridge and veth pairs the test
// creates. /sys shows the namespace of whoever mounted it, so the test runs
// itself again in a new network and mount namespace, where it mounts a
// sysfs of its own (as `ip netns exec` does).
func TestIntegrationNetns(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("in the child")
	}
	lab.Need(t, lab.Root)
	cmd := exec.Command(os.Args[0], "-test.run=^TestNetnsChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child in a new network namespace: %v\n%s", err, out)
	}
	t.Logf("child:\n%s", out)
}

// TestNetnsChild is TestIntegrationNetns's child.
func TestNetnsChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("run by TestIntegrationNetns in a new network namespace")
	}
	root := t.TempDir()
	sys := filepath.Join(root, "sys")
	proc := filepath.Join(root, "proc")
	for _, d := range []string{sys, proc} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Keep the mount out of the parent's namespace, then mount a sysfs
	// that shows this network namespace.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		t.Fatalf("make mounts private: %v", err)
	}
	if err := unix.Mount("sysfs", sys, "sysfs", 0, ""); err != nil {
		t.Fatalf("mount sysfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(sys, unix.MNT_DETACH) })
	// The boot parameter names vpeer0's MAC.
	if err := os.WriteFile(filepath.Join(proc, "cmdline"), []byte("console=ttyS0 hw_addr=02:00:00:00:00:12\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	setUp(t)
	// The namespace is live, but proc is a directory the test wrote: say
	// so, or hostpaths would take the tree for a recording.
	paths := hostpaths.New("/", hostpaths.Overrides{hostpaths.Sys: sys, hostpaths.Proc: proc}).WithMachine(hostpaths.Kernel())
	env := collector.NewEnv(paths, nil, collector.Config{})
	apply, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	inv := &inventory.Inventory{}
	apply(inv)
	if b, err := json.MarshalIndent(inv.Network, "", "  "); err == nil {
		t.Logf("network section:\n%s", b)
	}
	got := map[string]inventory.NIC{}
	var names []string
	for _, n := range inv.Network.Interfaces {
		got[n.Name] = n
		names = append(names, n.Name)
	}
	if diff := cmp.Diff([]string{"br0", "vdown", "vdown-peer", "vpeer0", "vport0"}, names); diff != "" {
		t.Errorf("interfaces (-want +got):\n%s", diff)
	}

	br := got["br0"]
	check(t, "br0 kind", inventory.NICBridge, br.Kind)
	check(t, "br0 mac", "02:00:00:00:00:01", br.MAC)
	check(t, "br0 members", []string{"vport0"}, br.Members)
	check(t, "br0 driver (ethtool)", "bridge", br.Driver)
	check(t, "br0 admin up", true, br.AdminUp)
	if !slices.Contains(br.Addresses, "192.0.2.1/24") {
		t.Errorf("br0 addresses %v lack 192.0.2.1/24", br.Addresses)
	}

	port := got["vport0"]
	check(t, "vport0 kind", inventory.NICVirtual, port.Kind)
	check(t, "vport0 master", "br0", port.Master)
	check(t, "vport0 mac", "02:00:00:00:00:11", port.MAC)
	check(t, "vport0 driver (ethtool)", "veth", port.Driver)
	check(t, "vport0 carrier", true, port.Carrier)

	peer := got["vpeer0"]
	check(t, "vpeer0 mtu", uint32(9000), peer.MTU)
	if !slices.Contains(peer.Addresses, "198.51.100.2/24") {
		t.Errorf("vpeer0 addresses %v lack 198.51.100.2/24", peer.Addresses)
	}
	check(t, "vpeer0 boot", true, peer.Boot)
	check(t, "boot", &inventory.BootInterface{Interface: "vpeer0", MAC: "02:00:00:00:00:12", Source: "hw_addr"}, inv.Network.Boot)

	// vdown is administratively down: speed and duplex fail with EINVAL.
	down := got["vdown"]
	check(t, "vdown speed", uint32(0), down.SpeedMbps)
	check(t, "vdown duplex", "", down.Duplex)
	check(t, "vdown carrier", false, down.Carrier)
	check(t, "vdown admin up", false, down.AdminUp)
	check(t, "vdown oper state", "down", down.OperState)
	// Its peer is up but has no carrier.
	check(t, "vdown-peer carrier", false, got["vdown-peer"].Carrier)
	check(t, "vdown-peer oper state", "lowerlayerdown", got["vdown-peer"].OperState)
}

func check(t *testing.T, what string, want, got any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// setUp creates br0 with member vport0 (peer vpeer0) and the pair
// vdown/vdown-peer, vdown left down.
func setUp(t *testing.T) {
	t.Helper()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	mac := func(s string) net.HardwareAddr { return mustMAC(s) }
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0", HardwareAddr: mac("02:00:00:00:00:01")}}
	must("add br0", netlink.LinkAdd(br))
	must("add vport0", netlink.LinkAdd(&netlink.Veth{
		LinkAttrs: netlink.LinkAttrs{Name: "vport0", HardwareAddr: mac("02:00:00:00:00:11")},
		PeerName:  "vpeer0", PeerHardwareAddr: mac("02:00:00:00:00:12")}))
	must("add vdown", netlink.LinkAdd(&netlink.Veth{
		LinkAttrs: netlink.LinkAttrs{Name: "vdown", HardwareAddr: mac("02:00:00:00:00:21")},
		PeerName:  "vdown-peer", PeerHardwareAddr: mac("02:00:00:00:00:22")}))
	link := func(name string) netlink.Link {
		l, err := netlink.LinkByName(name)
		must("find "+name, err)
		return l
	}
	must("enslave vport0", netlink.LinkSetMaster(link("vport0"), link("br0")))
	must("mtu vpeer0", netlink.LinkSetMTU(link("vpeer0"), 9000))
	for _, n := range []string{"lo", "br0", "vport0", "vpeer0", "vdown-peer"} {
		must("up "+n, netlink.LinkSetUp(link(n)))
	}
	addr := func(name, cidr string) {
		a, err := netlink.ParseAddr(cidr)
		must("parse "+cidr, err)
		must("address "+name, netlink.AddrAdd(link(name), a))
	}
	addr("br0", "192.0.2.1/24")
	addr("vpeer0", "198.51.100.2/24")
}
