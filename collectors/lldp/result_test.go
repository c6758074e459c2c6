package lldp

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
)

func TestResultApply(t *testing.T) {
	t.Parallel()
	sw1 := inventory.Neighbor{Protocol: "lldp", SystemName: "sw1", PortID: "Ethernet1/7"}
	sw2 := inventory.Neighbor{Protocol: "cdp", SystemName: "sw2", PortID: "Gi0/1"}
	r := Result{
		NICs:      []NIC{{Name: "eth0", Kind: "physical"}, {Name: "eth1", Kind: "physical"}, {Name: "eth2", Kind: "physical"}},
		Neighbors: map[string][]inventory.Neighbor{"eth0": {sw1}, "eth2": {sw2}},
	}
	tests := []struct {
		name string
		in   *inventory.Network
		want *inventory.Network
	}{
		{
			name: "no network section: entries with name and kind",
			want: &inventory.Network{Interfaces: []inventory.NIC{
				{Name: "eth0", Kind: "physical", Neighbors: []inventory.Neighbor{sw1}},
				{Name: "eth2", Kind: "physical", Neighbors: []inventory.Neighbor{sw2}},
			}},
		},
		{
			name: "matched by name, missing one inserted in order, stale neighbours cleared",
			in: &inventory.Network{Interfaces: []inventory.NIC{
				{Name: "bond0", Kind: "bond"},
				{Name: "eth0", Kind: "physical", MAC: "52:54:00:00:00:01"},
				{Name: "eth1", Kind: "physical", Neighbors: []inventory.Neighbor{sw2}},
			}},
			want: &inventory.Network{Interfaces: []inventory.NIC{
				{Name: "bond0", Kind: "bond"},
				{Name: "eth0", Kind: "physical", MAC: "52:54:00:00:00:01", Neighbors: []inventory.Neighbor{sw1}},
				{Name: "eth1", Kind: "physical"},
				{Name: "eth2", Kind: "physical", Neighbors: []inventory.Neighbor{sw2}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := &inventory.Inventory{Network: tt.in}
			r.Apply(inv)
			if diff := cmp.Diff(tt.want, inv.Network); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	inv := &inventory.Inventory{}
	Result{NICs: r.NICs}.Apply(inv)
	if inv.Network != nil {
		t.Error("nothing heard created a network section")
	}
}
