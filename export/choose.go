package export

import (
	"fmt"
	"strings"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/inventory"
)

// bootNIC is the provisioning NIC: its MAC and, when the inventory lists
// it, the interface itself.
type bootNIC struct {
	mac string
	nic *inventory.NIC
	// why says how it was chosen, for messages.
	why string
}

// chooseBootNIC picks the NIC a machine is provisioned over:
//  1. the plan's boot_macs entry for the machine;
//  2. the plan's boot_interface, by name;
//  3. the NIC that netbooted (Network.Boot from BOOTIF=/hw_addr=, or
//     NIC.Boot);
//  4. the first physical NIC with carrier and an LLDP/CDP neighbour;
//  5. the first physical NIC with carrier.
//
// A NIC's MAC is its permanent (burned-in) address when known: the one its
// firmware uses to PXE boot, which bonding does not change.
func chooseBootNIC(c *compiled, inv *inventory.Inventory, keys []string) (bootNIC, error) {
	var nics []inventory.NIC
	if inv.Network != nil {
		nics = inv.Network.Interfaces
	}
	byMAC := func(mac string) *inventory.NIC {
		for i := range nics {
			if strings.EqualFold(nics[i].MAC, mac) || strings.EqualFold(nics[i].PermanentMAC, mac) {
				return &nics[i]
			}
		}
		return nil
	}
	if mac, key, conflict := plan.Lookup(c.bootMACs, keys); key != "" {
		if conflict != "" {
			return bootNIC{}, fmt.Errorf("boot_macs: entries %s and %s both match", key, conflict)
		}
		return bootNIC{mac: mac, nic: byMAC(mac), why: "boot_macs[" + key + "]"}, nil
	}
	if name := c.plan.BootInterface; name != "" {
		for i := range nics {
			if nics[i].Name == name {
				if nicMAC(&nics[i]) == "" {
					return bootNIC{}, fmt.Errorf("boot_interface %s has no MAC address", name)
				}
				return bootNIC{mac: nicMAC(&nics[i]), nic: &nics[i], why: "boot_interface"}, nil
			}
		}
		return bootNIC{}, fmt.Errorf("boot_interface %s: no such interface (have %s)", name, nicNames(nics))
	}
	if inv.Network != nil && inv.Network.Boot != nil && inv.Network.Boot.MAC != "" {
		mac := strings.ToLower(inv.Network.Boot.MAC)
		return bootNIC{mac: mac, nic: byMAC(mac), why: "netbooted (" + inv.Network.Boot.Source + ")"}, nil
	}
	for i := range nics {
		if nics[i].Boot && nicMAC(&nics[i]) != "" {
			return bootNIC{mac: nicMAC(&nics[i]), nic: &nics[i], why: "netbooted"}, nil
		}
	}
	for _, needNeighbour := range []bool{true, false} {
		for i := range nics {
			n := &nics[i]
			if n.Kind != inventory.NICPhysical || !n.Carrier || nicMAC(n) == "" {
				continue
			}
			if needNeighbour && len(n.Neighbors) == 0 {
				continue
			}
			why := "first physical NIC with link"
			if needNeighbour {
				why += " and an LLDP neighbour"
			}
			return bootNIC{mac: nicMAC(n), nic: n, why: why}, nil
		}
	}
	return bootNIC{}, fmt.Errorf("no boot NIC: none netbooted and no physical NIC has link (have %s); set boot_macs or boot_interface", nicNames(nics))
}

// nicMAC is the NIC's permanent MAC, else its current one, lower case.
func nicMAC(n *inventory.NIC) string {
	if n.PermanentMAC != "" && n.PermanentMAC != "00:00:00:00:00:00" {
		return strings.ToLower(n.PermanentMAC)
	}
	return strings.ToLower(n.MAC)
}

func nicNames(nics []inventory.NIC) string {
	if len(nics) == 0 {
		return "no interfaces"
	}
	names := make([]string, len(nics))
	for i, n := range nics {
		names[i] = n.Name
	}
	return strings.Join(names, ", ")
}
