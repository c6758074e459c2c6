package export

import (
	"strings"

	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/inventory"
)

// Row is one machine as hardware.csv carries it, plus what the Tinkerbell
// manifests need beyond it.
type Row struct {
	Hostname    string
	IPAddress   string
	Netmask     string
	Gateway     string
	Nameservers []string
	// MAC is the provisioning NIC's MAC, lower case.
	MAC string
	// Disk is the install disk ("/dev/nvme0n1").
	Disk   string
	Labels map[string]string
	// BMC fields are all set or all empty.
	BMCIP       string
	BMCUsername string
	BMCPassword secret.Value
	// VLANID is "" or a decimal VLAN ID.
	VLANID string

	// UEFI is the firmware boot mode (true when the inventory says nothing).
	UEFI bool
	// Arch is the DHCP architecture ("x86_64", "aarch64").
	Arch string
	// KernelParams are Hook's extra kernel parameters for this machine
	// (Tinkerbell only: netboot.osie.kernelParams).
	KernelParams []string
}

// LabelString renders labels as hardware.csv does: key=value pairs sorted
// by key, separated by '|'.
func (r *Row) LabelString() string {
	var b strings.Builder
	for i, k := range sortedKeys(r.Labels) {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(r.Labels[k])
	}
	return b.String()
}

// label names a machine in messages: its source and serial or machine ID.
func label(source, serial, id string) string {
	switch {
	case serial != "":
		return source + " (serial " + serial + ")"
	case id != "":
		return source + " (" + id + ")"
	}
	return source
}

// portVLAN is the first non-zero port VLAN ID a neighbour of n advertises.
func portVLAN(n *inventory.NIC) uint16 {
	if n == nil {
		return 0
	}
	for _, nb := range n.Neighbors {
		if nb.PortVLANID != 0 {
			return nb.PortVLANID
		}
	}
	return 0
}

// dhcpArch maps the host architecture to Tinkerbell's DHCP arch; x86_64,
// what EKS Anywhere always writes, when the inventory does not say.
func dhcpArch(inv *inventory.Inventory) string {
	if inv.Host != nil && inv.Host.Architecture == "arm64" {
		return "aarch64"
	}
	return "x86_64"
}
