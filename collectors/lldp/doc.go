// Package lldp is hwagent's LLDP/CDP collector: which switch, port and VLAN
// each NIC is cabled to.
//
// It opens one AF_PACKET socket per eligible interface (see Interfaces),
// with a kernel BPF filter for LLDP and CDP, optionally brings down links up
// (Config.LLDPLinkUp, restored afterwards), and waits up to Config.LLDPWait,
// stopping early once every interface with carrier has a neighbour. The
// neighbours are attached to inventory.NIC.Neighbors by interface name.
//
// Status:
//   - not_applicable when --lldp-wait is 0, when there is no interface to
//     listen on, and when nothing was heard at all (a network without LLDP
//     or CDP is normal); the reason names the interfaces and hints at the
//     cause (no carrier, link down, Intel firmware agent).
//   - ok when every interface with carrier heard a neighbour.
//   - partial when some did and others, with carrier, did not ("eth1: no
//     LLDP received within 35s"), or when a socket, link or firmware-agent
//     operation failed.
//   - failed when no socket could be opened (no CAP_NET_RAW).
//
// Intel X710/XL710 (i40e) and E810 (ice) NICs run an LLDP agent in firmware
// that consumes LLDP frames before the OS sees them. The collector names
// such NICs in its warnings when they heard nothing and, with
// Config.LLDPStopFirmwareAgent, stops the agent first: through the ethtool
// private flag (i40e "disable-fw-lldp" on, ice "fw-lldp-agent" off) over
// genetlink, else for i40e by writing "lldp stop" to
// /sys/kernel/debug/i40e/PCI/command. The agent stays stopped until the
// driver is reloaded or the machine reboots.
//
// Agent mode uses Watch instead: it listens without a deadline and reports
// every change of the neighbour table, so that a machine registers without
// waiting for LLDP and sends neighbours as an inventory update later.
package lldp
