package store

import (
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/history"
)

// Summary holds the inventory facts kept in columns for listings and filters.
type Summary struct {
	Manufacturer, Product, Serial string
	// BMCIP is the first configured BMC LAN channel's IPv4 address.
	BMCIP string
	// Hostname, WorkerID and HWAddr from the host section.
	Hostname, WorkerID, HWAddr string
	// Neighbours are the LLDP/CDP neighbours of every NIC.
	Neighbours []Neighbour
}

// Neighbour is one switch port a NIC is cabled to.
type Neighbour struct {
	Interface string
	// Switch is the neighbour's system name (else chassis ID), ChassisID its
	// chassis ID, Port its port ID (else description).
	Switch, ChassisID, Port string
}

// Text renders the neighbour as the listings show it: "leaf-1 Ethernet12".
func (n Neighbour) Text() string {
	if n.Port == "" {
		return n.Switch
	}
	return n.Switch + " " + n.Port
}

// Summarize extracts the summary of an inventory.
func Summarize(inv *inventory.Inventory) Summary {
	var s Summary
	if inv == nil {
		return s
	}
	if sys := inv.System; sys != nil {
		s.Manufacturer = sys.Product.Manufacturer
		s.Product = sys.Product.Name
		s.Serial = sys.Product.Serial
	}
	if lan := inv.BMC.PrimaryLAN(); lan != nil {
		s.BMCIP = lan.IPv4
	}
	if h := inv.Host; h != nil {
		s.Hostname, s.WorkerID, s.HWAddr = h.Hostname, h.WorkerID, h.HWAddr
	}
	if n := inv.Network; n != nil {
		for _, nic := range n.Interfaces {
			for _, nb := range nic.Neighbors {
				s.Neighbours = append(s.Neighbours, Neighbour{
					Interface: nic.Name,
					Switch:    history.SwitchName(nb),
					ChassisID: nb.ChassisID,
					Port:      history.SwitchPort(nb),
				})
			}
		}
	}
	return s
}

// columnText applies ColumnText to every field.
func (s *Summary) columnText() {
	for _, f := range []*string{&s.Manufacturer, &s.Product, &s.Serial, &s.BMCIP, &s.Hostname, &s.WorkerID, &s.HWAddr} {
		*f = ColumnText(*f)
	}
	for i := range s.Neighbours {
		n := &s.Neighbours[i]
		n.Interface, n.Switch, n.ChassisID, n.Port = ColumnText(n.Interface), ColumnText(n.Switch), ColumnText(n.ChassisID), ColumnText(n.Port)
	}
}
