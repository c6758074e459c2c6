// Package virt collects the virtualization section: whether the machine is
// a virtual machine and under which hypervisor, from every source a host
// offers, each recorded with what it said:
//
//   - CPUID (/dev/cpu/0/cpuid, the kernel's cpuid driver: no assembly, and
//     only on a live host): the hypervisor-present bit of leaf 1 and the
//     vendor signature of leaf 0x40000000 ("KVMKVMKVM", "Microsoft Hv"...);
//   - /proc/cpuinfo's "hypervisor" flag (the same bit, as the kernel saw it);
//   - the paravirtual clocksources the kernel registered (kvm-clock,
//     hyperv_clocksource_*, xen);
//   - /sys/hypervisor (Xen) and the device tree's hypervisor node (arm64,
//     POWER);
//   - SMBIOS (or /sys/class/dmi/id): the VM bit and the vendor strings
//     hypervisors put there;
//   - PCI devices only hypervisors have (QEMU's bridges and VGA, VMware's,
//     VirtualBox's, Xen's platform device, Hyper-V's VGA).
//
// The decision weighs them in systemd-detect-virt's order (see Decide),
// names the hypervisor in its words, and is checked against it.
package virt
