package network

import (
	"flag"
	"net"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the collector's output")

// fakeLinks is a linkInfo answering from fixed data.
type fakeLinks struct {
	links []Link
	drv   map[string]DriverInfo
}

func (f fakeLinks) Links() ([]Link, error) { return f.links, nil }
func (f fakeLinks) Close() error           { return nil }
func (f fakeLinks) DriverInfo(name string) (DriverInfo, error) {
	if d, ok := f.drv[name]; ok {
		return d, nil
	}
	return DriverInfo{}, syscall.EOPNOTSUPP
}

// collect runs c on a host tree and returns the network section.
func collect(t testing.TB, c Collector, root string) (*inventory.Network, error) {
	t.Helper()
	inv, err := collectortest.Collect(t, c, root, collector.Config{})
	return inv.Network, err
}

// trees are the host trees under testdata (see testdata/README.md).
var trees = []string{"build-vm", "ghw-asus-ryzen", "netns-bridge-veth", "handmade-bond-vlan"}

// TestGolden runs the collector on every tree without netlink (as when a
// recorded tree is replayed on another machine).
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tree := range trees {
		t.Run(tree, func(t *testing.T) {
			t.Parallel()
			section, err := collect(t, Collector{}, filepath.Join("testdata", tree))
			if err != nil {
				t.Fatal(err)
			}
			testutil.GoldenJSON(t, testutil.GoldenPath(tree), section, *update)
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
