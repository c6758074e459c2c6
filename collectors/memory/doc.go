// Package memory is the "memory" collector: the memory the kernel can use
// (MemTotal from /proc/meminfo) and the firmware's list of memory slots
// (SMBIOS type 17, mapped by package smbios), with the installed total and
// the slot counts derived from it.
//
// Without an SMBIOS table the section is still produced from /proc/meminfo,
// with no modules: that is normal in VMs and on some arm64 boards.
package memory
