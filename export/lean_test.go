package export

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
)

// A lean decode gives the same rows and facts as a full one.
func TestLeanDecodeAgreesWithFull(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("testdata/fleet/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatal(paths, err)
	}
	p, _ := plan.ParsePlan([]byte("cidr: 10.0.0.0/24\ngateway: 10.0.0.1\nnameservers: [10.0.0.2]\nhostname_template: '{{.Host.Hostname}}-{{.CPU.LogicalThreads}}-{{.Memory.SlotCount}}-{{len .PCI.Devices}}'\n"))
	x, err := New(*p, &plan.Credentials{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if !x.c.lean {
		t.Fatal("this template should allow lean decoding")
	}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		full, err := source.DecodeInventory(b)
		if err != nil {
			t.Fatal(err)
		}
		lean, err := decodeLean(b)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(FactsOf(full), FactsOf(lean)); diff != "" {
			t.Errorf("%s: facts (-full +lean):\n%s", path, diff)
		}
		rf, _, pf := x.Preview(full)
		rl, _, pl := x.Preview(lean)
		if diff := cmp.Diff(rf, rl); diff != "" {
			t.Errorf("%s: row (-full +lean):\n%s", path, diff)
		}
		if diff := cmp.Diff(pf, pl); diff != "" {
			t.Errorf("%s: problems (-full +lean):\n%s", path, diff)
		}
	}
}

// A template naming a field a lean decode skips gets full documents.
func TestTemplateNamingSkippedFieldsDecodesInFull(t *testing.T) {
	t.Parallel()
	for tmpl, lean := range map[string]bool{
		plan.DefaultHostnameTemplate:                             true,
		"{{.System.Product.Name}}-{{.CPU.ModelName}}":            true,
		"n{{len .CPU.Flags}}":                                    false,
		"{{(index .Memory.Modules 0).Locator}}":                  false,
		"{{range .PCI.Devices}}{{.Driver}}{{end}}":               false,
		"{{(index .Network.Interfaces 0).Driver}}":               false, // a NIC's Driver: over-approximated
		`{{define "x"}}{{.CPU.Caches}}{{end}}{{template "x" .}}`: false,
	} {
		c, err := compile(plan.Plan{HostnameTemplate: tmpl})
		if err != nil {
			t.Fatal(err)
		}
		if c.lean != lean {
			t.Errorf("%s: lean %v, want %v", tmpl, c.lean, lean)
		}
	}

}
