package export

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/export/disk"
	"github.com/hwagent/hwagent/inventory"
)

// Facts are what a Hardware carries of the inventory beyond the csv row.
type Facts struct {
	// ManufacturerSlug and PlanSlug are the product's manufacturer and name
	// as slugs (spec.metadata.manufacturer.slug, facility.plan_slug).
	ManufacturerSlug string
	PlanSlug         string
	// Resources are spec.resources (see FactsOf).
	Resources map[string]string
	// Tags are spec.metadata.instance.tags (see Tags).
	Tags []string
}

// FactsOf extracts the Facts of an inventory.
func FactsOf(inv *inventory.Inventory) *Facts {
	f := &Facts{Resources: resources(inv), Tags: Tags(inv)}
	if s := inv.System; s != nil {
		f.ManufacturerSlug = Slug(s.Product.Manufacturer)
		f.PlanSlug = Slug(s.Product.Name)
	}
	return f
}

// resources are Kubernetes-style quantities: cpu (logical CPUs) and memory
// (what the kernel sees). GPUs are not counted: an onboard VGA (BMC
// graphics) is a PCI display controller too; they are listed in tags.
func resources(inv *inventory.Inventory) map[string]string {
	res := map[string]string{}
	if inv.CPU != nil && inv.CPU.LogicalThreads > 0 {
		res["cpu"] = strconv.Itoa(inv.CPU.LogicalThreads)
	}
	if inv.Memory != nil && inv.Memory.TotalBytes > 0 {
		res["memory"] = quantity(inv.Memory.TotalBytes)
	}
	if len(res) == 0 {
		return nil
	}
	return res
}

// quantity renders bytes as a Kubernetes quantity, exact: "131072Mi",
// "16Gi", or plain bytes.
func quantity(b uint64) string {
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"Ti", 1 << 40}, {"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}} {
		if b%u.mult == 0 {
			return strconv.FormatUint(b/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatUint(b, 10)
}

// Slug lower-cases s and keeps letters and digits, other runs becoming
// one '-': "Thomas-Krenn.AG" → "thomas-krenn-ag". Placeholders give "".
func Slug(s string) string {
	if inventory.IsPlaceholder(s) {
		return ""
	}
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(strings.TrimSpace(s)) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Tags are the discovered facts as "key=value" strings, in a fixed order:
// identity, firmware, CPU, memory, each disk, each physical NIC with its
// LLDP neighbour, GPUs and the BMC.
func Tags(inv *inventory.Inventory) []string {
	var tags []string
	add := func(k, v string) {
		if v = strings.Join(strings.Fields(v), " "); v != "" {
			tags = append(tags, k+"="+v)
		}
	}
	keep := func(v string) string {
		if inventory.IsPlaceholder(v) {
			return ""
		}
		return v
	}
	add("hwagent.io/machine-id", machineID(inv))
	if s := inv.System; s != nil {
		add("manufacturer", keep(s.Product.Manufacturer))
		add("product", keep(s.Product.Name))
		add("serial", bestSerial(inv))
		add("uuid", inv.Identity.SystemUUID)
		add("bios", strings.TrimSpace(keep(s.BIOS.Vendor)+" "+keep(s.BIOS.Version)))
	}
	// The virtualization collector weighs every source (CPUID, the
	// paravirtual clock, SMBIOS, virtual PCI devices); SMBIOS's flag alone
	// is the fallback for documents collected before it.
	switch v := inv.Virtualization; {
	case v != nil && v.Type == inventory.VirtualizationVirtualMachine:
		add("virtual", firstNonEmpty(v.Hypervisor, "true"))
	case v == nil && inv.System != nil && inv.System.Virtual:
		add("virtual", firstNonEmpty(inv.System.Hypervisor, "true"))
	}
	if f := inv.Firmware; f != nil {
		add("boot-mode", f.BootMode)
	}
	if c := inv.CPU; c != nil {
		add("cpu", c.ModelName)
		if c.Packages > 0 {
			add("cpu-sockets", strconv.Itoa(c.Packages))
		}
		if c.PhysicalCores > 0 {
			add("cpu-cores", strconv.Itoa(c.PhysicalCores))
		}
		if c.LogicalThreads > 0 {
			add("cpu-threads", strconv.Itoa(c.LogicalThreads))
		}
	}
	if m := inv.Memory; m != nil {
		if m.TotalBytes > 0 {
			add("memory-bytes", strconv.FormatUint(m.TotalBytes, 10))
		}
		if m.InstalledBytes > 0 {
			add("memory-installed-bytes", strconv.FormatUint(m.InstalledBytes, 10))
		}
	}
	if st := inv.Storage; st != nil {
		for i := range st.Disks {
			d := &st.Disks[i]
			add("disk/"+d.Name, strings.Join(nonEmpty(disk.Class(d), d.Transport, strconv.FormatUint(d.SizeBytes, 10), d.Model), " "))
		}
	}
	if n := inv.Network; n != nil {
		for i := range n.Interfaces {
			nic := &n.Interfaces[i]
			if nic.Kind != inventory.NICPhysical {
				continue
			}
			speed := ""
			if nic.SpeedMbps > 0 {
				speed = strconv.FormatUint(uint64(nic.SpeedMbps), 10) + "Mbps"
			}
			add("nic/"+nic.Name, strings.Join(nonEmpty(nicMAC(nic), speed, nic.Driver), " "))
			for _, nb := range nic.Neighbors {
				v := strings.Join(nonEmpty(firstNonEmpty(nb.SystemName, nb.ChassisID), nb.PortID), " ")
				if nb.PortVLANID != 0 {
					v += fmt.Sprintf(" vlan %d", nb.PortVLANID)
				}
				add("switch/"+nic.Name, v)
			}
		}
	}
	if inv.PCI != nil {
		for _, d := range inv.PCI.Devices {
			if d.Category == inventory.PCICategoryGPU || d.Category == inventory.PCICategoryAccelerator {
				add(d.Category+"/"+d.Address, strings.Join(nonEmpty(d.VendorID+":"+d.DeviceID, d.VendorName, d.DeviceName), " "))
			}
		}
	}
	if b := inv.BMC; b != nil {
		add("bmc", strings.Join(nonEmpty(b.Manufacturer, b.FirmwareVersion), " "))
		if lan := b.PrimaryLAN(); lan != nil {
			add("bmc-mac", lan.MAC)
		}
	}
	return tags
}

func nonEmpty(vs ...string) []string {
	out := vs[:0]
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
