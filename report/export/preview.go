package export

import (
	"github.com/hwagent/hwagent/inventory"
)

// Preview builds one machine's row the way an export of that machine
// alone would (index 0, its fixed address or the pool's first free one),
// but never fails on an invalid row: it returns the row as far as it could
// be filled, the columns to print it with, and every reason it would be
// rejected. `hwagent dump -o csv` prints it for a quick look.
func (x *Exporter) Preview(inv *inventory.Inventory) (*Row, Columns, []string) {
	ref := Ref{Name: "this machine", Load: func() (*inventory.Inventory, error) { return inv, nil }}
	e := x.scan(ref)
	x.assignAddresses([]*entry{e})
	e.roles = newRoleAssigner(x.c.roles).assign(e.facts)
	cols := Columns{VLAN: !x.c.plan.VLAN.IsZero(), BMC: x.c.bmcMode == BMCRequired || x.c.bmcMode == BMCAuto && e.bmcIP != ""}
	row, probs := x.buildRow(e, inv)
	bad := e.bad
	if bad == nil {
		bad = map[string]bool{}
	}
	reasons := e.errs
	for _, p := range probs {
		bad[p.field] = true
		reasons = append(reasons, p.msg)
	}
	for _, p := range rowProblems(row) {
		if !bad[p.field] {
			bad[p.field] = true
			reasons = append(reasons, p.msg)
		}
	}
	return row, cols, reasons
}
