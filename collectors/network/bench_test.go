package network

import (
	"path/filepath"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
)

// BenchmarkCollect runs the collector on testdata trees (recordings: sysfs
// alone), and on the live host with netlink and ethtool.
func BenchmarkCollect(b *testing.B) {
	for name, root := range map[string]string{
		"handmade-bond-vlan": filepath.Join("testdata", "handmade-bond-vlan"),
		"netns-bridge-veth":  filepath.Join("testdata", "netns-bridge-veth"),
		"live-host-netlink":  "/",
	} {
		b.Run(name, func(b *testing.B) {
			collectortest.Benchmark(b, New(), root, collector.Config{})
		})
	}
}
