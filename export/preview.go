package export

import (
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/inventory"
)

// Preview builds one machine's row the way an export of that machine
// alone would (index 0, its fixed address or the pool's first free one),
// but never fails on an invalid row: it returns the row as far as it could
// be filled, the columns to print it with, and every reason it would be
// rejected. `hwagent dump -o csv` prints it for a quick look.
func (x *Exporter) Preview(inv *inventory.Inventory) (*Row, Columns, []string) {
	e := &entry{ref: source.Ref{Name: "this machine"}}
	rend := newRenderer(x.c.hostname)
	x.fill(e, inv, rend, false)
	x.assignAddresses([]*entry{e})
	e.roles = newRoleAssigner(x.c.roles).assign(e.facts)
	if e.hostnameLater {
		x.renderInto(e, inv, rend)
	}
	cols := Columns{VLAN: !x.c.plan.VLAN.IsZero(), BMC: x.c.bmcMode == plan.BMCRequired || x.c.bmcMode == plan.BMCAuto && e.row.BMCIP != ""}
	row := x.finish(e)
	e.check(row)
	return row, cols, e.errs
}
