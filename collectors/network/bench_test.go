package network

import (
	"path/filepath"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
)

// BenchmarkCollect runs the collector on testdata trees from sysfs alone,
// and on the live host with netlink and ethtool.
func BenchmarkCollect(b *testing.B) {
	cases := []struct {
		name string
		root string
		c    Collector
	}{
		{"handmade-bond-vlan", filepath.Join("testdata", "handmade-bond-vlan"), Collector{}},
		{"netns-bridge-veth", filepath.Join("testdata", "netns-bridge-veth"), Collector{}},
		{"live-host-netlink", "/", New().(Collector)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			collectortest.Benchmark(b, c.c, c.root, collector.Config{})
		})
	}
}
