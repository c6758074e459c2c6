// Package pciids looks PCI vendor, device and subsystem names up in a pci.ids
// database (https://pci-ids.ucw.cz, shipped by Debian's pci.ids package as
// /usr/share/misc/pci.ids and by hwdata as /usr/share/hwdata/pci.ids).
//
// The file is about 1.4 MB and 36,000 lines, and a machine has a few dozen
// PCI functions, so Lookup never builds a map of the whole file: it finds
// the wanted vendors' lines by bisection (the file lists vendors in order
// of ID), reads only their blocks, keeps names only for the IDs it was
// asked for, and stops each block as soon as its wanted names were found.
package pciids
