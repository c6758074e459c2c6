package testinv

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
)

func TestMachinesAreRealisticAndDistinct(t *testing.T) {
	t.Parallel()
	owner := map[string]int{}
	for i := range 2000 {
		inv := Machine(i)
		b, err := json.Marshal(inv)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 20<<10 || len(b) > 50<<10 {
			t.Errorf("machine %d: %d bytes of JSON, want 20-50 KB", i, len(b))
		}
		keys := inv.Identity.Keys()
		if len(keys) != 10 {
			t.Errorf("machine %d: %d identity keys, want UUID, 3 serials and 6 MACs: %q", i, len(keys), keys)
		}
		for _, k := range keys {
			if j, ok := owner[k]; ok {
				t.Fatalf("machines %d and %d share identity key %s", j, i, k)
			}
			owner[k] = i
		}
	}
}

func TestMachineIsStable(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(Machine(5), Machine(5)); diff != "" {
		t.Errorf("Machine(5) twice (-first +second):\n%s", diff)
	}
	inv := Machine(5)
	if got := len(inv.PCI.Devices); got != 82 {
		t.Errorf("%d PCI functions, want the R610's 82", got)
	}
	if inv.CPU.ModelName != "Intel(R) Xeon(R) CPU           L5640  @ 2.27GHz" || inv.CPU.LogicalThreads != 24 {
		t.Errorf("CPU %q with %d threads, want the real dual L5640", inv.CPU.ModelName, inv.CPU.LogicalThreads)
	}
	base := inventory.Digest(inv)
	for name, o := range map[string]Options{
		"dimm":       {RemoveDIMM: "DIMM_A1"},
		"bios":       {BIOSVersion: "6.6.1"},
		"switch":     {Switch: "leaf-x", SwitchPort: "Ethernet1"},
		"neighbours": {NoNeighbours: true},
	} {
		if d := inventory.Digest(MachineWith(5, o)); d == base {
			t.Errorf("option %s left the digest unchanged", name)
		}
	}
}
