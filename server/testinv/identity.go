package testinv

import "github.com/hwagent/hwagent/inventory"

// AMIUUID is the UUID AMI's firmware template leaves on boards whose vendor
// did not program one (timmo001/system-bridge#3532: two Beelink mini-PCs).
const AMIUUID = "03000200-0400-0500-0006-000700080009"

// WithUUID gives inv the system UUID uuid (cloned firmware settings, a
// template UUID) and derives its identity again.
func WithUUID(inv *inventory.Inventory, uuid string) *inventory.Inventory {
	inv.System.Product.UUID = uuid
	inv.Identity = inventory.DeriveIdentity(inv)
	return inv
}

// WithNIC puts a NIC with MAC mac in port p (a NIC swap, or a NIC moved
// from another machine) and derives the identity again.
func WithNIC(inv *inventory.Inventory, p int, mac string) *inventory.Inventory {
	nic := &inv.Network.Interfaces[p]
	nic.MAC, nic.PermanentMAC = mac, mac
	if inv.Network.Boot != nil && inv.Network.Boot.Interface == nic.Name {
		inv.Network.Boot.MAC = mac
	}
	inv.Identity = inventory.DeriveIdentity(inv)
	return inv
}

// MAC is port p's MAC of machine i.
func MAC(i, p int) string { return mac(i, p) }
