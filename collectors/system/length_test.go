package system_test

import (
	"strings"
	"testing"

	"github.com/hwagent/hwagent/inventory"
)

// setLength sets the length byte of the first structure of type typ in an
// SMBIOS structure table.
func setLength(t *testing.T, table []byte, typ, length byte) []byte {
	t.Helper()
	for off := 0; off+4 <= len(table); {
		if table[off] == typ {
			table[off+1] = length
			return table
		}
		// Skip the formatted area, then the strings up to the double NUL.
		next := off + int(table[off+1])
		for next+1 < len(table) && (table[next] != 0 || table[next+1] != 0) {
			next++
		}
		off = next + 2
	}
	t.Fatalf("no structure of type %d", typ)
	return nil
}

// Issue 11 row 14: a System Information structure (type 1) whose length
// byte says 0xFF made the collector decode whatever followed as its
// fields and strings, and say ok. Its status is now partial, naming the
// structure, and the fields past the real structure are not trusted.
func TestStructureLengthFF(t *testing.T) {
	t.Parallel()
	for _, fixture := range []string{"SuperMicro-X9DBL", "Lenovo-ThinkPad-T480", "VMWare"} {
		t.Run(fixture, func(t *testing.T) {
			t.Parallel()
			h := newHostTree(t)
			h.table(fixture, func(b []byte) []byte { return setLength(t, b, 1, 0xFF) })
			inv, st := h.run()
			if st.Status != inventory.StatusPartial {
				t.Fatalf("status %+v (product %+v), want partial", st, inv.System.Product)
			}
			w := strings.Join(st.Warnings, "\n")
			if !strings.Contains(w, "type 1") || !strings.Contains(w, "255") {
				t.Errorf("warnings %q, want one naming the type 1 structure and its length 255", st.Warnings)
			}
		})
	}
}
