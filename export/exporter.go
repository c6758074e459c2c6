package export

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/inventory"
)

// Exporter turns inventories into rows under one plan.
type Exporter struct {
	c     *compiled
	creds *plan.Credentials
	// stored are BMC logins an hwagent server holds, by Ref.Name.
	stored map[string]StoredLogin
}

// New checks the plan; creds may be nil (no BMC credentials).
func New(p plan.Plan, creds *plan.Credentials) (*Exporter, error) {
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
	// AgentID is the ID a tink-agent on the machine uses (Tinkerbell's
	// worker_id, else the provisioning MAC): the Hardware's spec.agentID.
	AgentID string
	// Name is the Hardware's name: the hostname, or with the plan's names:
	// discovery, DiscoveryName(AgentID).
	Name string
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
func (x *Exporter) Export(ctx context.Context, refs []source.Ref, w Writer) (*Result, error) {
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
	if x.c.bmcMode == plan.BMCRequired {
		cols.BMC = true
	} else if x.c.bmcMode == plan.BMCAuto {
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
		m := x.machine(e, row)
		if len(e.errs) > 0 {
			failed = true
		}
		if failed {
			continue
		}
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
	warnings := roles.shortfalls()
	warnings = append(warnings, x.fleetWarnings(entries, cols)...)
	return &Result{Machines: len(entries), Warnings: warnings}, nil
}

// maxNamed bounds how many machines one warning names.
const maxNamed = 10

// fleetWarnings are what an export should say about a fleet that is valid
// but probably not what the operator meant: machines that booted in legacy
// BIOS mode (EKS Anywhere provisions in UEFI mode and the export writes
// uefi: true, as for a hardware.csv row), and, under bmc: auto, machines
// left without BMC columns while others have them.
func (x *Exporter) fleetWarnings(entries []*entry, cols Columns) []string {
	var bios, noBMC, unverified []string
	for _, e := range entries {
		if e.biosBoot {
			bios = append(bios, e.name)
		}
		if e.unverifiedBMC != "" {
			unverified = append(unverified, e.name+": "+e.unverifiedBMC)
		}
		if x.c.bmcMode == plan.BMCAuto && cols.BMC && e.noBMC != "" {
			noBMC = append(noBMC, e.name+": "+e.noBMC)
		}
	}
	var out []string
	if len(bios) > 0 {
		out = append(out, fmt.Sprintf("%d of %d machines booted in legacy BIOS mode; EKS Anywhere provisions in UEFI mode (every hardware.csv row becomes uefi: true, and so does this export): switch their firmware to UEFI boot before provisioning: %s",
			len(bios), len(entries), nameList(bios)))
	}
	if len(unverified) > 0 {
		out = append(out, fmt.Sprintf("%d machines have BMC credentials on the server that are not verified; their rows carry the credentials file's login, if any (bmc: required refuses them): %s",
			len(unverified), nameList(unverified)))
	}
	if len(noBMC) > 0 {
		out = append(out, fmt.Sprintf("bmc auto: %d of %d machines have a BMC address, %d have none and get empty BMC columns (EKS Anywhere will not control their power; bmc: required refuses such a fleet): %s",
			len(entries)-len(noBMC), len(entries), len(noBMC), nameList(noBMC)))
	}
	return out
}

// nameList joins names, at most maxNamed of them.
func nameList(names []string) string {
	if len(names) <= maxNamed {
		return strings.Join(names, "; ")
	}
	return strings.Join(names[:maxNamed], "; ") + fmt.Sprintf("; and %d more", len(names)-maxNamed)
}

// machine is e ready to be written, named as the plan says; a name that
// cannot be made is one more reason in e.errs.
func (x *Exporter) machine(e *entry, row *Row) *Machine {
	m := &Machine{Row: row, Facts: e.tink, Source: e.ref.Name, ID: e.id, Serial: e.serial,
		AgentID: agentIDOf(e.workerID, row.MAC), Name: row.Hostname}
	if x.c.plan.Names == plan.NamesDiscovery {
		n, err := DiscoveryName(m.AgentID)
		if err != nil {
			e.fail("name", err.Error())
		}
		m.Name = n
	}
	return m
}

// Plan is the exporter's plan with its defaults filled in.
func (x *Exporter) Plan() plan.Plan { return x.c.plan }

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
