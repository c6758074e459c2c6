package collectors

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
)

// BenchmarkCollectAll runs every default collector, as `hwagent dump
// --lldp-wait 0` does, over each host tree of testdata/hosts: without PCI
// names, with the pinned 28 KB pci.ids excerpt, and with the machine's
// full pci.ids (1.3 MB on Debian 12) when it has one. The network
// collector opens netlink in the benchmark's own namespace, as the agent
// does. Figures are in bench/README.md.
//
//	go test ./collectors -run '^$' -bench CollectAll -benchmem
func BenchmarkCollectAll(b *testing.B) {
	hosts := filepath.Join("..", "testdata", "hosts")
	ents, err := os.ReadDir(hosts)
	if err != nil {
		b.Fatal(err)
	}
	dbs := []struct{ name, path string }{
		{"no-pci-ids", "none"},
		{"pci-ids-excerpt", filepath.Join(hosts, "pci.ids")},
	}
	for _, full := range []string{"/usr/share/hwdata/pci.ids", "/usr/share/misc/pci.ids"} {
		if _, err := os.Stat(full); err == nil {
			dbs = append(dbs, struct{ name, path string }{"pci-ids-full", full})
			break
		}
	}
	specs, err := Select(All(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		paths := hostpaths.New(filepath.Join(hosts, e.Name()), nil)
		for _, db := range dbs {
			b.Run(e.Name()+"/"+db.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					env := collector.NewEnv(paths, nil, collector.Config{PCIIDsPath: db.path})
					inv := Collect(ctx, env, specs, "bench", "dump")
					if err := Usable(inv); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
