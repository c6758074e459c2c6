package pci

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// function is one PCI function as read from sysfs.
type function struct {
	dev inventory.PCIDevice
	id  Identity
}

// errNoBus means the host has no /sys/bus/pci (s390x, some arm64 boards).
var errNoBus = errors.New("no PCI bus")

// readFunctions reads every function in /sys/bus/pci/devices, in address
// order. A function that cannot be identified is left out with a warning.
func readFunctions(p *hostpaths.Paths, w *collector.Warnings) ([]function, error) {
	bus := p.Sys("bus", "pci", "devices")
	ents, err := p.ReadDir(bus)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s not found", errNoBus, p.HostPath(bus))
	}
	if err != nil {
		return nil, fmt.Errorf("list PCI functions: %w", err)
	}
	out := make([]function, 0, len(ents))
	for _, e := range ents {
		if !IsAddress(e.Name()) {
			continue
		}
		f, err := readFunction(p, filepath.Join(bus, e.Name()))
		if err != nil {
			w.Addf("PCI function %s: %v", e.Name(), err)
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

// readFunction reads the function behind the bus entry at link.
func readFunction(p *hostpaths.Paths, link string) (function, error) {
	dir, err := ResolveLink(p, link)
	if err != nil {
		return function{}, err
	}
	id, err := ReadIdentity(p, dir)
	if err != nil {
		return function{}, err
	}
	className, subclassName := ClassNames(id.Class)
	d := inventory.PCIDevice{
		Address:      filepath.Base(link),
		Class:        fmt.Sprintf("%06x", id.Class),
		ClassName:    className,
		SubclassName: subclassName,
		Category:     Category(id.Vendor, id.Class),
		VendorID:     hex4(id.Vendor),
		DeviceID:     hex4(id.Device),
	}
	// A subsystem of 0000:0000 means the function has none (bridges
	// without the SSVID capability).
	if id.HasSubsystem && (id.SubVendor != 0 || id.SubDevice != 0) {
		d.SubsystemVendorID, d.SubsystemDeviceID = hex4(id.SubVendor), hex4(id.SubDevice)
	}
	if rev, err := readHex(p, dir, "revision", 0xff); err == nil {
		d.Revision = fmt.Sprintf("%02x", rev)
	}
	d.Driver = linkBase(p, filepath.Join(dir, "driver"))
	if n, err := p.ReadInt(filepath.Join(dir, "numa_node")); err == nil && n >= 0 && n <= 1<<20 {
		node := int(n)
		d.NUMANode = &node
	}
	if g, err := strconv.Atoi(linkBase(p, filepath.Join(dir, "iommu_group"))); err == nil && g >= 0 {
		d.IOMMUGroup = &g
	}
	return function{dev: d, id: id}, nil
}

// linkBase returns the last element of a symlink's target ("ixgbe" for
// driver -> ../../../bus/pci/drivers/ixgbe), or "" when there is no link.
func linkBase(p *hostpaths.Paths, path string) string {
	t, err := p.Readlink(path)
	if err != nil {
		return ""
	}
	return filepath.Base(strings.TrimRight(t, "/"))
}

// hex4 formats an ID as four lower-case hex digits.
func hex4(v uint16) string { return fmt.Sprintf("%04x", v) }
