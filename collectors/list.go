package collectors

import (
	"github.com/hwagent/hwagent/collectors/bmc"
	"github.com/hwagent/hwagent/collectors/cpu"
	"github.com/hwagent/hwagent/collectors/firmware"
	"github.com/hwagent/hwagent/collectors/host"
	"github.com/hwagent/hwagent/collectors/lldp"
	"github.com/hwagent/hwagent/collectors/memory"
	"github.com/hwagent/hwagent/collectors/network"
	"github.com/hwagent/hwagent/collectors/pci"
	"github.com/hwagent/hwagent/collectors/storage"
	"github.com/hwagent/hwagent/collectors/system"
	"github.com/hwagent/hwagent/collectors/tpm"
	"github.com/hwagent/hwagent/collectors/virt"
)

// All returns every collector hwagent has, in the order their results are
// applied to the inventory. Add a collector here and nowhere else. Cost
// follows what each took of a dump's CPU on the build VM (pci, with its
// pci.ids scan, then network, storage, cpu, memory); Gather starts the
// costliest first.
func All() []Spec {
	return []Spec{
		{Collector: host.New(), Description: "hostname, kernel, architecture, OS, kernel command line (Tinkerbell worker_id/hw_addr), boot ID and uptime", DefaultEnabled: true},
		{Collector: system.New(), Description: "BIOS, product, baseboard, chassis and virtualization from SMBIOS (falls back to /sys/class/dmi/id)", DefaultEnabled: true},
		{Collector: cpu.New(), Description: "processor model and flags from /proc/cpuinfo, topology, NUMA nodes and caches from sysfs, sockets from SMBIOS type 4, base and max frequency (cpufreq, else cpuinfo, else SMBIOS)", DefaultEnabled: true, Cost: 2},
		{Collector: memory.New(), Description: "MemTotal from /proc/meminfo, the memory slots of SMBIOS type 17 (vendors named from JEP106), installed memory from the online memory blocks without SMBIOS", DefaultEnabled: true, Cost: 1},
		{Collector: storage.New(), Description: "disks from /sys/block: size, transport, vendor/model/serial/WWN (sysfs VPD pages, udev database when present), by-path/by-id links (by-path composed from sysfs as udev would without udev), Ironic hints (hctl, WWN extensions); what is on each disk from its first sectors (partition table, filesystems, swap, LVM/md/ZFS/LUKS members), mounts, holders, the root disk, md and multipath arrays", DefaultEnabled: true, Cost: 3},
		{Collector: network.New(), Description: "network interfaces from /sys/class/net with netlink addresses, ethtool driver info and the boot interface", DefaultEnabled: true, Cost: 4},
		{Collector: lldp.New(), Description: "LLDP/CDP neighbours (switch, port, VLAN) heard on each physical NIC within --lldp-wait (after network: attaches to its NICs)", DefaultEnabled: true, TimeoutFromConfig: lldp.Timeout},
		{Collector: pci.New(), Description: "PCI functions from /sys/bus/pci/devices, categorised, named from pci.ids when present (after network: names its NICs)", DefaultEnabled: true, Cost: 5},
		{Collector: virt.New(), Description: "virtual machine or not, and the hypervisor, from CPUID (/dev/cpu/0/cpuid), the clocksource, /sys/hypervisor, the device tree, SMBIOS, the cpuinfo flag and virtual PCI devices, each source recorded (after cpu and pci: reads their sections)", DefaultEnabled: true},
		{Collector: firmware.New(), Description: "boot mode (UEFI/BIOS), Secure Boot and Setup Mode from efivars, TPM from /sys/class/tpm and SMBIOS type 43", DefaultEnabled: true},
		{Collector: tpm.New(), Description: "TPM 2.0 endorsement key (fingerprint, EK certificate issuer) and attestation key through /dev/tpmrm0 or /dev/tpm0, the machine's TPM-bound identity (after firmware: completes its TPM)", DefaultEnabled: true},
		{Collector: bmc.New(), Description: "BMC over in-band IPMI (/dev/ipmi0): identity, GUIDs, LAN channels (IP, source, MAC, gateway, VLAN, IPv6); SMBIOS types 38 and 42", DefaultEnabled: true},
	}
}
