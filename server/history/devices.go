package history

import (
	"strings"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/inventory/units"
)

// keyed pairs the items of two lists by a key and reports them in list
// order: the older list's items (common or removed), then the added ones.
func keyed[T any](older, newer []T, key func(T) string, added, removed func(T), common func(o, n T)) {
	// Items that share a key (two slots with one name) compare by the
	// last of each side.
	om := make(map[string]T, len(older))
	for _, x := range older {
		om[key(x)] = x
	}
	nm := make(map[string]T, len(newer))
	for _, x := range newer {
		nm[key(x)] = x
	}
	seen := make(map[string]bool, len(older))
	for _, x := range older {
		k := key(x)
		if seen[k] {
			continue
		}
		seen[k] = true
		if n, ok := nm[k]; ok {
			common(om[k], n)
		} else {
			removed(om[k])
		}
	}
	for _, n := range newer {
		k := key(n)
		if !seen[k] {
			seen[k] = true
			added(n)
		}
	}
}

func (d *differ) memory(o, n *inventory.Memory) {
	if o == nil {
		o = &inventory.Memory{}
	}
	if n == nil {
		n = &inventory.Memory{}
	}
	if o.TotalBytes != n.TotalBytes {
		d.addf("memory.total %s → %s", units.Bytes(o.TotalBytes), units.Bytes(n.TotalBytes))
	}
	if o.InstalledBytes != n.InstalledBytes {
		d.addf("memory.installed %s → %s", units.Bytes(o.InstalledBytes), units.Bytes(n.InstalledBytes))
	}
	keyed(populated(o.Modules), populated(n.Modules), dimmKey,
		func(m inventory.MemoryModule) { d.addf("dimm %s added (%s)", dimmKey(m), dimmText(m)) },
		func(m inventory.MemoryModule) { d.addf("dimm %s removed (%s)", dimmKey(m), dimmText(m)) },
		func(om, nm inventory.MemoryModule) {
			if om.Serial != nm.Serial || om.PartNumber != nm.PartNumber || om.SizeBytes != nm.SizeBytes {
				d.addf("dimm %s replaced (%s) → (%s)", dimmKey(om), dimmText(om), dimmText(nm))
				return
			}
			if om.ConfiguredSpeedMTs != nm.ConfiguredSpeedMTs {
				d.addf("dimm %s speed %d → %d MT/s", dimmKey(om), om.ConfiguredSpeedMTs, nm.ConfiguredSpeedMTs)
			}
		})
}

func populated(ms []inventory.MemoryModule) []inventory.MemoryModule {
	var out []inventory.MemoryModule
	for _, m := range ms {
		if m.Populated {
			out = append(out, m)
		}
	}
	return out
}

func dimmKey(m inventory.MemoryModule) string {
	if m.BankLocator != "" && !strings.Contains(m.Locator, m.BankLocator) {
		return m.Locator + "/" + m.BankLocator
	}
	return m.Locator
}

func dimmText(m inventory.MemoryModule) string {
	parts := []string{units.Bytes(m.SizeBytes)}
	if m.Manufacturer != "" {
		parts = append(parts, m.Manufacturer)
	}
	if m.PartNumber != "" {
		parts = append(parts, m.PartNumber)
	}
	s := strings.Join(parts, " ")
	if m.Serial != "" {
		s += ", serial " + m.Serial
	}
	return s
}

func (d *differ) storage(o, n *inventory.Storage) {
	if o == nil {
		o = &inventory.Storage{}
	}
	if n == nil {
		n = &inventory.Storage{}
	}
	keyed(o.Disks, n.Disks, diskKey,
		func(x inventory.Disk) { d.addf("disk %s added (%s)", x.Name, diskText(x)) },
		func(x inventory.Disk) { d.addf("disk %s removed (%s)", x.Name, diskText(x)) },
		func(ox, nx inventory.Disk) {
			if ox.Name != nx.Name {
				d.addf("disk %s renamed %s → %s", diskLabel(nx), ox.Name, nx.Name)
			}
			if ox.FirmwareRevision != nx.FirmwareRevision {
				d.addf("disk %s firmware %s → %s", diskLabel(nx), orNone(ox.FirmwareRevision), orNone(nx.FirmwareRevision))
			}
			if ox.SizeBytes != nx.SizeBytes {
				d.addf("disk %s size %s → %s", diskLabel(nx), units.DecimalBytes(ox.SizeBytes), units.DecimalBytes(nx.SizeBytes))
			}
		})
}

// diskKey identifies a disk by serial (it survives renames), else by name.
func diskKey(x inventory.Disk) string {
	if x.Serial != "" {
		return "serial:" + x.Serial
	}
	return "name:" + x.Name
}

func diskLabel(x inventory.Disk) string {
	if x.Serial != "" {
		return x.Name + " (" + x.Serial + ")"
	}
	return x.Name
}

func diskText(x inventory.Disk) string {
	parts := []string{units.DecimalBytes(x.SizeBytes)}
	if x.Model != "" {
		parts = append(parts, x.Model)
	}
	s := strings.Join(parts, " ")
	if x.Serial != "" {
		s += ", serial " + x.Serial
	}
	return s
}

func (d *differ) pci(o, n *inventory.PCI) {
	if o == nil {
		o = &inventory.PCI{}
	}
	if n == nil {
		n = &inventory.PCI{}
	}
	key := func(x inventory.PCIDevice) string { return x.Address }
	keyed(o.Devices, n.Devices, key,
		func(x inventory.PCIDevice) { d.addf("pci %s added (%s)", x.Address, pciText(x)) },
		func(x inventory.PCIDevice) { d.addf("pci %s removed (%s)", x.Address, pciText(x)) },
		func(ox, nx inventory.PCIDevice) {
			if ox.VendorID != nx.VendorID || ox.DeviceID != nx.DeviceID || ox.SubsystemVendorID != nx.SubsystemVendorID || ox.SubsystemDeviceID != nx.SubsystemDeviceID {
				d.addf("pci %s replaced (%s) → (%s)", ox.Address, pciText(ox), pciText(nx))
			}
		})
}

func pciText(x inventory.PCIDevice) string {
	s := x.VendorID + ":" + x.DeviceID
	if name := strings.TrimSpace(x.VendorName + " " + x.DeviceName); name != "" {
		s += " " + name
	}
	return s
}
