package network

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/hostpaths/hostpathstest"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// collect runs the collector on a host tree and returns the network
// section. m, when not nil, is the tree's Machine (a fake network); else
// the tree is what hostpaths makes of it: a recording.
func collect(t testing.TB, m hostpaths.Machine, root string) (*inventory.Network, error) {
	t.Helper()
	p := hostpaths.New(root, nil)
	if m != nil {
		p = p.WithMachine(m)
	}
	inv, err := collectortest.CollectPaths(t, New(), p, collector.Config{})
	return inv.Network, err
}

// fakeNetwork is a machine whose network is links, with driver infos.
func fakeNetwork(links []hostpaths.NetLink, drivers map[string]hostpaths.DriverInfo) hostpaths.Machine {
	return hostpathstest.Machine{Live: true, Net: hostpathstest.Network{NetLinks: links, Drivers: drivers}}
}

// trees are the host trees under testdata (see testdata/README.md).
var trees = []string{"build-vm", "ghw-asus-ryzen", "netns-bridge-veth", "handmade-bond-vlan"}

// TestGolden runs the collector on every tree as hostpaths finds it: a
// recording without saved network facts, so sysfs alone, whatever machine
// the test runs on (build-vm was captured on a machine of the kind the
// tests run on, same eth0, ifindex and MAC: its live addresses must never
// appear).
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tree := range trees {
		t.Run(tree, func(t *testing.T) {
			t.Parallel()
			if k := hostpaths.New(filepath.Join("testdata", tree), nil).Kind(); k != hostpaths.Recording {
				t.Fatalf("testdata/%s is a %s host, want a recording", tree, k)
			}
			section, err := collect(t, nil, filepath.Join("testdata", tree))
			if err != nil {
				t.Fatal(err)
			}
			testutil.GoldenJSON(t, testutil.GoldenPath(tree), section, *testutil.Update)
		})
	}
}

func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}
