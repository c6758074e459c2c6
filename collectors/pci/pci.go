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
	data, dbPath := readDatabase(p, env.Config.PCIIDsPath, env.Config.PCIIDsFallback, &w)
	var names map[pciids.ID]pciids.Names
	if data != nil {
		section.IDsDatabase = dbPath
		names = pciids.Lookup(data, wantedIDs(fns))
	}
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

// readDatabase returns the content of the configured pci.ids, or of the
// host's first, or of the agent's own (fallback), and the path to report. A
// configured file that cannot be read is a warning; the host having none is
// normal. configured "none" turns names off.
func readDatabase(p *hostpaths.Paths, configured string, fallback []string, w *collector.Warnings) ([]byte, string) {
	if configured == "none" {
		return nil, ""
	}
	if configured != "" {
		data, err := p.ReadFile(configured)
		if err == nil {
			return data, configured
		}
		w.Addf("configured pci.ids: %v", err)
	}
	for _, elem := range databasePaths {
		path := p.Usr(elem...)
		data, err := p.ReadFile(path)
		if err == nil {
			return data, p.HostPath(path)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			w.Addf("pci.ids: %v", err)
		}
	}
	for _, path := range fallback {
		if data, err := p.ReadFile(path); err == nil {
			return data, path + " (agent's own)"
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
