package network

import (
	"context"
	"encoding/json"
	"flag"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
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
	env := collector.NewEnv(hostpaths.New(root, nil), nil, collector.Config{})
	apply, err := c.Collect(context.Background(), env)
	if apply == nil {
		return nil, err
	}
	inv := &inventory.Inventory{}
	apply(inv)
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
			checkGolden(t, tree, section)
		})
	}
}

func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", golden, diff)
	}
}

func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}
