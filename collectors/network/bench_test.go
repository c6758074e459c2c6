package network

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
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
			env := collector.NewEnv(hostpaths.New(c.root, nil), nil, collector.Config{})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.c.Collect(context.Background(), env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
