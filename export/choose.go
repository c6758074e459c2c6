package export

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/inventory"
)

// Disk classes of Plan.DiskPrefer.
const (
	classNVMe = "nvme"
	classSSD  = "ssd"
	classHDD  = "hdd"
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
	if mac, key, conflict := lookup(c.bootMACs, keys); key != "" {
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

// chooseDisk picks the install disk, first of:
//  1. the plan's disks entry for the machine;
//  2. the plan's disk;
//  3. the plan's root_devices entry for the machine, else its root_device:
//     the first disk (in the inventory's order, as Ironic takes the first
//     in lsblk's) that matches every Ironic root device hint;
//  4. the rule: among disks that are not read-only, not removable (unless
//     disk_allow_removable), not on an excluded transport (usb by
//     default) and at least disk_min_size (16 GiB), the first class of
//     disk_prefer (nvme, then ssd, then hdd) that has one, and in it the
//     smallest disk (then the first by name).
//
// Whatever chose it, a disk in use (inventory.Disk.InUse) or whose
// contents could not be read is refused unless disk_allow_in_use. The
// result is /dev/<kernel name>.
func chooseDisk(c *compiled, inv *inventory.Inventory, keys []string) (string, error) {
	var disks []inventory.Disk
	if inv.Storage != nil {
		disks = inv.Storage.Disks
	}
	byPath := func(path string) *inventory.Disk {
		for i := range disks {
			if "/dev/"+disks[i].Name == path {
				return &disks[i]
			}
		}
		return nil
	}
	named := func(d, why string) (string, error) {
		x := byPath(d)
		if x == nil {
			if inv.Storage == nil {
				return d, nil
			}
			return "", fmt.Errorf("%s %s: no such disk (have %s)", why, d, diskNames(disks))
		}
		if reason := c.inUse(x); reason != "" {
			return "", fmt.Errorf("%s %s is in use (%s); set disk_allow_in_use to install over it", why, d, reason)
		}
		return d, nil
	}
	if d, key, conflict := lookup(c.disks, keys); key != "" {
		if conflict != "" {
			return "", fmt.Errorf("disks: entries %s and %s both match", key, conflict)
		}
		return named(d, "disks["+key+"]")
	}
	if d := c.plan.Disk; d != "" {
		return named(d, "disk")
	}
	if len(disks) == 0 {
		return "", fmt.Errorf("no install disk: the inventory lists no disks; set disk or disks")
	}
	hints, what := c.rootDevice, "root_device"
	if h, key, conflict := lookupHints(c.rootDevices, keys); key != "" {
		if conflict != "" {
			return "", fmt.Errorf("root_devices: entries %s and %s both match", key, conflict)
		}
		hints, what = h, "root_devices["+key+"]"
	}
	if hints != nil {
		var busy []string
		for i := range disks {
			d := &disks[i]
			if !hints.Matches(d) {
				continue
			}
			if reason := c.inUse(d); reason != "" {
				busy = append(busy, d.Name+" ("+reason+")")
				continue
			}
			return "/dev/" + d.Name, nil
		}
		if len(busy) > 0 {
			return "", fmt.Errorf("%s %s: only disks in use match: %s; set disk_allow_in_use to install over them", what, hints, strings.Join(busy, ", "))
		}
		return "", fmt.Errorf("%s %s: no disk matches (have %s)", what, hints, diskNames(disks))
	}
	type cand struct {
		d     *inventory.Disk
		class int
	}
	var cands []cand
	var rejected []string
	for i := range disks {
		d := &disks[i]
		cl := diskClass(d)
		rank := -1
		for j, p := range c.prefer {
			if p == cl {
				rank = j
				break
			}
		}
		var why string
		switch {
		case d.ReadOnly:
			why = "read-only"
		case d.Removable && !c.plan.DiskAllowRemovable:
			why = "removable"
		case c.excluded[strings.ToLower(d.Transport)]:
			why = d.Transport
		case plan.Size(d.SizeBytes) < c.minSize:
			why = fmt.Sprintf("%s, below the %s floor", plan.Size(d.SizeBytes).Human(), c.minSize.Human())
		case rank < 0:
			why = cl + " not in disk_prefer"
		default:
			if r := c.inUse(d); r != "" {
				why = "in use: " + r
			}
		}
		if why != "" {
			rejected = append(rejected, d.Name+" ("+why+")")
			continue
		}
		cands = append(cands, cand{d, rank})
	}
	if len(cands) == 0 {
		return "", fmt.Errorf("no install disk: %s", strings.Join(rejected, ", "))
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.class != b.class {
			return a.class < b.class
		}
		if a.d.SizeBytes != b.d.SizeBytes {
			return a.d.SizeBytes < b.d.SizeBytes
		}
		return a.d.Name < b.d.Name
	})
	return "/dev/" + cands[0].d.Name, nil
}

// inUse says why a disk may not be installed to ("" when it may): what
// the agent found on it, or that it could not read it.
func (c *compiled) inUse(d *inventory.Disk) string {
	if c.plan.DiskAllowInUse {
		return ""
	}
	if d.InUse {
		return strings.Join(d.InUseReasons, ", ")
	}
	if d.SignatureError != "" {
		return "contents unknown: " + d.SignatureError
	}
	return ""
}

// lookupHints is lookup for root_devices (hints are not comparable: a
// conflict is two keys of one machine naming different entries).
func lookupHints(m map[string]plan.Hints, keys []string) (plan.Hints, string, string) {
	var v plan.Hints
	key, conflict := "", ""
	for _, k := range keys {
		x, ok := m[k]
		if !ok {
			continue
		}
		if key == "" {
			v, key = x, k
		} else if x.String() != v.String() {
			conflict = k
		}
	}
	return v, key, conflict
}

// diskClass is nvme, ssd or hdd.
func diskClass(d *inventory.Disk) string {
	switch {
	case d.Transport == "nvme" || strings.HasPrefix(d.Name, "nvme"):
		return classNVMe
	case !d.Rotational:
		return classSSD
	}
	return classHDD
}

func diskNames(disks []inventory.Disk) string {
	if len(disks) == 0 {
		return "no disks"
	}
	names := make([]string, len(disks))
	for i, d := range disks {
		names[i] = "/dev/" + d.Name
	}
	return strings.Join(names, ", ")
}
