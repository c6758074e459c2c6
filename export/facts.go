package export

import (
	"sort"
	"strings"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/inventory"
)

// bestSerial is the machine's serial number: the system serial (SMBIOS type
// 1), else the baseboard's (type 2), else the chassis' (type 3), skipping
// vendor placeholders ("To be filled by O.E.M.", "Default string"...).
func bestSerial(inv *inventory.Inventory) string {
	s := inv.System
	if s == nil {
		return ""
	}
	cands := []string{s.Product.Serial}
	if s.Baseboard != nil {
		cands = append(cands, s.Baseboard.Serial)
	}
	if s.Chassis != nil {
		cands = append(cands, s.Chassis.Serial)
	}
	for _, c := range cands {
		if c = strings.TrimSpace(c); !inventory.IsPlaceholderSerial(c) {
			return c
		}
	}
	return ""
}

// machineID is the inventory's hwagent machine ID, derived when the
// document does not carry one.
func machineID(inv *inventory.Inventory) string {
	if inv.Identity.MachineID != "" {
		return inv.Identity.MachineID
	}
	return inventory.DeriveIdentity(inv).MachineID
}

// machineKeys are the lower-case keys per-machine plan maps match on: the
// system, baseboard and chassis serials that are not placeholders, the
// current and permanent MAC of every NIC, and the machine ID.
func machineKeys(inv *inventory.Inventory, id string) []string {
	var keys []string
	add := func(k string) {
		k = plan.Key(k)
		if k == "" || inventory.IsPlaceholderSerial(k) {
			return
		}
		for _, x := range keys {
			if x == k {
				return
			}
		}
		keys = append(keys, k)
	}
	if s := inv.System; s != nil {
		add(s.Product.Serial)
		if s.Baseboard != nil {
			add(s.Baseboard.Serial)
		}
		if s.Chassis != nil {
			add(s.Chassis.Serial)
		}
	}
	if n := inv.Network; n != nil {
		for _, nic := range n.Interfaces {
			add(nic.MAC)
			add(nic.PermanentMAC)
		}
		if n.Boot != nil {
			add(n.Boot.MAC)
		}
	}
	add(id)
	return keys
}

// matchFacts are what role rules match on.
type matchFacts struct {
	manufacturer string
	product      string
	serial       string
	switches     []string
	memory       uint64
	cpus         int
}

func factsOf(inv *inventory.Inventory, serial string) matchFacts {
	f := matchFacts{serial: serial}
	if s := inv.System; s != nil {
		f.manufacturer = strings.TrimSpace(s.Product.Manufacturer)
		f.product = strings.TrimSpace(s.Product.Name)
	}
	if inv.Memory != nil {
		f.memory = inv.Memory.TotalBytes
	}
	if inv.CPU != nil {
		f.cpus = inv.CPU.LogicalThreads
	}
	if n := inv.Network; n != nil {
		for _, nic := range n.Interfaces {
			for _, nb := range nic.Neighbors {
				if nb.SystemName != "" {
					f.switches = append(f.switches, nb.SystemName)
				}
			}
		}
		sort.Strings(f.switches)
	}
	return f
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
