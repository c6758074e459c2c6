package agent

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
)

func TestMerge(t *testing.T) {
	t.Parallel()
	sw := inventory.Neighbor{Protocol: "lldp", ChassisIDSubtype: "mac", ChassisID: "00:23:54:c2:57:02", PortID: "00:23:54:c2:57:02", SystemName: "upstairs.ofcourseimright.com"}
	base := &inventory.Inventory{
		Network: &inventory.Network{Interfaces: []inventory.NIC{{Name: "eno1"}, {Name: "eno2"}}},
		Collectors: []inventory.CollectorStatus{
			{Name: "host", Status: inventory.StatusOK},
			{Name: "network", Status: inventory.StatusOK},
		},
	}
	late := &lateResult{
		neighbors: map[string][]inventory.Neighbor{"eno1": {sw}, "gone0": {sw}},
		statuses:  []inventory.CollectorStatus{{Name: "lldp", Status: inventory.StatusPartial, Warnings: []string{"eno2: no LLDP received within 35s"}}},
	}
	got := merge(base, late)
	want := &inventory.Inventory{
		Network: &inventory.Network{Interfaces: []inventory.NIC{{Name: "eno1", Neighbors: []inventory.Neighbor{sw}}, {Name: "eno2"}}},
		Collectors: []inventory.CollectorStatus{
			{Name: "host", Status: inventory.StatusOK},
			{Name: "lldp", Status: inventory.StatusPartial, Warnings: []string{"eno2: no LLDP received within 35s"}},
			{Name: "network", Status: inventory.StatusOK},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merge (-want +got):\n%s", diff)
	}
	if base.Network.Interfaces[0].Neighbors != nil || len(base.Collectors) != 2 {
		t.Error("merge modified its input")
	}
	if inventory.Digest(got) == inventory.Digest(base) {
		t.Error("neighbours did not change the digest")
	}
	if merge(base, nil) != base {
		t.Error("merge without a late result copied")
	}
	// Merging again (after the base was collected again) replaces the
	// status instead of adding a second one.
	if again := merge(got, late); len(again.Collectors) != 3 {
		t.Errorf("statuses after a second merge: %+v", again.Collectors)
	}
}
