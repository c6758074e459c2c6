package export

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
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
	x, err := New(*p, &plan.Credentials{Username: "u", Password: "p"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := source.DecodeInventory(b)
		if err != nil {
			return
		}
		row, cols, _ := x.Preview(inv)
		_ = row.Record(cols)
		_ = FactsOf(inv)
		if _, err := yaml.Marshal((&TinkerbellWriter{namespace: "ns", facilityCode: "f"}).Hardware(&Machine{Row: row, Facts: FactsOf(inv)})); err != nil {
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
		_, _ = New(*p, nil)
	})
}

// FuzzParseCredentials never echoes a value it could not parse.
func FuzzParseCredentials(f *testing.F) {
	b, err := os.ReadFile("testdata/plans/bmc-credentials.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("username: a\npassword: 123\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := plan.ParseCredentials(b)
		if err == nil {
			_ = c.For([]string{"9000116105"})
		}
	})
}

// FuzzSanitizeHostname: the result holds only a-z, 0-9, '-' and '.', has
// no empty label and no label starting or ending with '-', and sanitizing
// again changes nothing.
func FuzzSanitizeHostname(f *testing.F) {
	for _, s := range []string{"node-1", "VMware-56 4d e2", "To Be Filled By O.E.M.", "..a..", "-x-", "Ä", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := SanitizeHostname(s)
		if SanitizeHostname(h) != h {
			t.Fatalf("%q → %q is not stable", s, h)
		}
		if h == "" {
			return
		}
		for _, l := range strings.Split(h, ".") {
			if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
				t.Fatalf("%q → %q has a bad label %q", s, h, l)
			}
			for _, c := range l {
				if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
					t.Fatalf("%q → %q holds %q", s, h, c)
				}
			}
		}
		if len(h) <= 253 && hostnameProblem(h) != "" && !tooLongLabel(h) {
			t.Fatalf("%q → %q rejected: %s", s, h, hostnameProblem(h))
		}
	})
}

func tooLongLabel(h string) bool {
	for _, l := range strings.Split(h, ".") {
		if len(l) > 63 {
			return true
		}
	}
	return false
}

// FuzzParseSize: a parsed size prints as a string that parses back to it.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"16GiB", "500GB", "1.5TiB", "4096", "12 apples", "1e300PiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := plan.ParseSize(s)
		if err != nil {
			return
		}
		back, err := plan.ParseSize(n.String())
		if err != nil || back != n {
			t.Fatalf("%q = %d prints %q which parses to %d, %v", s, uint64(n), n.String(), uint64(back), err)
		}
	})
}

// FuzzSplitDocuments: any stream splits or fails; every piece is one
// valid JSON value, and decoding it as an inventory fails or succeeds
// without panicking.
//
// Seeded with small streams: with the fleet's documents as seeds the
// fuzzer made no progress here (it does for FuzzPreview, which takes them).
func FuzzSplitDocuments(f *testing.F) {
	f.Add([]byte(`{"schema_version":"hwagent.inventory/v1","identity":{"machine_id":"m-1"}}` + "\n" + `{"schema_version":"hwagent.inventory/v1"}`))
	f.Add([]byte(`[{"schema_version":"hwagent.inventory/v1"},{}]`))
	f.Add([]byte(`{}{}[`))
	f.Add([]byte(` [ ] `))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = source.SplitDocuments(bytes.NewReader(b), func(doc []byte) error {
			if !json.Valid(doc) {
				t.Fatalf("piece %q is not one JSON value", doc)
			}
			_, _ = source.DecodeInventory(doc)
			return nil
		})
	})
}
