// Package pci is hwagent's pci collector: every PCI function in
// /sys/bus/pci/devices with its class, IDs, revision, driver, NUMA node and
// IOMMU group, a category (gpu, accelerator, network, storage, bridge,
// other) and, when the host has a pci.ids database, vendor, device and
// subsystem names.
//
// IDs come from the function's modalias (the kernel's own
// "pci:vVVVVVVVVdDDDDDDDDsvSSSSSSSSsdSSSSSSSSbcBBscSSiII" line, one read for
// vendor, device, subsystem and class) with the single-value attributes as a
// fallback. Class names are built in (classes.go); names of vendors and
// devices come from pci.ids through package pciids, which reads only what
// the machine needs. In-memory OS images usually have no pci.ids: then the
// section has IDs only and the collector still reports ok.
//
// The package also exports the sysfs helpers the network collector uses to
// identify the PCI function behind a NIC (ReadIdentity, IsAddress).
package pci
