// Package network is hwagent's network collector: every interface in
// /sys/class/net except loopback, with its kind (physical, virtual, bond,
// bridge, vlan), current and permanent MAC, driver, ethtool driver info,
// speed, duplex, carrier, state, MTU, IP addresses, bond and bridge
// membership, VLAN ID and parent, the PCI function behind it, and the
// interface the machine netbooted from (BOOTIF=, hw_addr=, ip= on the kernel
// command line).
//
// sysfs is read through hostpaths, so a remapped or recorded host tree gives
// the same answer as the live host. Netlink (permanent MAC, addresses, VLAN
// links) and the ETHTOOL_GDRVINFO ioctl (driver and firmware versions, bus
// info) sit behind the narrow linkInfo interface. They answer about the
// agent's own network namespace, which is the host's in production (Hook
// runs the agent with net: host) but not when a recorded tree is replayed
// elsewhere: their data is used for an interface only when a link of the
// same name, ifindex and current MAC exists in the agent's namespace, so a
// snapshot replayed on another machine never mixes in that machine's links.
//
// Decoders of the text files involved (/proc/net/bonding/BOND,
// /proc/net/vlan/config, uevent, the boot parameters) are pure functions
// with fuzz targets.
package network
