// Package bmc collects the baseboard management controller as the machine
// itself sees it: the SMBIOS type 38 (IPMI device) and type 42 (Redfish
// host interface) records, and what the BMC answers over the in-band IPMI
// system interface (/dev/ipmi0, /dev/ipmi/0 or /dev/ipmidev/0 under the
// host's /dev): its identity (Get Device ID, Get Device GUID, Get System
// GUID) and the configuration of its 802.3 LAN channels (address, source,
// netmask, gateway, MACs, VLAN, IPv6), so provisioning learns the BMC's
// address without stickers or DHCP leases.
//
// Outcomes:
//   - no device node and the running kernel without its IPMI driver (no
//     /sys/module/ipmi_msghandler: not built in, not loaded): failed, saying
//     so, whether the kernel has no IPMI support at all (Tinkerbell Hook's
//     default kernel) or has the modules unloaded. Without the driver
//     nothing can tell whether there is a BMC: never "no BMC";
//   - no type 38 record, no type 42 record and no device node, the driver
//     loaded: not applicable ("no BMC");
//   - a type 38 record but no device node: partial, with the SMBIOS
//     records and a warning naming the kernel modules to load (ipmi_si or
//     ipmi_ssif, and ipmi_devintf). The BMC exists, so this is not "not
//     applicable", and what SMBIOS says is still worth reporting;
//   - only a type 42 record: ok, the BMC speaks Redfish but not IPMI;
//   - a device node whose Get Device ID fails or times out: failed;
//   - a BMC that rejects Get Channel Info and every LAN parameter (QEMU's
//     ipmi-bmc-sim): ok, identity reported and LANError set;
//   - a BMC that stops answering half way: partial, with what was read.
//
// Every command runs under its own timeout (Config.IPMITimeout, default
// ipmi.DefaultTimeout) inside the collector's deadline, and the first
// command left unanswered ends the conversation: a hung BMC costs one
// timeout, not one per command.
package bmc
