package export

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// Exporter turns inventories into rows under one plan.
type Exporter struct {
	c     *compiled
	creds *Credentials
}

// New checks the plan; creds may be nil (no BMC credentials).
func New(p Plan, creds *Credentials) (*Exporter, error) {
	c, err := compile(p)
	if err != nil {
		return nil, err
	}
	return &Exporter{c: c, creds: creds}, nil
}

// Columns says which optional hardware.csv columns an export writes.
type Columns struct {
	// BMC: bmc_ip, bmc_username, bmc_password.
	BMC bool
	// VLAN: vlan_id.
	VLAN bool
}

// Machine is one machine ready to be written.
type Machine struct {
	Row *Row
	// Inventory is the machine's document; valid only during Writer.Write.
	Inventory *inventory.Inventory
	// Source names the document; ID is the hwagent machine ID; Serial is
	// the best serial (may be empty).
	Source string
	ID     string
	Serial string
}

// Writer receives an export's machines in export order.
type Writer interface {
	// Begin is called once before the first machine.
	Begin(cols Columns) error
	// Write is called for every machine while no machine has failed.
	Write(m *Machine) error
	// End is called once after the last machine, only when all succeeded.
	End() error
}

// Result summarizes a successful export.
type Result struct {
	// Machines is the number of machines written.
	Machines int
	// Warnings are things worth a look that did not stop the export
	// (a role rule that found fewer machines than its count).
	Warnings []string
}

// Problem is why one machine could not be exported.
type Problem struct {
	// Machine names the machine (source and serial or machine ID).
	Machine string
	Reasons []string
}

// Error is a failed export: every machine that could not be made valid,
// in export order, with every reason.
type Error struct {
	Problems []Problem
	// Total is the number of machines read.
	Total int
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d machines cannot be exported; nothing was written:", len(e.Problems), e.Total)
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s:", p.Machine)
		for _, r := range p.Reasons {
			fmt.Fprintf(&b, "\n    - %s", r)
		}
	}
	return b.String()
}

// Export reads every document twice, one at a time: a first pass collects
// small keys, machines are ordered (serial, then machine ID, then source
// name; machines without a serial after those with one), addresses and
// roles are assigned in that order, and a second pass builds, validates and
// hands each machine to w. When any machine fails, Export returns *Error
// listing all of them and w.End is not called: the caller must discard
// what w received.
func (x *Exporter) Export(ctx context.Context, refs []Ref, w Writer) (*Result, error) {
	entries := make([]*entry, 0, len(refs))
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		entries = append(entries, x.scan(ref))
	}
	sort.SliceStable(entries, func(i, j int) bool { return entryLess(entries[i], entries[j]) })
	for i, e := range entries {
		e.index = i
	}
	x.assignAddresses(entries)
	roles := newRoleAssigner(x.c.roles)
	for _, e := range entries {
		if e.loadOK {
			e.roles = roles.assign(e.facts)
		}
	}

	cols := Columns{VLAN: !x.c.plan.VLAN.IsZero()}
	if x.c.bmcMode == BMCRequired {
		cols.BMC = true
	} else if x.c.bmcMode == BMCAuto {
		for _, e := range entries {
			if e.bmcIP != "" {
				cols.BMC = true
				break
			}
		}
	}
	if err := w.Begin(cols); err != nil {
		return nil, err
	}

	u := newUniqueness(len(entries))
	failed := false
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !e.loadOK || len(e.errs) > 0 {
			failed = true
			if !e.loadOK {
				continue
			}
		}
		inv, err := e.ref.Load()
		if err != nil {
			e.errs = append(e.errs, err.Error())
			failed = true
			continue
		}
		row, probs := x.buildRow(e, inv)
		bad := e.bad
		if bad == nil {
			bad = map[string]bool{}
		}
		for _, p := range probs {
			bad[p.field] = true
			e.errs = append(e.errs, p.msg)
		}
		for _, p := range rowProblems(row) {
			if !bad[p.field] {
				bad[p.field] = true
				e.errs = append(e.errs, p.msg)
			}
		}
		u.check(e, row, bad)
		if len(e.errs) > 0 {
			failed = true
		}
		if failed {
			continue
		}
		m := &Machine{Row: row, Inventory: inv, Source: e.ref.Name, ID: e.id, Serial: e.serial}
		if err := w.Write(m); err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
	}

	var perr Error
	perr.Total = len(entries)
	for _, e := range entries {
		if len(e.errs) > 0 {
			perr.Problems = append(perr.Problems, Problem{Machine: e.name, Reasons: e.errs})
		}
	}
	if len(perr.Problems) > 0 {
		return nil, &perr
	}
	if err := w.End(); err != nil {
		return nil, err
	}
	return &Result{Machines: len(entries), Warnings: roles.shortfalls()}, nil
}

