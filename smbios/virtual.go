package smbios

import (
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// Hypervisor names.
const (
	HypervisorQEMU       = "QEMU"
	HypervisorKVM        = "KVM"
	HypervisorVMware     = "VMware"
	HypervisorVirtualBox = "VirtualBox"
	HypervisorHyperV     = "Hyper-V"
	HypervisorXen        = "Xen"
	HypervisorParallels  = "Parallels"
	HypervisorBhyve      = "bhyve"
	HypervisorEC2        = "Amazon EC2"
	HypervisorGCE        = "Google Compute Engine"
)

// DetectVirtual decides whether the firmware describes a virtual machine and
// which hypervisor runs it. vmBit is the BIOS characteristic below; pass
// false when it is not known (a System read from /sys/class/dmi/id).
//
// The BIOS characteristic "System is a virtual machine" (type 0, extension
// byte 2, bit 4; SMBIOS 2.7+) is authoritative when set, but most
// hypervisors do not set it, so the vendor strings that hypervisors put in
// types 0 and 1 are recognised too.
//
// Amazon EC2: "Virtual" means the OS runs under a hypervisor. EC2 Nitro
// instances report manufacturer "Amazon EC2" both for VMs and for bare-metal
// instances; bare-metal instance types end in ".metal" (product name
// "m5.metal"), and those are physical machines, so they are not virtual.
// Every other "Amazon EC2" product is a VM with hypervisor "Amazon EC2".
// Older Xen-based instances say "Xen" and are reported as Xen.
func DetectVirtual(vmBit bool, s *inventory.System) (bool, string) {
	manufacturer := strings.ToLower(s.Product.Manufacturer)
	product := strings.ToLower(s.Product.Name)
	bios := strings.ToLower(s.BIOS.Vendor)
	hv := ""
	switch {
	case manufacturer == "amazon ec2":
		if strings.HasSuffix(product, ".metal") {
			return vmBit, ""
		}
		hv = HypervisorEC2
	case manufacturer == "qemu" || strings.HasPrefix(product, "qemu"):
		hv = HypervisorQEMU
	case strings.HasPrefix(manufacturer, "vmware") || strings.HasPrefix(product, "vmware"):
		hv = HypervisorVMware
	case manufacturer == "innotek gmbh" || product == "virtualbox":
		hv = HypervisorVirtualBox
	case strings.HasPrefix(manufacturer, "microsoft") && product == "virtual machine":
		hv = HypervisorHyperV
	case manufacturer == "xen" || bios == "xen":
		hv = HypervisorXen
	case strings.HasPrefix(manufacturer, "parallels") || strings.HasPrefix(product, "parallels"):
		hv = HypervisorParallels
	case manufacturer == "bhyve" || bios == "bhyve":
		hv = HypervisorBhyve
	case manufacturer == "google" && product == "google compute engine":
		hv = HypervisorGCE
	case product == "kvm" || strings.HasPrefix(product, "kvm "):
		hv = HypervisorKVM
	}
	if hv == "" && vmBit {
		return true, ""
	}
	return hv != "", hv
}
