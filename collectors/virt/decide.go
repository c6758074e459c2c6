package virt

import (
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// firstRank are the firmware names systemd trusts over CPUID: these
// clouds and desktop hypervisors run on KVM (or cloak as Hyper-V) and say
// who they are only in SMBIOS.
var firstRank = map[string]bool{"oracle": true, "amazon": true, "parallels": true, "google": true}

// Decide weighs the evidence as systemd-detect-virt does (src/basic/virt.c
// detect_vm): the firmware's name when it is VirtualBox, Amazon, Parallels
// or Google, or Xen from /sys/hypervisor; else the CPUID signature; else
// the firmware's other names; else the device tree, the clocksource and
// PCI. The machine is a virtual machine when any decisive source says so
// (every source but a lone virtio PCI function); Xen's dom0 is the host,
// not a VM. It returns inventory.Virtualization's Type and Hypervisor.
func Decide(ev []inventory.VirtualizationEvidence) (string, string) {
	virtual := false
	for _, e := range ev {
		if e.Source == SourceSysHypervisor && !e.Virtual && strings.Contains(e.Detail, "dom0") {
			return inventory.VirtualizationPhysical, ""
		}
		if e.Virtual && !(e.Source == SourcePCI && e.Hypervisor == "") {
			virtual = true
		}
	}
	if !virtual {
		return inventory.VirtualizationPhysical, ""
	}
	rank := func(e inventory.VirtualizationEvidence) int {
		switch {
		case (e.Source == SourceSMBIOS || e.Source == SourceDMIID) && firstRank[e.Hypervisor]:
			return 0
		case e.Source == SourceSysHypervisor:
			return 1
		case e.Source == SourceCPUID:
			return 2
		case e.Source == SourceSMBIOS || e.Source == SourceDMIID:
			return 3
		case e.Source == SourceDeviceTree:
			return 4
		case e.Source == SourceClocksource:
			return 5
		}
		return 6
	}
	best, hv := 99, ""
	for _, e := range ev {
		if e.Virtual && e.Hypervisor != "" && rank(e) < best {
			best, hv = rank(e), e.Hypervisor
		}
	}
	return inventory.VirtualizationVirtualMachine, hv
}
