package memory_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/inventory"
)

// Issue 11 row 14, for the memory devices: a type 17 structure whose length
// byte says 0xFF swallowed the rest of the table and the collector said ok
// with fewer modules. It is now partial, naming the structure; the modules
// before it are kept.
func TestMemoryDeviceLengthFF(t *testing.T) {
	t.Parallel()
	root := hostTree(t, "meminfo-amd64-64g", "SuperMicro-X9DBL")
	name := filepath.Join(root, "sys/firmware/dmi/tables/DMI")
	table, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	// The third type 17 structure.
	seen := 0
	for off := 0; off+4 <= len(table); {
		if table[off] == 17 {
			if seen++; seen == 3 {
				table[off+1] = 0xFF
				break
			}
		}
		next := off + int(table[off+1])
		for next+1 < len(table) && (table[next] != 0 || table[next+1] != 0) {
			next++
		}
		off = next + 2
	}
	if err := os.WriteFile(name, table, 0o644); err != nil {
		t.Fatal(err)
	}
	inv, st := run(t, root)
	w := strings.Join(st.Warnings, "\n")
	if st.Status != inventory.StatusPartial || !strings.Contains(w, "type 17") || !strings.Contains(w, "length 255") {
		t.Fatalf("status %+v, want partial naming the type 17 structure of length 255", st)
	}
	if len(inv.Memory.Modules) != 2 {
		t.Errorf("%d modules, want the 2 before the broken structure", len(inv.Memory.Modules))
	}
}