// scan is the first pass over one document.
func (x *Exporter) scan(ref Ref) *entry {
	e := &entry{ref: ref, name: ref.Name}
	inv, err := ref.Load()
	if err != nil {
		e.errs = append(e.errs, err.Error())
		return e
	}
	e.loadOK = true
	e.serial = bestSerial(inv)
	e.id = machineID(inv)
	e.keys = machineKeys(inv, e.id)
	e.facts = factsOf(inv, e.serial)
	e.name = label(ref.Name, e.serial, e.id)
	if x.c.bmcMode != BMCOmit {
		if ip, key, conflict := lookup(x.c.bmcAddresses, e.keys); key != "" {
			e.bmcIP = ip
			if conflict != "" {
				e.fail("bmc_ip", "bmc_addresses: entries "+key+" and "+conflict+" both match")
			}
		} else if lan := inv.BMC.PrimaryLAN(); lan != nil {
			e.bmcIP = lan.IPv4
		}
	}
	return e
}

// entryLess orders machines for export.
func entryLess(a, b *entry) bool {
	if (a.serial == "") != (b.serial == "") {
		return a.serial != ""
	}
	if a.serial != b.serial {
		return a.serial < b.serial
	}
	if a.id != b.id {
		return a.id < b.id
	}
	return a.ref.Name < b.ref.Name
}

// assignAddresses gives every machine its fixed address, then hands out the
// pool in export order, skipping the gateway, nameservers, fixed addresses
// and known BMC addresses.
func (x *Exporter) assignAddresses(entries []*entry) {
	c := x.c
	used := map[netip.Addr]bool{}
	mark := func(s string) {
		if a, err := netip.ParseAddr(s); err == nil {
			used[a] = true
		}
	}
	mark(c.gateway)
	for _, ns := range c.plan.Nameservers {
		mark(ns)
	}
	for _, a := range c.addresses {
		used[a] = true
	}
	var need []*entry
	for _, e := range entries {
		mark(e.bmcIP)
		if !e.loadOK {
			continue
		}
		a, key, conflict := lookup(c.addresses, e.keys)
		switch {
		case key != "" && conflict != "":
			e.fail("ip_address", "addresses: entries "+key+" and "+conflict+" both match")
		case key != "":
			e.ip = a.String()
		default:
			need = append(need, e)
		}
	}
	if len(need) == 0 {
		return
	}
	if !c.poolStart.IsValid() {
		for _, e := range need {
			e.fail("ip_address", "no ip address: set cidr or pool_start/pool_end, or an addresses entry")
		}
		return
	}
	next := c.poolStart
	free := func() (netip.Addr, bool) {
		for ; next.IsValid() && !c.poolEnd.Less(next); next = next.Next() {
			if !used[next] {
				a := next
				next = next.Next()
				return a, true
			}
		}
		return netip.Addr{}, false
	}
	assigned := 0
	for _, e := range need {
		a, ok := free()
		if !ok {
			e.fail("ip_address", fmt.Sprintf("address pool %s-%s is exhausted: %d machines need a pool address, %d were free", c.poolStart, c.poolEnd, len(need), assigned))
			continue
		}
		assigned++
		e.ip = a.String()
	}
}

// uniqueness checks that ip_address, mac, hostname and bmc_ip are each
// unique across rows, keeping one small key per value.
type uniqueness struct {
	seen [4]map[string]*entry
}

func newUniqueness(n int) *uniqueness {
	u := &uniqueness{}
	for i := range u.seen {
		u.seen[i] = make(map[string]*entry, n)
	}
	return u
}

var uniqueFields = [4]string{"ip_address", "mac", "hostname", "bmc_ip"}

func (u *uniqueness) check(e *entry, r *Row, bad map[string]bool) {
	for i, v := range [4]string{r.IPAddress, r.MAC, r.Hostname, r.BMCIP} {
		f := uniqueFields[i]
		if v == "" || bad[f] {
			continue
		}
		if first, ok := u.seen[i][v]; ok {
			e.errs = append(e.errs, fmt.Sprintf("duplicate %s %s: also %s", f, v, first.name))
			first.errs = append(first.errs, fmt.Sprintf("duplicate %s %s: also %s", f, v, e.name))
			continue
		}
		u.seen[i][v] = e
	}
}
