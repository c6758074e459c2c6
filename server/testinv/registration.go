package testinv

import "github.com/hwagent/hwagent/inventory"

// Registration is the registration `hwagent run` sends of inv: the
// Identity collectors' sections (host, system, the NICs without their
// neighbours and PCI names, the TPM's endorsement key), the other
// collectors listed as pending, no LLDP status (the Late collector has not
// run). inv is not changed.
func Registration(inv *inventory.Inventory) *inventory.Inventory {
	r := &inventory.Inventory{
		SchemaVersion: inv.SchemaVersion, CollectedAt: inv.CollectedAt, Agent: inv.Agent,
		Host: inv.Host, System: inv.System,
	}
	if inv.Network != nil {
		n := *inv.Network
		n.Interfaces = make([]inventory.NIC, len(inv.Network.Interfaces))
		for i, nic := range inv.Network.Interfaces {
			nic.Neighbors = nil
			if nic.PCI != nil {
				ref := *nic.PCI
				ref.VendorName, ref.DeviceName = "", ""
				nic.PCI = &ref
			}
			n.Interfaces[i] = nic
		}
		r.Network = &n
	}
	if inv.Firmware != nil && inv.Firmware.TPM != nil && inv.Firmware.TPM.EndorsementKey != nil {
		t := inv.Firmware.TPM
		r.Firmware = &inventory.Firmware{TPM: &inventory.TPM{Device: t.Device, Version: t.Version, EndorsementKey: t.EndorsementKey}}
	}
	for _, c := range inv.Collectors {
		switch c.Name {
		case "host", "system", "smbios", "network", "tpm":
		case "lldp":
			continue
		default:
			c = inventory.CollectorStatus{Name: c.Name, Status: inventory.StatusPending}
		}
		r.Collectors = append(r.Collectors, c)
	}
	r.Identity = inventory.DeriveIdentity(r)
	return r
}
