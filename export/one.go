//go:build !noserver

package export

import (
	"github.com/hwagent/hwagent/inventory"
)

// One builds one machine outside a fleet export, as hwagent serve does at
// each registration. The plan applies as in an export (fixed addresses,
// hostnames, labels, BMC, disk and boot NIC choices) except for what only a
// fleet can give:
//
//   - pool addresses: a pool is handed out in export order across a fleet,
//     and a server sees one machine at a time, so a machine without an
//     addresses entry gets no IP;
//   - role counts: each machine takes the first rule it matches;
//   - a BMC without credentials gets no Rufio Machine (a fleet export
//     refuses the machine).
//
// Reasons a fleet export would refuse the machine (no IP, no install disk,
// an invalid value) are returned as problems, and what is missing is left
// out of its objects; the error is only for a machine that cannot be
// named (no agent ID under names: discovery).
//
// login, when not nil, is the machine's BMC login in preference to the
// plan's credentials (hwagent serve: the credentials the agent provisioned
// and the server verified).
func (x *Exporter) One(inv *inventory.Inventory, login *MachineCredentials) (*Machine, []string, error) {
	e := &entry{ref: Ref{Name: "machine"}}
	rend := newRenderer(x.c.hostname)
	x.fill(e, inv, rend, true)
	if login != nil && e.row.BMCIP != "" && login.Username != "" && login.Password != "" {
		e.row.BMCUsername, e.row.BMCPassword = login.Username, login.Password
	}
	if a, key, conflict := lookup(x.c.addresses, e.keys); key != "" {
		if conflict != "" {
			e.fail("ip_address", "addresses: entries "+key+" and "+conflict+" both match")
		} else {
			e.ip = a.String()
		}
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
			e.fail("ip_address", "no ip address: a server gives only the plan's fixed addresses (addresses:), never pool addresses")
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
	if x.c.plan.Names == NamesDiscovery && m.Name == "" {
		return nil, e.errs, &Error{Problems: []Problem{{Machine: e.name, Reasons: e.errs}}, Total: 1}
	}
	return m, e.errs, nil
}

func hasKey[V any](m map[string]V, keys []string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}
