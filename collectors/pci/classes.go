package pci

import (
	"sync"

	"github.com/hwagent/hwagent/inventory"
)

// classInfo names one base class and its subclasses.
type classInfo struct {
	name       string
	subclasses map[uint8]string
}

// classes are the base classes and subclasses of the PCI Code and ID
// Assignment Specification (PCI-SIG, revision 1.15, chapter 1), with the
// short names lspci and pci.ids use for them. Programming interfaces are
// not named: the inventory keeps them in the class code only. Built on
// first use: a map literal is code that package initialization runs, on
// every start of every command (the registration waits for it on an
// emulated CPU, where first-run code costs most).
var classes = sync.OnceValue(func() map[uint8]classInfo {
	return map[uint8]classInfo{
		0x00: {"Unclassified device", map[uint8]string{
			0x00: "Non-VGA unclassified device", 0x01: "VGA compatible unclassified device",
			0x05: "Image coprocessor"}},
		0x01: {"Mass storage controller", map[uint8]string{
			0x00: "SCSI storage controller", 0x01: "IDE interface", 0x02: "Floppy disk controller",
			0x03: "IPI bus controller", 0x04: "RAID bus controller", 0x05: "ATA controller",
			0x06: "SATA controller", 0x07: "Serial Attached SCSI controller",
			0x08: "Non-Volatile memory controller", 0x09: "Universal Flash Storage controller",
			0x80: "Mass storage controller"}},
		0x02: {"Network controller", map[uint8]string{
			0x00: "Ethernet controller", 0x01: "Token ring network controller",
			0x02: "FDDI network controller", 0x03: "ATM network controller", 0x04: "ISDN controller",
			0x05: "WorldFip controller", 0x06: "PICMG controller", 0x07: "Infiniband controller",
			0x08: "Fabric controller", 0x80: "Network controller"}},
		0x03: {"Display controller", map[uint8]string{
			0x00: "VGA compatible controller", 0x01: "XGA compatible controller",
			0x02: "3D controller", 0x80: "Display controller"}},
		0x04: {"Multimedia controller", map[uint8]string{
			0x00: "Multimedia video controller", 0x01: "Multimedia audio controller",
			0x02: "Computer telephony device", 0x03: "Audio device", 0x80: "Multimedia controller"}},
		0x05: {"Memory controller", map[uint8]string{
			0x00: "RAM memory", 0x01: "FLASH memory", 0x02: "CXL", 0x80: "Memory controller"}},
		0x06: {"Bridge", map[uint8]string{
			0x00: "Host bridge", 0x01: "ISA bridge", 0x02: "EISA bridge", 0x03: "MicroChannel bridge",
			0x04: "PCI bridge", 0x05: "PCMCIA bridge", 0x06: "NuBus bridge", 0x07: "CardBus bridge",
			0x08: "RACEway bridge", 0x09: "Semi-transparent PCI-to-PCI bridge",
			0x0a: "InfiniBand to PCI host bridge", 0x80: "Bridge"}},
		0x07: {"Communication controller", map[uint8]string{
			0x00: "Serial controller", 0x01: "Parallel controller", 0x02: "Multiport serial controller",
			0x03: "Modem", 0x04: "GPIB controller", 0x05: "Smart Card controller",
			0x80: "Communication controller"}},
		0x08: {"Generic system peripheral", map[uint8]string{
			0x00: "PIC", 0x01: "DMA controller", 0x02: "Timer", 0x03: "RTC",
			0x04: "PCI Hot-plug controller", 0x05: "SD Host controller", 0x06: "IOMMU",
			0x80: "System peripheral", 0x99: "Timing Card"}},
		0x09: {"Input device controller", map[uint8]string{
			0x00: "Keyboard controller", 0x01: "Digitizer Pen", 0x02: "Mouse controller",
			0x03: "Scanner controller", 0x04: "Gameport controller", 0x80: "Input device controller"}},
		0x0a: {"Docking station", map[uint8]string{
			0x00: "Generic Docking Station", 0x80: "Docking Station"}},
		0x0b: {"Processor", map[uint8]string{
			0x00: "386", 0x01: "486", 0x02: "Pentium", 0x10: "Alpha", 0x20: "Power PC", 0x30: "MIPS",
			0x40: "Co-processor"}},
		0x0c: {"Serial bus controller", map[uint8]string{
			0x00: "FireWire (IEEE 1394)", 0x01: "ACCESS Bus", 0x02: "SSA", 0x03: "USB controller",
			0x04: "Fibre Channel", 0x05: "SMBus", 0x06: "InfiniBand", 0x07: "IPMI Interface",
			0x08: "SERCOS interface", 0x09: "CANBUS", 0x80: "Serial bus controller"}},
		0x0d: {"Wireless controller", map[uint8]string{
			0x00: "IRDA controller", 0x01: "Consumer IR controller", 0x10: "RF controller",
			0x11: "Bluetooth", 0x12: "Broadband", 0x20: "802.1a controller",
			0x21: "802.1b controller", 0x80: "Wireless controller"}},
		0x0e: {"Intelligent controller", map[uint8]string{0x00: "I2O"}},
		0x0f: {"Satellite communications controller", map[uint8]string{
			0x01: "Satellite TV controller", 0x02: "Satellite audio communication controller",
			0x03: "Satellite voice communication controller",
			0x04: "Satellite data communication controller"}},
		0x10: {"Encryption controller", map[uint8]string{
			0x00: "Network and computing encryption device",
			0x10: "Entertainment encryption device", 0x80: "Encryption controller"}},
		0x11: {"Signal processing controller", map[uint8]string{
			0x00: "DPIO module", 0x01: "Performance counters", 0x10: "Communication synchronizer",
			0x20: "Signal processing management", 0x80: "Signal processing controller"}},
		0x12: {"Processing accelerators", map[uint8]string{
			0x00: "Processing accelerators",
			0x01: "SNIA Smart Data Accelerator Interface (SDXI) controller"}},
		0x13: {"Non-Essential Instrumentation", nil},
		0x40: {"Coprocessor", nil},
		0xff: {"Unassigned class", nil},
	}
})

