package export

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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
	// Facts are the discovered facts, for writers that implement
	// FactsWriter; nil otherwise.
	Facts *Facts
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

// FactsWriter is a Writer that wants Machine.Facts.
type FactsWriter interface {
	Writer
	WantsFacts() bool
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

// Export reads every document once, one at a time per CPU, keeping a
// small entry per machine (see entry); orders the machines (by serial, then
// machine ID, then source name; machines without a serial after those with
// one); assigns addresses and roles in that order; and then completes,
// validates and hands each machine to w in that order. A hostname template
// that reads .IP or .Index makes it read each document a second time. When
// any machine fails, Export returns *Error listing all of them and w.End is
// not called: the caller must discard what w received.
func (x *Exporter) Export(ctx context.Context, refs []Ref, w Writer) (*Result, error) {
	fw, ok := w.(FactsWriter)
	wantFacts := ok && fw.WantsFacts()
	entries, err := x.scanAll(ctx, refs, wantFacts)
	if err != nil {
		return nil, err
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
			if e.row.BMCIP != "" {
				cols.BMC = true
				break
			}
		}
	}
	if err := w.Begin(cols); err != nil {
		return nil, err
	}

	rend := newRenderer(x.c.hostname)
	var again func(i int) (*inventory.Inventory, error)
	if x.c.hostnameLater {
		var stop func()
		again, stop = x.prefetch(entries)
		defer stop()
	}
	u := newUniqueness(len(entries))
	failed := false
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var inv *inventory.Inventory
		var err error
		if again != nil {
			inv, err = again(i) // for every entry, in order
		}
		if !e.loadOK {
			failed = true
			continue
		}
		if e.hostnameLater {
			if err != nil {
				e.errs = append(e.errs, err.Error())
				failed = true
				continue
			}
			x.renderInto(e, inv, rend)
		}
		row := x.finish(e)
		e.check(row)
		u.check(e, row)
		if len(e.errs) > 0 {
			failed = true
		}
		if failed {
			continue
		}
		m := &Machine{Row: row, Facts: e.tink, Source: e.ref.Name, ID: e.id, Serial: e.serial}
		if err := w.Write(m); err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		e.tink = nil
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

// prefetch reads the documents of entries that need a second read, in
// order, GOMAXPROCS at a time and at most 2×GOMAXPROCS ahead of the
// caller: again(i) waits for entry i's document (nil for entries that need
// none) and must be called for every i in order; stop ends the readers.
func (x *Exporter) prefetch(entries []*entry) (again func(i int) (*inventory.Inventory, error), stop func()) {
	type loaded struct {
		inv *inventory.Inventory
		err error
	}
	workers := runtime.GOMAXPROCS(0)
	window := make(chan struct{}, 2*workers)
	done := make(chan struct{})
	slots := make([]chan loaded, len(entries))
	for i := range slots {
		slots[i] = make(chan loaded, 1)
	}
	var next atomic.Int64
	for range workers {
		go func() {
			ld := &loader{lean: x.c.lean}
			for {
				select {
				case window <- struct{}{}:
				case <-done:
					return
				}
				i := int(next.Add(1) - 1)
				if i >= len(entries) {
					return
				}
				var l loaded
				if e := entries[i]; e.loadOK && e.hostnameLater {
					l.inv, l.err = ld.load(e.ref)
				}
				slots[i] <- l
			}
		}()
	}
	again = func(i int) (*inventory.Inventory, error) {
		l := <-slots[i]
		slots[i] = nil
		<-window
		return l.inv, l.err
	}
	return again, func() { close(done) }
}

// scanAll builds every entry, GOMAXPROCS documents at a time; entries come
// back in refs' order.
func (x *Exporter) scanAll(ctx context.Context, refs []Ref, wantFacts bool) ([]*entry, error) {
	entries := make([]*entry, len(refs))
	workers := min(runtime.GOMAXPROCS(0), len(refs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rend := newRenderer(x.c.hostname)
			ld := &loader{lean: x.c.lean}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(refs) || ctx.Err() != nil {
					return
				}
				entries[i] = x.scan(refs[i], ld, rend, wantFacts)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return entries, nil
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
		mark(e.row.BMCIP)
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

func (u *uniqueness) check(e *entry, r *Row) {
	for i, v := range [4]string{r.IPAddress, r.MAC, r.Hostname, r.BMCIP} {
		f := uniqueFields[i]
		if v == "" || e.bad[f] {
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
