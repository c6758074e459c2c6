// Package system is the "system" collector: the machine's firmware identity
// (BIOS, product, baseboard, chassis, virtualization) from the SMBIOS table
// the kernel exports in /sys/firmware/dmi/tables, mapped by package smbios.
//
// When the raw table is missing (kernels before 4.2) or unreadable (it is
// root-only) but the kernel's digest in /sys/class/dmi/id is there, the
// section is built from those files instead and the collector reports
// "partial" with a warning saying so: dmi/id has no ROM size, UEFI flag,
// SMBIOS version or virtual-machine bit, and its serial and UUID files are
// root-only too. A host with neither is "not applicable".
package system
