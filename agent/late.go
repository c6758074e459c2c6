package agent

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/inventory"
)

// LateCollectors are the collectors that run after registration, in the
// background, because they wait: LLDP listens for up to --lldp-wait.
var LateCollectors = []string{"lldp"}

// splitLate separates the late collectors from the others.
func splitLate(specs []collectors.Spec) (early, late []collectors.Spec) {
	for _, s := range specs {
		if contains(LateCollectors, s.Name()) {
			late = append(late, s)
		} else {
			early = append(early, s)
		}
	}
	return early, late
}

// lateResult is what the late collectors found: neighbours by interface
// name and the collectors' statuses.
type lateResult struct {
	neighbors map[string][]inventory.Neighbor
	statuses  []inventory.CollectorStatus
}

// runLate runs specs on a copy of base (so that LLDP can attach neighbours
// to the NICs the network collector found) and extracts what they added.
func runLate(ctx context.Context, env *collector.Env, specs []collectors.Spec, base *inventory.Inventory) lateResult {
	inv := clone(base)
	collectors.Run(ctx, env, specs, inv)
	r := lateResult{neighbors: map[string][]inventory.Neighbor{}}
	if inv.Network != nil {
		for _, nic := range inv.Network.Interfaces {
			if len(nic.Neighbors) > 0 {
				r.neighbors[nic.Name] = nic.Neighbors
			}
		}
	}
	for _, s := range specs {
		if st := inv.Collector(s.Name()); st != nil {
			r.statuses = append(r.statuses, *st)
		}
	}
	return r
}

// merge returns base with the late result attached: neighbours on the NICs
// of the same name, and the late collectors' statuses. base is not
// modified. A NIC that base no longer has loses its neighbours.
func merge(base *inventory.Inventory, late *lateResult) *inventory.Inventory {
	if late == nil {
		return base
	}
	c := *base
	if base.Network != nil && len(late.neighbors) > 0 {
		n := *base.Network
		n.Interfaces = append([]inventory.NIC(nil), base.Network.Interfaces...)
		for i := range n.Interfaces {
			if nb, ok := late.neighbors[n.Interfaces[i].Name]; ok {
				n.Interfaces[i].Neighbors = nb
			}
		}
		c.Network = &n
	}
	c.Collectors = append([]inventory.CollectorStatus(nil), base.Collectors...)
	for _, st := range late.statuses {
		if old := c.Collector(st.Name); old != nil {
			*old = st
		} else {
			c.Collectors = append(c.Collectors, st)
		}
	}
	sort.SliceStable(c.Collectors, func(i, j int) bool { return c.Collectors[i].Name < c.Collectors[j].Name })
	return &c
}

// clone deep-copies an inventory. It runs once per late collection.
func clone(inv *inventory.Inventory) *inventory.Inventory {
	b, err := json.Marshal(inv)
	if err != nil {
		panic("agent: clone inventory: " + err.Error()) // plain values: cannot fail
	}
	var c inventory.Inventory
	if err := json.Unmarshal(b, &c); err != nil {
		panic("agent: clone inventory: " + err.Error())
	}
	return &c
}
