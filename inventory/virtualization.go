package inventory

// Virtualization types, in the words of LXD's resources API (what MAAS
// commissions with).
const (
	VirtualizationPhysical       = "physical"
	VirtualizationVirtualMachine = "virtual-machine"
)

// Virtualization says whether the machine is a virtual machine and under
// which hypervisor, and what every source the host offers said about it:
// CPUID (the hypervisor bit and the vendor signature of leaf 0x40000000),
// the kernel's paravirtual clock, /sys/hypervisor, the device tree, SMBIOS
// and known virtual PCI devices.
type Virtualization struct {
	// Type is "physical" or "virtual-machine".
	Type string `json:"type"`
	// Hypervisor names the hypervisor as systemd-detect-virt does ("kvm",
	// "qemu", "vmware", "microsoft", "oracle", "xen", "bochs", "parallels",
	// "bhyve", "qnx", "acrn", "powervm", "apple", "amazon", "google");
	// empty on a physical machine or when no source names it.
	Hypervisor string `json:"hypervisor,omitempty"`
	// Evidence lists what each source said, strongest first.
	Evidence []VirtualizationEvidence `json:"evidence,omitempty"`
}

// VirtualizationEvidence is what one source said.
type VirtualizationEvidence struct {
	// Source is "cpuid", "cpuinfo", "clocksource", "sys_hypervisor",
	// "device_tree", "smbios", "dmi_id" or "pci".
	Source string `json:"source"`
	// Virtual is true when the source says the machine is a virtual machine.
	Virtual bool `json:"virtual"`
	// Hypervisor is the hypervisor the source names, when it names one.
	Hypervisor string `json:"hypervisor,omitempty"`
	// Detail is what was read ("CPUID leaf 0x40000000 signature \"KVMKVMKVM\"").
	Detail string `json:"detail"`
}

// IsVirtual reports whether v says virtual machine.
func (v *Virtualization) IsVirtual() bool {
	return v != nil && v.Type == VirtualizationVirtualMachine
}
