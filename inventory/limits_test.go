package inventory

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckLimits(t *testing.T) {
	t.Parallel()
	many := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	base := func() *Inventory {
		return &Inventory{
			SchemaVersion: SchemaVersion,
			Identity:      Identity{SystemUUID: "4c4c4544-0033-3410-8051-b4c04f4a4d32", MACs: []string{"00:26:b9:00:00:18"}},
			Network:       &Network{Interfaces: []NIC{{Name: "eno1"}, {Name: "eno2"}}},
		}
	}
	tests := []struct {
		name string
		edit func(*Inventory)
		want *LimitError
	}{
		{"within every bound", func(*Inventory) {}, nil},
		{"identity MACs at the bound", func(inv *Inventory) { inv.Identity.MACs = many(MaxIdentityMACs, "00:26:b9:00:00:18") }, nil},
		{"identity MACs past the bound", func(inv *Inventory) { inv.Identity.MACs = many(MaxIdentityMACs+1, "x") },
			&LimitError{Field: "inventory.identity.macs", Got: MaxIdentityMACs + 1, Max: MaxIdentityMACs}},
		{"one long identity MAC", func(inv *Inventory) { inv.Identity.MACs = []string{"a", strings.Repeat("b", 513)} },
			&LimitError{Field: "inventory.identity.macs[1]", Got: 513, Max: MaxIdentityValueBytes, Bytes: true}},
		{"a long system UUID", func(inv *Inventory) { inv.Identity.SystemUUID = strings.Repeat("0", 600) },
			&LimitError{Field: "inventory.identity.system_uuid", Got: 600, Max: MaxIdentityValueBytes, Bytes: true}},
		{"a list inside a list", func(inv *Inventory) { inv.Network.Interfaces[1].Addresses = many(DefaultMaxEntries+1, "") },
			&LimitError{Field: "inventory.network.interfaces[1].addresses", Got: DefaultMaxEntries + 1, Max: DefaultMaxEntries}},
		{"a string deep down", func(inv *Inventory) {
			inv.Network.Interfaces[0].Neighbors = []Neighbor{{SystemName: strings.Repeat("s", MaxStringBytes+1)}}
		}, &LimitError{Field: "inventory.network.interfaces[0].neighbors[0].system_name", Got: MaxStringBytes + 1, Max: MaxStringBytes, Bytes: true}},
		{"a list with its own bound", func(inv *Inventory) { inv.PCI = &PCI{Devices: make([]PCIDevice, 8193)} },
			&LimitError{Field: "inventory.pci.devices", Got: 8193, Max: 8192}},
		{"collectors", func(inv *Inventory) { inv.Collectors = make([]CollectorStatus, DefaultMaxEntries+1) },
			&LimitError{Field: "inventory.collectors", Got: DefaultMaxEntries + 1, Max: DefaultMaxEntries}},
	}
	for _, tt := range tests {
		inv := base()
		tt.edit(inv)
		err := CheckLimits(inv)
		var got *LimitError
		if err != nil {
			got = err.(*LimitError)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if err := CheckLimits(nil); err != nil {
		t.Errorf("CheckLimits(nil) = %v", err)
	}
	e := &LimitError{Field: "inventory.identity.macs", Got: 20000, Max: 1024}
	if got := e.Error(); got != "field inventory.identity.macs: 20000 entries, at most 1024" {
		t.Errorf("message %q", got)
	}
}

// Every inventory of the repository's real machines is within the bounds.
func TestRealInventoriesWithinLimits(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../export/testdata/fleet/*.json")
	files2, _ := filepath.Glob("../export/testdata/disks/*.json")
	files = append(files, files2...)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var inv Inventory
		if json.Unmarshal(b, &inv) != nil || inv.SchemaVersion != SchemaVersion {
			continue
		}
		n++
		if err := CheckLimits(&inv); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if n == 0 {
		t.Fatalf("no inventory among %d files", len(files))
	}
}

func BenchmarkCheckLimits(b *testing.B) {
	files, _ := filepath.Glob("../export/testdata/fleet/*.json")
	var inv *Inventory
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var i Inventory
		if json.Unmarshal(data, &i) == nil && i.SchemaVersion == SchemaVersion && i.PCI != nil {
			inv = &i
			break
		}
	}
	if inv == nil {
		b.Fatal("no inventory")
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckLimits(inv); err != nil {
			b.Fatal(err)
		}
	}
}

// docs/protocol.md lists every bound.
func TestLimitsDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for path := range entryLimits {
		if !strings.Contains(text, "`"+path+"`") {
			t.Errorf("docs/protocol.md does not list the bound of %s", path)
		}
	}
	for _, want := range []string{"| 1024 entries |", "| 512 bytes |", "| 64 KiB |", "| 4096 entries |", "| 8192 entries |"} {
		if !strings.Contains(text, want) {
			t.Errorf("docs/protocol.md lacks %q", want)
		}
	}
}
