package export

import (
	"strconv"
	"strings"

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
	BMCPassword Secret
	// VLANID is "" or a decimal VLAN ID.
	VLANID string

	// UEFI is the firmware boot mode (true when the inventory says nothing).
	UEFI bool
	// Arch is the DHCP architecture ("x86_64", "aarch64").
	Arch string
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

// entry is what the first pass keeps of one machine: small keys only.
type entry struct {
	ref    Ref
	name   string // for messages: source and serial
	serial string
	id     string
	keys   []string
	facts  matchFacts
	bmcIP  string // known BMC address (override or in-band), for the header and the pool
	loadOK bool

	// Assigned after sorting.
	index int
	ip    string
	roles map[string]string
	errs  []string
	bad   map[string]bool // columns that already have a reason in errs
}

// fail records a reason concerning one column.
func (e *entry) fail(field, msg string) {
	if e.bad == nil {
		e.bad = map[string]bool{}
	}
	e.bad[field] = true
	e.errs = append(e.errs, msg)
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

// buildRow makes the row of one machine from its inventory and the
// assignments of the first pass. Problems the row cannot get past are
// returned as reasons; rows are then validated as a whole by rowProblems.
func (x *Exporter) buildRow(e *entry, inv *inventory.Inventory) (*Row, []problem) {
	c := x.c
	var errs []problem
	fail := func(field, msg string) { errs = append(errs, problem{field, msg}) }
	r := &Row{
		IPAddress:   e.ip,
		Netmask:     c.netmask,
		Gateway:     c.gateway,
		Nameservers: c.plan.Nameservers,
		UEFI:        inv.Firmware == nil || inv.Firmware.BootMode != "bios",
		Arch:        dhcpArch(inv),
	}
	nic, err := chooseBootNIC(c, inv, e.keys)
	if err != nil {
		fail("mac", err.Error())
	}
	r.MAC = nic.mac
	if r.Disk, err = chooseDisk(c, inv, e.keys); err != nil {
		fail("disk", err.Error())
	}

	// Labels: the plan's, then the role's.
	if len(c.plan.Labels)+len(e.roles) > 0 {
		r.Labels = make(map[string]string, len(c.plan.Labels)+len(e.roles))
		for k, v := range c.plan.Labels {
			r.Labels[k] = v
		}
		for k, v := range e.roles {
			r.Labels[k] = v
		}
	}

	// Hostname: the plan's map, else the template.
	if h, key, conflict := lookup(c.hostnames, e.keys); key != "" {
		if conflict != "" {
			fail("hostname", "hostnames: entries "+key+" and "+conflict+" both match")
		}
		r.Hostname = h
	} else {
		d := c.tmplData
		*d = TemplateData{Inventory: inv, Index: e.index, IP: e.ip, Serial: e.serial, MAC: nic.mac, ID: e.serial}
		if d.ID == "" {
			d.ID = strings.ReplaceAll(nic.mac, ":", "")
		}
		h, err := renderHostname(c.hostname, d)
		*d = TemplateData{}
		if err != nil {
			fail("hostname", err.Error())
		}
		r.Hostname = h
	}

	// BMC.
	if c.bmcMode != BMCOmit {
		if e.bmcIP != "" {
			login := x.creds.For(e.keys)
			r.BMCIP, r.BMCUsername, r.BMCPassword = e.bmcIP, login.Username, login.Password
		} else if c.bmcMode == BMCRequired {
			fail("bmc_ip", "bmc required but no BMC address is known (the BMC reported no configured LAN channel; set bmc_addresses)")
		}
	}

	// VLAN.
	switch {
	case c.plan.VLAN.FromLLDP:
		if v := portVLAN(nic.nic); v != 0 {
			r.VLANID = strconv.Itoa(int(v))
		} else {
			where := "the boot NIC"
			if nic.nic != nil {
				where = nic.nic.Name
			}
			fail("vlan_id", "vlan from lldp: no LLDP/CDP port VLAN heard on "+where)
		}
	case c.plan.VLAN.ID != 0:
		r.VLANID = strconv.Itoa(c.plan.VLAN.ID)
	}
	return r, errs
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
