package history

import (
	"fmt"
	"strconv"

	"github.com/hwagent/hwagent/inventory"
)

// Diff returns the differences between an older and a newer inventory of the
// same machine, one human-readable line each ("bios.version 1.2 → 1.3",
// "dimm P1-DIMMA1 removed (32 GiB Samsung M393A4K40CB2-CTD, serial
// 35F1D2A1)", "nic eth0 (b4:96:91:aa:bb:01) neighbour leaf-1 Ethernet12 →
// leaf-2 Ethernet3"). Lines come in a fixed order: system, BIOS, BMC, CPU,
// memory, disks, NICs, PCI, firmware, host. Nil sections compare as empty.
// Fields that change on every collection (times, uptime) are ignored.
func Diff(older, newer *inventory.Inventory) []string {
	if older == nil {
		older = &inventory.Inventory{}
	}
	if newer == nil {
		newer = &inventory.Inventory{}
	}
	d := &differ{}
	d.system(older.System, newer.System)
	d.bmc(older.BMC, newer.BMC)
	d.cpu(older.CPU, newer.CPU)
	d.memory(older.Memory, newer.Memory)
	d.storage(older.Storage, newer.Storage)
	d.network(older.Network, newer.Network)
	d.pci(older.PCI, newer.PCI)
	d.firmware(older.Firmware, newer.Firmware)
	d.host(older.Host, newer.Host)
	return d.lines
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
