package export

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/inventory"
)

// entry is what an export keeps of one machine between reading its
// inventory and writing its row: the keys it is ordered and matched by, the
// row's fields that do not depend on the rest of the fleet, and (for
// Tinkerbell) the facts. A few hundred bytes to a couple of KiB; the
// inventory itself is dropped once the entry is built.
type entry struct {
	ref    source.Ref
	name   string // for messages: source and serial
	serial string
	id     string
	keys   []string
	facts  matchFacts
	loadOK bool

	// row holds MAC, Disk, BMC, VLAN, UEFI, Arch and, unless
	// hostnameLater, Hostname.
	row Row
	// hostnameLater: the template reads .IP or .Index, so the hostname is
	// rendered after addresses are assigned (reading the inventory again).
	hostnameLater bool
	// mac is the chosen boot MAC, which the template's mac and id see.
	mac      string
	workerID string // Tinkerbell's worker_id= the machine booted with
	tink     *Facts
	// biosBoot: the inventory says the machine booted in legacy BIOS mode.
	biosBoot bool
	// noBMC says why the machine has no BMC address (bmc auto or
	// required), "" when it has one.
	noBMC string
	// unverifiedBMC says why the server's stored BMC login was not used
	// (bmc auto), "" otherwise.
	unverifiedBMC string
	probs         []problem // what the row builder could not fill

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

// scan reads one document and builds its entry: the first (and usually
// only) look at the inventory.
func (x *Exporter) scan(ref source.Ref, ld *loader, rend *renderer, wantFacts bool) *entry {
	e := &entry{ref: ref, name: ref.Name}
	inv, err := ld.load(ref)
	if err != nil {
		e.errs = append(e.errs, err.Error())
		return e
	}
	x.fill(e, inv, rend, wantFacts)
	return e
}

// fill builds e from inv.
func (x *Exporter) fill(e *entry, inv *inventory.Inventory, rend *renderer, wantFacts bool) {
	c := x.c
	e.loadOK = true
	e.serial = bestSerial(inv)
	e.id = machineID(inv)
	e.keys = machineKeys(inv, e.id)
	e.facts = factsOf(inv, e.serial)
	e.name = label(e.ref.Name, e.serial, e.id)
	fail := func(field, msg string) { e.probs = append(e.probs, problem{field, msg}) }
	r := &e.row
	// EKS Anywhere writes uefi: true for every hardware.csv row; the YAML
	// says the same, and a machine that booted in legacy BIOS mode gets a
	// warning instead of a Hardware that disagrees with its CSV row.
	r.UEFI = true
	if inv.Host != nil {
		e.workerID = inv.Host.WorkerID
	}
	e.biosBoot = inv.Firmware != nil && inv.Firmware.BootMode == "bios"
	r.Arch = dhcpArch(inv)

	if pending := inv.Pending(); len(pending) > 0 {
		// A registration sent before these collectors finished; its agent
		// sends them right after (docs/protocol.md, "What a registration
		// carries"): refused rather than exported from half a machine.
		fail("collectors", fmt.Sprintf("the inventory is not complete yet: %s pending (the agent sends them right after registering; export again)", strings.Join(pending, ", ")))
	}
	nic, err := chooseBootNIC(c, inv, e.keys)
	if err != nil {
		fail("mac", err.Error())
	}
	r.MAC, e.mac = nic.mac, nic.mac
	if r.Disk, err = c.disk.Choose(inv, e.keys); err != nil {
		fail("disk", err.Error())
	}

	if h, key, conflict := plan.Lookup(c.hostnames, e.keys); key != "" {
		if conflict != "" {
			fail("hostname", "hostnames: entries "+key+" and "+conflict+" both match")
		}
		r.Hostname = h
	} else if c.hostnameLater {
		e.hostnameLater = true
	} else {
		x.renderInto(e, inv, rend)
	}

	if c.bmcMode != plan.BMCOmit {
		if ip, key, conflict := plan.Lookup(c.bmcAddresses, e.keys); key != "" {
			r.BMCIP = ip
			if conflict != "" {
				fail("bmc_ip", "bmc_addresses: entries "+key+" and "+conflict+" both match")
			}
		} else if lan := inv.BMC.PrimaryLAN(); lan != nil {
			r.BMCIP = lan.IPv4
		}
		if r.BMCIP != "" {
			login := x.creds.For(e.keys)
			r.BMCUsername, r.BMCPassword = login.Username, login.Password
			x.storedLogin(e, r)
		} else {
			e.noBMC = noBMCAddress(inv)
			if c.bmcMode == plan.BMCRequired {
				fail("bmc_ip", "bmc required but no BMC address is known: "+e.noBMC+"; set bmc_addresses")
			}
		}
	}

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
	if wantFacts {
		e.tink = FactsOf(inv)
	}
}

// renderInto renders the hostname template for e.
func (x *Exporter) renderInto(e *entry, inv *inventory.Inventory, rend *renderer) {
	id := e.serial
	if id == "" {
		id = strings.ReplaceAll(e.mac, ":", "")
	}
	h, err := rend.render(&TemplateData{Inventory: inv, Index: e.index, IP: e.ip, Serial: e.serial, MAC: e.mac, ID: id})
	if err != nil {
		e.probs = append(e.probs, problem{"hostname", err.Error()})
	}
	e.row.Hostname = h
}

// finish completes e's row with the fleet's assignments and the plan's
// network settings.
func (x *Exporter) finish(e *entry) *Row {
	c := x.c
	r := e.row
	r.IPAddress = e.ip
	r.Netmask = c.netmask
	r.Gateway = c.gateway
	r.Nameservers = c.plan.Nameservers
	r.KernelParams = c.plan.KernelParams
	if len(c.plan.Labels)+len(e.roles) > 0 {
		r.Labels = make(map[string]string, len(c.plan.Labels)+len(e.roles))
		for k, v := range c.plan.Labels {
			r.Labels[k] = v
		}
		for k, v := range e.roles {
			r.Labels[k] = v
		}
	}
	return &r
}

// check collects every reason e's row is invalid into e.errs, each column
// reported once.
func (e *entry) check(r *Row) {
	for _, p := range e.probs {
		if !e.bad[p.field] {
			e.fail(p.field, p.msg)
		}
	}
	for _, p := range rowProblems(r) {
		if !e.bad[p.field] {
			e.fail(p.field, p.msg)
		}
	}
}
