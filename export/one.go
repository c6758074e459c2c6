package export

import (
	"net/netip"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/inventory"
)

// One builds one machine outside a fleet export, as hwagent serve does at
// each registration. The plan applies as in an export (fixed addresses,
// hostnames, labels, BMC, disk and boot NIC choices) except for what only a
// fleet can give:
//
//   - pool addresses: a pool is handed out in export order across a fleet,
//     and a server sees one machine at a time: it keeps its own record of
//     who holds which address (Pool, and OneOptions.Address); without one,
//     a machine without an addresses entry gets no IP;
//   - role counts: each machine takes the first rule it matches;
//   - a BMC without credentials gets no Rufio Machine (a fleet export
//     refuses the machine).
//
// Reasons a fleet export would refuse the machine (no IP, no install disk,
// an invalid value) are returned as problems, and what is missing is left
// out of its objects; the error is only for a machine that cannot be
// named (no agent ID under names: discovery).
func (x *Exporter) One(inv *inventory.Inventory, o OneOptions) (*Machine, []string, error) {
	e := &entry{ref: source.Ref{Name: "machine"}}
	rend := newRenderer(x.c.hostname)
	x.fill(e, inv, rend, true)
	if l := o.Login; l != nil && e.row.BMCIP != "" && l.Username != "" && l.Password != "" {
		e.row.BMCUsername, e.row.BMCPassword = l.Username, l.Password
	}
	if a, key, conflict := plan.Lookup(x.c.addresses, e.keys); key != "" {
		if conflict != "" {
			e.fail("ip_address", "addresses: entries "+key+" and "+conflict+" both match")
		} else {
			e.ip = a.String()
		}
	} else if o.Address.IsValid() {
		e.ip = o.Address.String()
	}
	e.roles = newRoleAssigner(x.c.roles).assign(e.facts)
	if e.hostnameLater {
		x.renderInto(e, inv, rend)
	}
	row := x.finish(e)
	if e.ip == "" {
		// No address: the plan's netmask and gateway describe nothing.
		row.Netmask, row.Gateway = "", ""
		if !hasKey(x.c.addresses, e.keys) {
			e.fail("ip_address", "no ip address: the plan has no addresses entry for the machine and no pool")
		}
		e.bad["netmask"], e.bad["gateway"] = true, true
	}
	if row.BMCIP != "" && (row.BMCUsername == "" || row.BMCPassword == "") {
		// No Rufio Machine without a login: it could only fail.
		e.fail("bmc_ip", "BMC "+row.BMCIP+" has no credentials (bmc_credentials_file, HWAGENT_BMC_USERNAME/HWAGENT_BMC_PASSWORD): no Rufio Machine")
		e.bad["bmc_username"], e.bad["bmc_password"] = true, true
		row.BMCIP, row.BMCUsername, row.BMCPassword = "", "", ""
	}
	e.check(row)
	m := x.machine(e, row)
	if x.c.plan.Names == plan.NamesDiscovery && m.Name == "" {
		return nil, e.errs, &Error{Problems: []Problem{{Machine: e.name, Reasons: e.errs}}, Total: 1}
	}
	return m, e.errs, nil
}

// OneOptions are what One takes beside the inventory.
type OneOptions struct {
	// Login, when not nil, is the machine's BMC login in preference to the
	// plan's credentials (hwagent serve: the credentials the agent
	// provisioned and the server verified).
	Login *plan.MachineCredentials
	// Address is the pool address the caller handed the machine (see
	// Pool); a fixed address of the plan wins over it.
	Address netip.Addr
}

// Pool is the plan's address pool: Start to End, less Reserved (the
// gateway, the nameservers and every fixed address).
type Pool struct {
	Start, End netip.Addr
	Reserved   []netip.Addr
}

// Pool returns the plan's address pool; false when it has none.
func (x *Exporter) Pool() (Pool, bool) {
	c := x.c
	if !c.poolStart.IsValid() {
		return Pool{}, false
	}
	p := Pool{Start: c.poolStart, End: c.poolEnd}
	for _, s := range append([]string{c.gateway}, c.plan.Nameservers...) {
		if a, err := netip.ParseAddr(s); err == nil {
			p.Reserved = append(p.Reserved, a)
		}
	}
	for _, a := range c.addresses {
		p.Reserved = append(p.Reserved, a)
	}
	return p, true
}

// NeedsAddress reports whether the machine would take a pool address: the
// plan has a pool and no addresses entry for it.
func (x *Exporter) NeedsAddress(inv *inventory.Inventory) bool {
	if !x.c.poolStart.IsValid() {
		return false
	}
	return !hasKey(x.c.addresses, machineKeys(inv, machineID(inv)))
}

func hasKey[V any](m map[string]V, keys []string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}
