package collectors

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/lldp"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// TestPhases: the collector says its phase; LLDP is the one Late collector
// of the list, and ByPhase keeps the list's order in both halves.
func TestPhases(t *testing.T) {
	t.Parallel()
	first, late := ByPhase(All())
	if diff := cmp.Diff([]string{"lldp"}, Names(late)); diff != "" {
		t.Errorf("late collectors (-want +got):\n%s", diff)
	}
	var want []string
	for _, s := range All() {
		if s.Name() != "lldp" {
			want = append(want, s.Name())
		}
	}
	if diff := cmp.Diff(want, Names(first)); diff != "" {
		t.Errorf("first collectors (-want +got):\n%s", diff)
	}
	if p := collector.PhaseOf(fake{name: "x"}); p != collector.First {
		t.Errorf("a collector that says nothing is %s, want first", p)
	}
}

// TestLateResultsApplyAgain: the Late collectors' results go into one
// inventory, then again into a newer collection of the First ones, with one
// status each time and the neighbours of the last result only.
func TestLateResultsApplyAgain(t *testing.T) {
	t.Parallel()
	sw := inventory.Neighbor{Protocol: "lldp", ChassisIDSubtype: "local", ChassisID: "leaf-01", SystemName: "leaf-01", PortIDSubtype: "interface_name", PortID: "Ethernet1/7"}
	heard := lldp.Result{
		NICs:      []lldp.NIC{{Name: "eno1", Kind: inventory.NICPhysical}, {Name: "eno2", Kind: inventory.NICPhysical}},
		Neighbors: map[string][]inventory.Neighbor{"eno1": {sw}},
	}
	late := fake{name: "lldp", apply: heard.Apply, err: &collector.PartialError{Warnings: []string{"eno2: no LLDP received within 35s"}}}
	nics := func(inv *inventory.Inventory) {
		inv.Network = &inventory.Network{Interfaces: []inventory.NIC{{Name: "eno1"}, {Name: "eno2", Neighbors: []inventory.Neighbor{sw}}}}
	}
	env := collector.NewEnv(hostpaths.New(t.TempDir(), nil), nil, collector.Config{})
	r := Gather(context.Background(), env, []Spec{{Collector: late}})

	want := &inventory.Inventory{
		Network: &inventory.Network{Interfaces: []inventory.NIC{{Name: "eno1", Neighbors: []inventory.Neighbor{sw}}, {Name: "eno2"}}},
		Collectors: []inventory.CollectorStatus{
			{Name: "lldp", Status: inventory.StatusPartial, Warnings: []string{"eno2: no LLDP received within 35s"}},
			{Name: "network", Status: inventory.StatusOK},
		},
	}
	for _, round := range []string{"first collection", "collected again"} {
		inv := Collect(context.Background(), env, []Spec{{Collector: fake{name: "network", apply: nics}}}, "test", "run")
		r.ApplyTo(inv)
		r.ApplyTo(inv) // idempotent
		inv.CollectedAt, inv.SchemaVersion, inv.Agent, inv.Identity = want.CollectedAt, "", inventory.Agent{}, inventory.Identity{}
		for i := range inv.Collectors {
			inv.Collectors[i].DurationSeconds = 0
		}
		if diff := cmp.Diff(want, inv); diff != "" {
			t.Errorf("%s (-want +got):\n%s", round, diff)
		}
	}
	if diff := cmp.Diff([]inventory.CollectorStatus{want.Collectors[0]}, zeroDurations(r.Statuses())); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func zeroDurations(sts []inventory.CollectorStatus) []inventory.CollectorStatus {
	for i := range sts {
		sts[i].DurationSeconds = 0
	}
	return sts
}
