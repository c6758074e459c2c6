package collectors

import (
	"github.com/hwagent/hwagent/collectors/memory"
	"github.com/hwagent/hwagent/collectors/network"
	"github.com/hwagent/hwagent/collectors/pci"
	"github.com/hwagent/hwagent/collectors/system"
)

// All returns every collector hwagent has, in the order their results are
// applied to the inventory. Add a collector here and nowhere else.
func All() []Spec {
	return []Spec{
		{Collector: system.New(), Description: "BIOS, product, baseboard, chassis and virtualization from SMBIOS (falls back to /sys/class/dmi/id)", DefaultEnabled: true},
		{Collector: memory.New(), Description: "MemTotal from /proc/meminfo and the memory slots of SMBIOS type 17", DefaultEnabled: true},
		{Collector: network.New(), Description: "network interfaces from /sys/class/net with netlink addresses, ethtool driver info and the boot interface", DefaultEnabled: true},
		{Collector: pci.New(), Description: "PCI functions from /sys/bus/pci/devices, categorised, named from pci.ids when present (after network: names its NICs)", DefaultEnabled: true},
	}
}