// ClassNames returns the names of class's base class and subclass; a code
// the specification does not define gives empty names.
func ClassNames(class uint32) (className, subclassName string) {
	c, ok := classes()[uint8(class>>16)]
	if !ok {
		return "", ""
	}
	return c.name, c.subclasses[uint8(class>>8)]
}

// acceleratorVendors make nothing but accelerators (their bridges aside):
// Graphcore, Habana Labs, Groq, Enflame, FuriosaAI.
var acceleratorVendors = map[uint16]bool{
	0x1d95: true, 0x1da3: true, 0x1de0: true, 0x1e36: true, 0x1ed2: true,
}

// Category sorts a function into the groups a provisioning server selects
// hardware by:
//
//   - accelerator: processing accelerators (base class 0x12), co-processors
//     (0x0b40) and any non-bridge function of an accelerator-only vendor.
//   - gpu: every display controller (0x03), including the data-centre GPUs
//     that present as 3D controllers without a display (NVIDIA Tesla, A100,
//     H100: 0x0302; AMD Instinct: 0x0302, 0x0380): operators, schedulers
//     and hardware.csv label rules call those GPUs.
//   - network (0x02), storage (0x01), bridge (0x06), other.
func Category(vendor uint16, class uint32) string {
	base, sub := uint8(class>>16), uint8(class>>8)
	switch {
	case base == 0x12, base == 0x0b && sub == 0x40:
		return inventory.PCICategoryAccelerator
	case acceleratorVendors[vendor] && base != 0x06:
		return inventory.PCICategoryAccelerator
	case base == 0x03:
		return inventory.PCICategoryGPU
	case base == 0x02:
		return inventory.PCICategoryNetwork
	case base == 0x01:
		return inventory.PCICategoryStorage
	case base == 0x06:
		return inventory.PCICategoryBridge
	}
	return inventory.PCICategoryOther
}
