package history

import "github.com/hwagent/hwagent/inventory"

func (d *differ) system(o, n *inventory.System) {
	if o == nil {
		o = &inventory.System{}
	}
	if n == nil {
		n = &inventory.System{}
	}
	d.field("system.manufacturer", o.Product.Manufacturer, n.Product.Manufacturer)
	d.field("system.product", o.Product.Name, n.Product.Name)
	d.field("system.serial", o.Product.Serial, n.Product.Serial)
	d.field("system.uuid", o.Product.UUID, n.Product.UUID)
	d.field("system.sku", o.Product.SKU, n.Product.SKU)
	ob, nb := o.Baseboard, n.Baseboard
	if ob == nil {
		ob = &inventory.Baseboard{}
	}
	if nb == nil {
		nb = &inventory.Baseboard{}
	}
	d.field("baseboard.product", ob.Product, nb.Product)
	d.field("baseboard.version", ob.Version, nb.Version)
	d.field("baseboard.serial", ob.Serial, nb.Serial)
	oc, nc := o.Chassis, n.Chassis
	if oc == nil {
		oc = &inventory.Chassis{}
	}
	if nc == nil {
		nc = &inventory.Chassis{}
	}
	d.field("chassis.serial", oc.Serial, nc.Serial)
	d.field("chassis.asset_tag", oc.AssetTag, nc.AssetTag)
	d.field("bios.vendor", o.BIOS.Vendor, n.BIOS.Vendor)
	d.field("bios.version", o.BIOS.Version, n.BIOS.Version)
	d.field("bios.release_date", o.BIOS.ReleaseDate, n.BIOS.ReleaseDate)
}

func (d *differ) bmc(o, n *inventory.BMC) {
	switch {
	case o == nil && n == nil:
		return
	case o == nil:
		d.addf("bmc appeared (firmware %s)", orNone(n.FirmwareVersion))
		return
	case n == nil:
		d.addf("bmc gone (firmware %s)", orNone(o.FirmwareVersion))
		return
	}
	d.field("bmc.firmware", o.FirmwareVersion, n.FirmwareVersion)
	d.field("bmc.manufacturer", o.Manufacturer, n.Manufacturer)
	ol, nl := o.PrimaryLAN(), n.PrimaryLAN()
	if ol == nil {
		ol = &inventory.BMCLANChannel{}
	}
	if nl == nil {
		nl = &inventory.BMCLANChannel{}
	}
	d.field("bmc.ipv4", ol.IPv4, nl.IPv4)
	d.field("bmc.mac", ol.MAC, nl.MAC)
	if ol.VLANID != nl.VLANID {
		d.intField("bmc.vlan", int(ol.VLANID), int(nl.VLANID))
	}
}

func (d *differ) cpu(o, n *inventory.CPU) {
	if o == nil {
		o = &inventory.CPU{}
	}
	if n == nil {
		n = &inventory.CPU{}
	}
	d.field("cpu.model", o.ModelName, n.ModelName)
	d.intField("cpu.packages", o.Packages, n.Packages)
	d.intField("cpu.cores", o.PhysicalCores, n.PhysicalCores)
	d.intField("cpu.threads", o.LogicalThreads, n.LogicalThreads)
	d.field("cpu.microcode", o.Microcode, n.Microcode)
}

// firmware compares the firmware section: the firmware collector's part
// when fw, the tpm collector's endorsement key when ek.
func (d *differ) firmware(o, n *inventory.Firmware, fw, ek bool) {
	if o == nil {
		o = &inventory.Firmware{}
	}
	if n == nil {
		n = &inventory.Firmware{}
	}
	if fw {
		d.field("firmware.boot_mode", o.BootMode, n.BootMode)
		d.field("firmware.secure_boot", boolPtr(o.SecureBoot), boolPtr(n.SecureBoot))
	}
	ot, nt := o.TPM, n.TPM
	switch {
	case ot == nil && nt == nil:
	case !fw:
		// Only the keys: what the firmware collector says of the TPM
		// is unknown on one side.
	case ot == nil:
		d.addf("tpm %s appeared", orNone(nt.Version))
		return
	case nt == nil:
		d.addf("tpm %s gone", orNone(ot.Version))
		return
	default:
		d.field("tpm.version", ot.Version, nt.Version)
		d.field("tpm.firmware", ot.FirmwareVersion, nt.FirmwareVersion)
	}
	if ek {
		var oe, ne *inventory.TPMEndorsementKey
		if ot != nil {
			oe = ot.EndorsementKey
		}
		if nt != nil {
			ne = nt.EndorsementKey
		}
		if fw && (ot == nil || nt == nil) {
			return // appeared or gone, said above
		}
		d.field("tpm.endorsement_key", ekText(oe), ekText(ne))
		d.field("tpm.ek_certificate_issuer", ekIssuer(oe), ekIssuer(ne))
	}
}

// ekText names an endorsement key in a history line; "" when not read.
func ekText(ek *inventory.TPMEndorsementKey) string {
	if ek == nil {
		return ""
	}
	return ek.Algorithm + " sha256:" + ek.PublicKeySHA256
}

func ekIssuer(ek *inventory.TPMEndorsementKey) string {
	if ek == nil {
		return ""
	}
	return ek.CertificateIssuer
}

func (d *differ) host(o, n *inventory.Host) {
	if o == nil {
		o = &inventory.Host{}
	}
	if n == nil {
		n = &inventory.Host{}
	}
	d.field("host.kernel_release", o.KernelRelease, n.KernelRelease)
	d.field("host.os", o.OS, n.OS)
}
