package history

import (
	"strings"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/inventory/units"
)

func (d *differ) network(o, n *inventory.Network) {
	if o == nil {
		o = &inventory.Network{}
	}
	if n == nil {
		n = &inventory.Network{}
	}
	keyed(physical(o.Interfaces), physical(n.Interfaces), nicKey,
		func(x inventory.NIC) { d.addf("nic %s added (%s)", nicLabel(x), nicText(x)) },
		func(x inventory.NIC) { d.addf("nic %s removed (%s)", nicLabel(x), nicText(x)) },
		func(ox, nx inventory.NIC) {
			label := nicLabel(nx)
			if ox.Name != nx.Name {
				d.addf("nic %s renamed %s → %s", label, ox.Name, nx.Name)
			}
			if ox.Driver != nx.Driver {
				d.addf("nic %s driver %s → %s", label, orNone(ox.Driver), orNone(nx.Driver))
			}
			if ox.FirmwareVersion != nx.FirmwareVersion {
				d.addf("nic %s firmware %s → %s", label, orNone(ox.FirmwareVersion), orNone(nx.FirmwareVersion))
			}
			if ox.SpeedMbps != nx.SpeedMbps {
				d.addf("nic %s speed %s → %s", label, speed(ox.SpeedMbps), speed(nx.SpeedMbps))
			}
			if on, nn := neighbours(ox), neighbours(nx); on != nn {
				d.addf("nic %s neighbour %s → %s", label, orNone(on), orNone(nn))
			}
		})
}

// physical returns the physical NICs: virtual ones come and go with the
// in-memory OS and are not hardware.
func physical(nics []inventory.NIC) []inventory.NIC {
	var out []inventory.NIC
	for _, x := range nics {
		if x.Kind == inventory.NICPhysical {
			out = append(out, x)
		}
	}
	return out
}

// nicKey identifies a NIC by its burned-in MAC, which survives renames.
func nicKey(x inventory.NIC) string {
	switch {
	case x.PermanentMAC != "":
		return "mac:" + strings.ToLower(x.PermanentMAC)
	case x.MAC != "":
		return "mac:" + strings.ToLower(x.MAC)
	}
	return "name:" + x.Name
}

func nicLabel(x inventory.NIC) string {
	mac := x.PermanentMAC
	if mac == "" {
		mac = x.MAC
	}
	if mac == "" {
		return x.Name
	}
	return x.Name + " (" + strings.ToLower(mac) + ")"
}

func nicText(x inventory.NIC) string {
	var parts []string
	if x.PCI != nil && x.PCI.DeviceName != "" {
		parts = append(parts, x.PCI.DeviceName)
	}
	if x.Driver != "" {
		parts = append(parts, x.Driver)
	}
	if x.FirmwareVersion != "" {
		parts = append(parts, "firmware "+x.FirmwareVersion)
	}
	if nb := neighbours(x); nb != "" {
		parts = append(parts, "neighbour "+nb)
	}
	if len(parts) == 0 {
		return x.Kind
	}
	return strings.Join(parts, ", ")
}

// neighbours renders a NIC's neighbours as "system port" joined with "; ".
func neighbours(x inventory.NIC) string {
	var parts []string
	for _, nb := range x.Neighbors {
		parts = append(parts, strings.TrimSpace(SwitchName(nb)+" "+SwitchPort(nb)))
	}
	return strings.Join(parts, "; ")
}

// SwitchName is how a neighbour is named in history and filters: its system
// name, else its chassis ID.
func SwitchName(nb inventory.Neighbor) string {
	if nb.SystemName != "" {
		return nb.SystemName
	}
	return nb.ChassisID
}

// SwitchPort is a neighbour's port: its port ID, else its port description.
func SwitchPort(nb inventory.Neighbor) string {
	if nb.PortID != "" {
		return nb.PortID
	}
	return nb.PortDescription
}

func speed(mbps uint32) string {
	if mbps == 0 {
		return "(down)"
	}
	return units.Speed(mbps)
}
