package pci

import (
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/internal/lab"
)

// BenchmarkCollect runs the collector on the Dell PowerEdge R610 tree (82
// functions) without a pci.ids, and with Debian's full one when installed.
func BenchmarkCollect(b *testing.B) {
	cases := []struct{ name, db string }{{"ids-only", ""}, {"full-pci.ids", lab.DebianPCIIDs}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if c.db != "" {
				lab.Need(b, lab.PCIIDs)
			}
			collectortest.Benchmark(b, New(), "testdata/ghw-dell-poweredge-r610", collector.Config{PCIIDsPath: c.db})
		})
	}
}
