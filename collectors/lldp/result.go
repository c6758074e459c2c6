package lldp

import (
	"sort"

	"github.com/hwagent/hwagent/inventory"
)

// Result is what a collection or a watch heard.
type Result struct {
	// NICs are the interfaces listened on.
	NICs []NIC
	// Neighbors are the neighbours per interface name; interfaces that
	// heard nothing are absent.
	Neighbors map[string][]inventory.Neighbor
}

// Apply sets each listened-on interface's Neighbors in inv, matching
// interfaces by name: those that heard nothing get none (so an update after
// a neighbour expired clears it). When the network section is missing, or
// lacks an interface that heard a neighbour, an entry with just the name
// and kind is added, in name order.
func (r Result) Apply(inv *inventory.Inventory) {
	for _, n := range r.NICs {
		nbs := r.Neighbors[n.Name]
		if inv.Network == nil {
			if len(nbs) == 0 {
				continue
			}
			inv.Network = &inventory.Network{Interfaces: []inventory.NIC{}}
		}
		i := indexOf(inv.Network.Interfaces, n.Name)
		if i < 0 {
			if len(nbs) == 0 {
				continue
			}
			ifs := append(inv.Network.Interfaces, inventory.NIC{Name: n.Name, Kind: n.Kind})
			sort.SliceStable(ifs, func(a, b int) bool { return ifs[a].Name < ifs[b].Name })
			inv.Network.Interfaces = ifs
			i = indexOf(ifs, n.Name)
		}
		inv.Network.Interfaces[i].Neighbors = nbs
	}
}

func indexOf(ifs []inventory.NIC, name string) int {
	for i := range ifs {
		if ifs[i].Name == name {
			return i
		}
	}
	return -1
}
