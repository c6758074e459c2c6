package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hwagent/hwagent/"

type goPackage struct {
	ImportPath string
	Imports    []string
}

// modulePackages lists the module's packages with their (non-test)
// imports, as the go command sees them.
func modulePackages(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "github.com/hwagent/hwagent/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 50 {
		t.Fatalf("go list found %d packages: not the module", len(pkgs))
	}
	return pkgs
}

// TestImportsRunOneWay: every package is placed, and imports only its own
// layer or below; test support is imported only by test support and
// commands.
func TestImportsRunOneWay(t *testing.T) {
	t.Parallel()
	for _, p := range modulePackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, module)
		support := IsTestSupport(rel)
		floor := Floor(rel)
		if floor < 0 && !support {
			t.Errorf("%s is in no layer: place its directory in internal/layers (and docs/architecture.md)", rel)
			continue
		}
		for _, imp := range p.Imports {
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			switch {
			case IsTestSupport(dep):
				if !support && floor != len(Floors)-1 {
					t.Errorf("%s imports test support %s", rel, dep)
				}
			case Floor(dep) < 0:
				// reported as a package of its own
			case support:
				if Floor(dep) == len(Floors)-1 {
					t.Errorf("test support %s imports the command layer's %s", rel, dep)
				}
			case Floor(dep) > floor:
				t.Errorf("%s (%s) imports %s, a higher layer (%s)", rel, Floors[floor].Name, dep, Floors[Floor(dep)].Name)
			}
		}
	}
}

// TestFloorPlan checks the table against the one rule it must obey on
// its own: a package is in at most one layer.
func TestFloorPlan(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, l := range Floors {
		for _, p := range l.Packages {
			if other, ok := seen[p]; ok {
				t.Errorf("%s is in %q and %q", p, other, l.Name)
			}
			seen[p] = l.Name
		}
	}
	for _, p := range TestSupport {
		for _, l := range Floors {
			for _, q := range l.Packages {
				if match(q, p) {
					t.Errorf("test support %s is also in layer %q", p, l.Name)
				}
			}
		}
	}
	// The rule bites: an upward import is an error.
	if Floor("hostpaths") >= Floor("collectors/cpu") || Floor("collectors") >= Floor("agent") || Floor("inventory") != 0 {
		t.Error("the table lost its order")
	}
}

// TestReadmeLayout: every top-level directory holding Go packages has a
// row in the README's Layout table, so the table stays true.
func TestReadmeLayout(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, layout, ok := strings.Cut(string(b), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no Layout section")
	}
	layout, _, _ = strings.Cut(layout, "\n## ")
	seen := map[string]bool{}
	for _, p := range modulePackages(t) {
		top, _, _ := strings.Cut(strings.TrimPrefix(p.ImportPath, module), "/")
		if top == "internal" || seen[top] {
			continue // internal helpers are not the house's rooms
		}
		seen[top] = true
		if !strings.Contains(layout, "`"+top+"/") && !strings.Contains(layout, "`"+top+"`") {
			t.Errorf("README.md's Layout table has no row for %s/", top)
		}
	}
}
