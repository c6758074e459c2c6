package export_test

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/hardwarecsv"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/export/tinkerbell"
)

// fleetSeeds adds the fleet's documents, trimmed to a few KiB (the fuzzer
// stalls on 100 KiB inputs): compact JSON, three PCI functions, two memory
// modules, no CPU flags, caches or collector statuses.
func fleetSeeds(f *testing.F) {
	paths, _ := filepath.Glob("testdata/fleet/*.json")
	for _, p := range paths {
		inv, err := source.FileRef(p).Load()
		if err != nil {
			f.Fatal(err)
		}
		if inv.PCI != nil && len(inv.PCI.Devices) > 3 {
			inv.PCI.Devices = inv.PCI.Devices[:3]
		}
		if inv.Memory != nil && len(inv.Memory.Modules) > 2 {
			inv.Memory.Modules = inv.Memory.Modules[:2]
		}
		if inv.CPU != nil {
			inv.CPU.Flags, inv.CPU.Caches, inv.CPU.Sockets = nil, nil, nil
		}
		inv.Collectors = nil
		b, err := json.Marshal(inv)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzPreview decodes arbitrary documents and, when they decode, builds
// their row: missing sections, odd values and unknown shapes give reasons,
// never panics.
func FuzzPreview(f *testing.F) {
	fleetSeeds(f)
	f.Add([]byte(`{"schema_version":"hwagent.inventory/v1"}`))
	f.Add([]byte(`{"schema_version":"hwagent.inventory/v1","network":{"interfaces":[{"name":"x","kind":"physical","carrier":true,"mac":"zz"}]},"storage":{"disks":[{"name":"../../x","size_bytes":99999999999}]},"bmc":{"lan":[{"configured":true,"ipv4":"300.1.1.1"}]}}`))
	p, err := plan.ParsePlan([]byte("cidr: 10.0.0.0/24\ngateway: 10.0.0.1\nnameservers: [10.0.0.2]\nvlan: lldp\nhostname_template: '{{.System.Product.Name}}-{{mac}}-{{octet 4 .IP}}'\nroles: [{match: {product: 'X*'}, count: 1, labels: {type: cp}}]\n"))
	if err != nil {
		f.Fatal(err)
	}
	x, err := export.New(*p, &plan.Credentials{Username: "u", Password: "p"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := source.DecodeInventory(b)
		if err != nil {
			return
		}
		row, cols, _ := x.Preview(inv)
		_ = hardwarecsv.Record(row, cols)
		_ = export.FactsOf(inv)
		tw := tinkerbell.NewWriter(io.Discard, "ns", "f")
		if err := tw.Write(&export.Machine{Row: row, Facts: export.FactsOf(inv)}); err != nil {
			t.Fatal(err)
		}
		if err := tw.End(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParsePlan: any YAML either fails to parse or compile with an error,
// or compiles.
func FuzzParsePlan(f *testing.F) {
	for _, p := range []string{"basic.yaml", "index-vlan.yaml", "lldp.yaml"} {
		b, err := os.ReadFile("testdata/plans/" + p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("vlan: {from: lldp}\ndisk_min_size: 1.5TiB\nroles: [{match: {switch: '*'}, labels: {a: b}}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := plan.ParsePlan(b)
		if err != nil {
			return
		}
		_, _ = export.New(*p, nil)
	})
}
