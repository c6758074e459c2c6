package lldp

import (
	"reflect"
	"sort"
	"time"

	"github.com/hwagent/hwagent/inventory"
)

// Table holds the current neighbours of each interface, built from Updates.
// A neighbour is identified by protocol, chassis ID and port ID: a newer
// frame from it replaces the older, a shutdown LLDPDU (TTL 0) removes it,
// and Expire drops it when its TTL has passed. The zero Table is empty and
// ready; it is not safe for concurrent use.
type Table struct {
	ifaces map[string][]inventory.Neighbor
}

// key identifies a neighbour on one interface.
func key(n *inventory.Neighbor) string {
	return n.Protocol + "\x00" + n.ChassisIDSubtype + "\x00" + n.ChassisID + "\x00" + n.PortIDSubtype + "\x00" + n.PortID
}

// Usable reports whether an update carries a neighbour worth keeping: a
// cleanly decoded one, or a partial one that still identifies itself with
// a chassis ID and a port ID (LLDP) or a Device-ID (CDP).
func Usable(u Update) bool {
	n := u.Neighbor
	if n == nil {
		return false
	}
	if u.Err == nil {
		return true
	}
	return n.ChassisID != "" && (n.PortID != "" || n.Protocol == "cdp")
}

// Add applies u and reports whether the interface's neighbours changed in
// anything but their reception time.
func (t *Table) Add(u Update) bool {
	if !Usable(u) {
		return false
	}
	if t.ifaces == nil {
		t.ifaces = map[string][]inventory.Neighbor{}
	}
	list := t.ifaces[u.Interface]
	k := key(u.Neighbor)
	i := 0
	for ; i < len(list) && key(&list[i]) != k; i++ {
	}
	shutdown := u.Neighbor.Protocol == "lldp" && u.Neighbor.TTLSeconds == 0
	switch {
	case shutdown && i == len(list):
		return false
	case shutdown:
		t.ifaces[u.Interface] = append(list[:i:i], list[i+1:]...)
		return true
	case i == len(list):
		t.ifaces[u.Interface] = append(list, *u.Neighbor)
		return true
	}
	old := list[i]
	list[i] = *u.Neighbor
	old.ReceivedAt = u.Neighbor.ReceivedAt
	return !reflect.DeepEqual(old, *u.Neighbor)
}

// Expire removes neighbours whose TTL ran out before now and reports
// whether any was removed.
func (t *Table) Expire(now time.Time) bool {
	changed := false
	for name, list := range t.ifaces {
		kept := list[:0]
		for _, n := range list {
			if now.Sub(n.ReceivedAt) <= time.Duration(n.TTLSeconds)*time.Second {
				kept = append(kept, n)
			} else {
				changed = true
			}
		}
		t.ifaces[name] = kept
	}
	return changed
}

// Heard reports whether the interface has a neighbour.
func (t *Table) Heard(ifname string) bool { return len(t.ifaces[ifname]) > 0 }

// Interfaces lists the interfaces with neighbours, sorted.
func (t *Table) Interfaces() []string {
	var out []string
	for name, list := range t.ifaces {
		if len(list) > 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Neighbors returns a copy of the interface's neighbours in the order they
// were first heard.
func (t *Table) Neighbors(ifname string) []inventory.Neighbor {
	return append([]inventory.Neighbor(nil), t.ifaces[ifname]...)
}
