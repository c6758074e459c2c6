package network

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/cmdline"
	"github.com/hwagent/hwagent/inventory"
)

// Collector is the network collector.
type Collector struct{}

// New returns the network collector. It reads the interfaces from sysfs
// and joins what the host's Machine says about them (netlink addresses and
// permanent MACs, ethtool driver info): the kernel's on a live host, what
// the snapshot saved on a recording.
func New() collector.Collector { return Collector{} }

// Name implements collector.Collector.
func (Collector) Name() string { return "network" }

// Phase is Identity: the physical NICs' MACs are identity keys.
func (Collector) Phase() collector.Phase { return collector.Identity }

// Collect implements collector.Collector.
func (Collector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	p := env.Paths
	var w collector.Warnings
	ents, err := p.ReadDir(p.Sys("class", "net"))
	if err != nil {
		return nil, fmt.Errorf("list network interfaces in %s: %w", p.HostPath(p.Sys("class", "net")), unwrapPath(err))
	}
	r := reader{p: p, w: &w, vlans: readVLANs(p, &w)}

	links := linkIndex{}
	li, err := p.Machine().Network()
	if err != nil {
		w.Add(err)
	} else {
		defer li.Close()
		all, err := li.Links()
		w.Add(err)
		links = newLinkIndex(all)
	}

	nics := make([]inventory.NIC, 0, len(ents))
	bonds := map[string]map[string]net.HardwareAddr{} // /proc/net/bonding, read once per bond
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s := r.readNIC(e.Name())
		if s.loopback || e.Name() == "lo" {
			continue
		}
		if l := links.match(s.nic.Name, s.ifindex, s.mac); l != nil {
			addNetlink(&s.nic, l, links)
			addDriverInfo(&s.nic, li, &w)
		}
		nics = append(nics, s.nic)
	}
	// Bond slaves whose permanent address neither netlink nor sysfs gave:
	// ask the bond's /proc/net/bonding file (kernels before 3.13).
	for i := range nics {
		n := &nics[i]
		if n.PermanentMAC != "" || n.Master == "" || !isBond(nics, n.Master) {
			continue
		}
		perm, ok := bonds[n.Master]
		if !ok {
			perm = readBonding(p, n.Master, &w)
			bonds[n.Master] = perm
		}
		if mac := perm[n.Name]; mac != nil && !isZero(mac) {
			n.PermanentMAC = mac.String()
		}
	}

	section := &inventory.Network{Interfaces: nics}
	if line, err := p.ReadString(p.Proc("cmdline")); err == nil {
		if spec, ok := ParseBoot(cmdline.Parse(line)); ok {
			section.Boot = findBoot(spec, section.Interfaces)
		}
	} else if !hostpaths.Ignorable(err) {
		w.Add(err)
	}
	return func(inv *inventory.Inventory) { inv.Network = section }, w.Err()
}

// addNetlink fills what only netlink knows.
func addNetlink(n *inventory.NIC, l *hostpaths.NetLink, links linkIndex) {
	if len(l.PermMAC) > 0 && !isZero(l.PermMAC) {
		n.PermanentMAC = l.PermMAC.String()
	}
	n.Addresses = l.Addrs
	if l.VLANID > 0 && n.VLANID == 0 {
		n.VLANID = uint16(l.VLANID)
		if parent := links.byIndex[l.ParentIndex]; parent != nil {
			n.Parent = parent.Name
		}
	}
}

// addDriverInfo fills ethtool's driver info. Drivers without the ethtool
// operation (EOPNOTSUPP) leave it empty.
func addDriverInfo(n *inventory.NIC, li hostpaths.Network, w *collector.Warnings) {
	d, err := li.DriverInfo(n.Name)
	if err != nil {
		if !hostpaths.Ignorable(err) {
			w.Add(err)
		}
		return
	}
	if n.Driver == "" {
		n.Driver = d.Driver
	}
	n.DriverVersion = present(d.Version)
	n.FirmwareVersion = present(d.FirmwareVersion)
	n.BusInfo = present(d.BusInfo)
}

// present drops the "N/A" some drivers (bridge, tun) report for "none".
func present(s string) string {
	if s == "N/A" {
		return ""
	}
	return s
}

func isBond(nics []inventory.NIC, name string) bool {
	for _, n := range nics {
		if n.Name == name {
			return n.Kind == inventory.NICBond
		}
	}
	return false
}

// readVLANs reads /proc/net/vlan/config; nil when 8021q is not loaded.
func readVLANs(p *hostpaths.Paths, w *collector.Warnings) map[string]VLAN {
	b, err := p.ReadFile(p.Proc("net", "vlan", "config"))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.Add(err)
		}
		return nil
	}
	v, err := ParseVLANConfig(b)
	if err != nil {
		w.Add(err)
		return map[string]VLAN{}
	}
	return v
}

// readBonding reads /proc/net/bonding/BOND.
func readBonding(p *hostpaths.Paths, bond string, w *collector.Warnings) map[string]net.HardwareAddr {
	path := p.Proc("net", "bonding", bond)
	b, err := p.ReadFile(path)
	if err != nil {
		if !hostpaths.Ignorable(err) {
			w.Add(err)
		}
		return nil
	}
	perm, err := ParseBonding(b)
	if err != nil {
		w.Addf("%s: %v", p.HostPath(path), err)
	}
	return perm
}

// unwrapPath drops the *fs.PathError wrapper whose path is the agent's, not
// the host's, so messages name the host path once.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
