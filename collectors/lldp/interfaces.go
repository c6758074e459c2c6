package lldp

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// arphrdEther is ARPHRD_ETHER, the type of Ethernet interfaces.
const arphrdEther = 1

// NIC is an interface the collector listens on.
type NIC struct {
	Name string
	// Kind is inventory.NICPhysical, or NICVirtual for an explicitly listed
	// virtual interface.
	Kind string
	// Driver is the kernel driver ("i40e"), from the device's driver link.
	Driver string
	// PCI is the PCI address of the device, when it is a PCI function.
	PCI string
}

// Interfaces returns the interfaces to listen on, sorted by name. With
// explicit names it returns exactly those that exist (virtual ones too:
// tests and labs use veth pairs). Otherwise it returns every physical
// Ethernet interface, that is one with a device behind it, bond members
// included, and leaves out loopback, bond masters, bridges, VLAN devices,
// wireless and every other virtual interface.
func Interfaces(p *hostpaths.Paths, explicit []string, w *collector.Warnings) ([]NIC, error) {
	var names []string
	if len(explicit) > 0 {
		for _, name := range explicit {
			if _, err := p.Stat(p.Sys("class", "net", name)); err != nil {
				w.Addf("interface %s: %v", name, err)
				continue
			}
			names = append(names, name)
		}
	} else {
		ents, err := p.ReadDir(p.Sys("class", "net"))
		if err != nil {
			return nil, fmt.Errorf("list network interfaces: %w", err)
		}
		for _, e := range ents {
			names = append(names, e.Name())
		}
	}
	var out []NIC
	for _, name := range names {
		nic, ok := inspect(p, name)
		if ok || len(explicit) > 0 {
			out = append(out, nic)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// inspect reads what the collector needs about one interface and whether
// it is physical Ethernet that LLDP should listen on.
func inspect(p *hostpaths.Paths, name string) (NIC, bool) {
	dir := p.Sys("class", "net", name)
	nic := NIC{Name: name, Kind: inventory.NICVirtual}
	if target, err := p.Readlink(filepath.Join(dir, "device", "driver")); err == nil {
		nic.Driver = filepath.Base(target)
	}
	if target, err := p.Readlink(filepath.Join(dir, "device")); err == nil {
		nic.Kind = inventory.NICPhysical
		if base := filepath.Base(target); isPCIAddress(base) {
			nic.PCI = base
		}
	}
	if t, err := p.ReadUint(filepath.Join(dir, "type")); err != nil || t != arphrdEther {
		return nic, false
	}
	uevent, _ := p.ReadString(filepath.Join(dir, "uevent"))
	for _, line := range strings.Split(uevent, "\n") {
		if dt, ok := strings.CutPrefix(line, "DEVTYPE="); ok && dt != "" {
			return nic, false // bond, bridge, vlan, wlan, wwan, macsec...
		}
	}
	for _, sub := range []string{"bonding", "bridge"} {
		if fi, err := p.Stat(filepath.Join(dir, sub)); err == nil && fi.IsDir() {
			return nic, false
		}
	}
	if p.Exists(p.Proc("net", "vlan", name)) {
		return nic, false
	}
	return nic, nic.Kind == inventory.NICPhysical
}

// isPCIAddress reports whether s looks like "0000:3b:00.0".
func isPCIAddress(s string) bool {
	return len(s) == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.'
}

// linkState is an interface's carrier and administrative state.
type linkState struct {
	carrier, adminUp bool
}

// readLinkState reads /sys/class/net/NAME/{carrier,flags}. Reading carrier
// fails with EINVAL while the interface is down: no carrier.
func readLinkState(p *hostpaths.Paths, name string) linkState {
	dir := p.Sys("class", "net", name)
	var s linkState
	if c, err := p.ReadString(filepath.Join(dir, "carrier")); err == nil {
		s.carrier = c == "1"
	}
	if f, err := p.ReadString(filepath.Join(dir, "flags")); err == nil {
		if v, err := strconv.ParseUint(strings.TrimPrefix(f, "0x"), 16, 32); err == nil {
			s.adminUp = v&1 != 0 // IFF_UP
		}
	}
	return s
}
