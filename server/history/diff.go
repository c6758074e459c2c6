package history

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// Diff returns the differences between an older and a newer inventory of the
// same machine, one human-readable line each ("bios.version 1.2 → 1.3",
// "dimm P1-DIMMA1 removed (32 GiB Samsung M393A4K40CB2-CTD, serial
// 35F1D2A1)", "nic eth0 (b4:96:91:aa:bb:01) neighbour leaf-1 Ethernet12 →
// leaf-2 Ethernet3"). Lines come in a fixed order: system, BIOS, BMC, CPU,
// memory, disks, NICs, PCI, firmware, host. Nil sections compare as empty.
// Fields that change on every collection (times, uptime) are ignored.
//
// A collector pending in either inventory (inventory.StatusPending: a
// registration sent before it finished) says nothing about its section
// there: that section is not compared, and one line names the collectors
// that reported since ("reported after the registration: cpu, memory")
// or have not yet ("not reported yet: cpu, memory").
func Diff(older, newer *inventory.Inventory) []string {
	if older == nil {
		older = &inventory.Inventory{}
	}
	if newer == nil {
		newer = &inventory.Inventory{}
	}
	skip := map[string]bool{}
	for _, n := range older.Pending() {
		skip[n] = true
	}
	for _, n := range newer.Pending() {
		skip[n] = true
	}
	d := &differ{}
	compare := func(collector string, f func()) {
		if !skip[collector] {
			f()
		}
	}
	compare("system", func() { d.system(older.System, newer.System) })
	compare("bmc", func() { d.bmc(older.BMC, newer.BMC) })
	compare("cpu", func() { d.cpu(older.CPU, newer.CPU) })
	compare("memory", func() { d.memory(older.Memory, newer.Memory) })
	compare("storage", func() { d.storage(older.Storage, newer.Storage) })
	compare("network", func() { d.network(older.Network, newer.Network) })
	compare("pci", func() { d.pci(older.PCI, newer.PCI) })
	// The tpm collector completes the firmware collector's section with
	// the endorsement key: either may be pending without the other.
	d.firmware(older.Firmware, newer.Firmware, !skip["firmware"], !skip["tpm"])
	compare("host", func() { d.host(older.Host, newer.Host) })
	if names := reported(older, newer); len(names) > 0 {
		d.addf("reported after the registration: %s", strings.Join(names, ", "))
	}
	if names := newer.Pending(); len(names) > 0 {
		d.addf("not reported yet: %s", strings.Join(names, ", "))
	}
	return d.lines
}

// reported lists the collectors pending in older that newer has a result
// of.
func reported(older, newer *inventory.Inventory) []string {
	var out []string
	for _, n := range older.Pending() {
		if c := newer.Collector(n); c != nil && c.Status != inventory.StatusPending {
			out = append(out, n)
		}
	}
	return out
}

// differ accumulates lines.
type differ struct {
	lines []string
}

func (d *differ) addf(format string, args ...any) {
	d.lines = append(d.lines, fmt.Sprintf(format, args...))
}

// field records "name old → new" when the values differ; an absent value
// reads "(none)".
func (d *differ) field(name, older, newer string) {
	if older == newer {
		return
	}
	d.addf("%s %s → %s", name, orNone(older), orNone(newer))
}

func (d *differ) intField(name string, older, newer int) {
	if older != newer {
		d.addf("%s %d → %d", name, older, newer)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func boolPtr(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}
