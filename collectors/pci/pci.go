package pci

import (
	"context"
	"errors"
	"io/fs"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/pci/pciids"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// Collector is the pci collector.
type Collector struct{}

// New returns the pci collector.
func New() collector.Collector { return Collector{} }

// Name implements collector.Collector.
func (Collector) Name() string { return "pci" }

// Collect implements collector.Collector. It is not applicable on a host
// without a PCI bus; a missing pci.ids only means no names.
func (Collector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	p := env.Paths
	var w collector.Warnings
	fns, err := readFunctions(p, &w)
	if errors.Is(err, errNoBus) {
		return nil, collector.NotApplicable("%v", err)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	section := &inventory.PCI{Devices: make([]inventory.PCIDevice, len(fns))}
	names, dbPath := lookupNames(p, env.Config.PCIIDsPath, env.Config.PCIIDsFallback, wantedIDs(fns), &w)
	section.IDsDatabase = dbPath
	for i, f := range fns {
		n := names[idOf(f.id)]
		f.dev.VendorName, f.dev.DeviceName, f.dev.SubsystemName = n.Vendor, n.Device, n.Subsystem
		section.Devices[i] = f.dev
	}
	return func(inv *inventory.Inventory) {
		inv.PCI = section
		joinNICNames(inv, section)
	}, w.Err()
}

// databasePaths are where distributions install pci.ids under /usr:
// hwdata (Fedora, RHEL, Arch, Alpine), then Debian's pci.ids package and
// its older location.
var databasePaths = [][]string{
	{"share", "hwdata", "pci.ids"},
	{"share", "misc", "pci.ids"},
	{"share", "pci.ids"},
}

// lookupNames looks the wanted IDs up in the configured pci.ids, or in
// the host's first, or in the agent's own (fallback), and returns the path
// to report. A configured file that cannot be read is a warning; the host
// having none is normal. configured "none" turns names off. The file is
// mapped, not copied (hostpaths.MapFile): Lookup copies out the names it
// keeps.
func lookupNames(p *hostpaths.Paths, configured string, fallback []string, wanted []pciids.ID, w *collector.Warnings) (map[pciids.ID]pciids.Names, string) {
	if configured == "none" {
		return nil, ""
	}
	// names is read only when MapFile succeeded: after a timeout, the
	// abandoned lookup may still write its own variable.
	lookup := func(path string) (map[pciids.ID]pciids.Names, error) {
		var names map[pciids.ID]pciids.Names
		if err := p.MapFile(path, func(data []byte) { names = pciids.Lookup(data, wanted) }); err != nil {
			return nil, err
		}
		return names, nil
	}
	if configured != "" {
		names, err := lookup(configured)
		if err == nil {
			return names, configured
		}
		w.Addf("configured pci.ids: %v", err)
	}
	for _, elem := range databasePaths {
		path := p.Usr(elem...)
		names, err := lookup(path)
		if err == nil {
			return names, p.HostPath(path)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			w.Addf("pci.ids: %v", err)
		}
	}
	for _, path := range fallback {
		if names, err := lookup(path); err == nil {
			return names, path + " (agent's own)"
		}
	}
	return nil, ""
}

func idOf(id Identity) pciids.ID {
	return pciids.ID{Vendor: id.Vendor, Device: id.Device, SubVendor: id.SubVendor, SubDevice: id.SubDevice}
}

func wantedIDs(fns []function) []pciids.ID {
	out := make([]pciids.ID, len(fns))
	for i, f := range fns {
		out[i] = idOf(f.id)
	}
	return out
}

// joinNICNames copies vendor and device names onto the network section's
// PCI references (the network collector knows addresses and IDs only).
func joinNICNames(inv *inventory.Inventory, section *inventory.PCI) {
	if inv.Network == nil {
		return
	}
	byAddr := make(map[string]*inventory.PCIDevice, len(section.Devices))
	for i := range section.Devices {
		byAddr[section.Devices[i].Address] = &section.Devices[i]
	}
	for i := range inv.Network.Interfaces {
		ref := inv.Network.Interfaces[i].PCI
		if ref == nil {
			continue
		}
		if d := byAddr[ref.Address]; d != nil {
			ref.VendorName, ref.DeviceName = d.VendorName, d.DeviceName
		}
	}
}
