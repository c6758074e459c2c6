package pci

import (
	"os"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
)

// BenchmarkCollect runs the collector on the Dell PowerEdge R610 tree (82
// functions) without a pci.ids, and with Debian's full one when installed.
func BenchmarkCollect(b *testing.B) {
	cases := []struct{ name, db string }{{"ids-only", ""}, {"full-pci.ids", "/usr/share/misc/pci.ids"}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if c.db != "" {
				if _, err := os.Stat(c.db); err != nil {
					b.Skipf("full database not installed (Debian package pci.ids): %v", err)
				}
			}
			collectortest.Benchmark(b, New(), "testdata/ghw-dell-poweredge-r610", collector.Config{PCIIDsPath: c.db})
		})
	}
}
