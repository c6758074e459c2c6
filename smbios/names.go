package smbios

import (
	"strings"
	"sync"

	usmbios "github.com/u-root/u-root/pkg/smbios"
)

// Enumeration names of DSP0134 as dmidecode 3.6 prints them. u-root's
// String methods differ from dmidecode in spelling ("Row of chips" for "Row
// Of Chips", "SubChassis" for "Sub Chassis") and miss recent values (LPDDR5,
// Socket LGA4677), so the names the inventory publishes are listed here. A
// value with no name is out of spec and left absent.

// name returns names[code-first] or "" when code is out of range.
func name(names []string, first int, code int) string {
	i := code - first
	if i < 0 || i >= len(names) {
		return ""
	}
	return names[i]
}

// chassisTypes is DSP0134 7.4.1, from 0x01.
var chassisTypes = []string{
	"Other", "Unknown", "Desktop", "Low Profile Desktop", "Pizza Box",
	"Mini Tower", "Tower", "Portable", "Laptop", "Notebook", "Hand Held",
	"Docking Station", "All In One", "Sub Notebook", "Space-saving",
	"Lunch Box", "Main Server Chassis", "Expansion Chassis", "Sub Chassis",
	"Bus Expansion Chassis", "Peripheral Chassis", "RAID Chassis",
	"Rack Mount Chassis", "Sealed-case PC", "Multi-system", "CompactPCI",
	"AdvancedTCA", "Blade", "Blade Enclosing", "Tablet", "Convertible",
	"Detachable", "IoT Gateway", "Embedded PC", "Mini PC", "Stick PC",
}

// ChassisTypeName names a chassis type (DSP0134 7.4.1, lock bit removed) as
// dmidecode prints it ("Rack Mount Chassis"); "" when out of spec.
func ChassisTypeName(id uint8) string { return name(chassisTypes, 1, int(id&0x7F)) }

// wakeUpTypes is DSP0134 7.2.2, from 0x00.
var wakeUpTypes = []string{
	"Reserved", "Other", "Unknown", "APM Timer", "Modem Ring", "LAN Remote",
	"Power Switch", "PCI PME#", "AC Power Restored",
}

// processorTypes is DSP0134 7.5.1, from 0x01.
var processorTypes = []string{
	"Other", "Unknown", "Central Processor", "Math Processor", "DSP Processor",
	"Video Processor",
}

// processorStatuses is DSP0134 7.5 offset 18h bits 2:0 ("" is reserved).
var processorStatuses = []string{
	"Unknown", "Enabled", "Disabled By User", "Disabled By BIOS", "Idle", "", "", "Other",
}

// processorUpgrades is DSP0134 7.5.5, from 0x01.
var processorUpgrades = []string{
	"Other", "Unknown", "Daughter Board", "ZIF Socket", "Replaceable Piggy Back",
	"None", "LIF Socket", "Slot 1", "Slot 2", "370-pin Socket", "Slot A",
	"Slot M", "Socket 423", "Socket A (Socket 462)", "Socket 478",
	"Socket 754", "Socket 940", "Socket 939", "Socket mPGA604",
	"Socket LGA771", "Socket LGA775", "Socket S1", "Socket AM2",
	"Socket F (1207)", "Socket LGA1366", "Socket G34", "Socket AM3",
	"Socket C32", "Socket LGA1156", "Socket LGA1567", "Socket PGA988A",
	"Socket BGA1288", "Socket rPGA988B", "Socket BGA1023", "Socket BGA1224",
	"Socket BGA1155", "Socket LGA1356", "Socket LGA2011", "Socket FS1",
	"Socket FS2", "Socket FM1", "Socket FM2", "Socket LGA2011-3",
	"Socket LGA1356-3", "Socket LGA1150", "Socket BGA1168", "Socket BGA1234",
	"Socket BGA1364", "Socket AM4", "Socket LGA1151", "Socket BGA1356",
	"Socket BGA1440", "Socket BGA1515", "Socket LGA3647-1", "Socket SP3",
	"Socket SP3r2", "Socket LGA2066", "Socket BGA1392", "Socket BGA1510",
	"Socket BGA1528", "Socket LGA4189", "Socket LGA1200", "Socket LGA4677",
	"Socket LGA1700", "Socket BGA1744", "Socket BGA1781", "Socket BGA1211",
	"Socket BGA2422", "Socket LGA1211", "Socket LGA2422", "Socket LGA5773",
	"Socket BGA5773", "Socket AM5", "Socket SP5", "Socket SP6",
	"Socket BGA883", "Socket BGA1190", "Socket BGA4129", "Socket LGA4710",
	"Socket LGA7529",
}

// processorFamilyExtra names the DSP0134 7.5.2 families u-root's
// ProcessorFamily.String does not know (recent ARM, RISC-V, LoongArch).
var processorFamilyExtra = map[uint16]string{
	0x16: "Intel", 0x102: "ARMv9", 0x103: "ARM",
	0x200: "RV32", 0x201: "RV64", 0x202: "RV128",
	0x258: "LoongArch", 0x259: "Loongson 1", 0x25A: "Loongson 2",
	0x25B: "Loongson 3", 0x25C: "Loongson 2K", 0x25D: "Loongson 3A",
	0x25E: "Loongson 3B", 0x25F: "Loongson 3C", 0x260: "Loongson 3D",
	0x261: "Loongson 3E", 0x262: "Dual-Core Loongson 2K 2xxx",
	0x26C: "Quad-Core Loongson 3A 5xxx", 0x26D: "Multi-Core Loongson 3A 5xxx",
	0x26E: "Quad-Core Loongson 3B 5xxx", 0x26F: "Multi-Core Loongson 3B 5xxx",
	0x270: "Multi-Core Loongson 3C 5xxx", 0x271: "Multi-Core Loongson 3D 5xxx",
}

// processorFamily names family code (the 16-bit Processor Family 2 already
// applied) the way dmidecode does, including its two ambiguous values
// decided by the manufacturer string.
func processorFamily(code uint16, ver uint16, manufacturer string) string {
	isIntel := strings.Contains(manufacturer, "Intel") || strings.HasPrefix(strings.ToLower(manufacturer), "intel")
	switch {
	case code == 0x30 && ver == 0x0200 && isIntel:
		return "Pentium Pro"
	case code == 0xBE:
		switch {
		case isIntel:
			return "Core 2"
		case strings.Contains(manufacturer, "AMD") || strings.HasPrefix(strings.ToLower(manufacturer), "amd"):
			return "K7"
		}
		return "Core 2 or K7"
	case code == 0 || code == 0xFE || code == 0xFF || code == 0xFFFE || code == 0xFFFF:
		return ""
	}
	if n, ok := processorFamilyExtra[code]; ok {
		return n
	}
	if n, ok := familyNames.Load(code); ok {
		return n.(string)
	}
	// u-root's String builds its 200-entry map on every call: remember
	// the names already asked for.
	n := usmbios.ProcessorFamily(code).String()
	if strings.HasPrefix(n, "0x") { // u-root's fallback for unknown values
		n = ""
	}
	familyNames.Store(code, n)
	return n
}

// familyNames caches u-root's processor family names by code. It only
// ever holds what ProcessorFamily.String returns, so it is safe to share.
var familyNames sync.Map

// memoryFormFactors is DSP0134 7.18.1, from 0x01.
var memoryFormFactors = []string{
	"Other", "Unknown", "SIMM", "SIP", "Chip", "DIP", "ZIP", "Proprietary Card",
	"DIMM", "TSOP", "Row Of Chips", "RIMM", "SODIMM", "SRIMM", "FB-DIMM", "Die",
}

// memoryTypes is DSP0134 7.18.2, from 0x01 ("" is reserved).
var memoryTypes = []string{
	"Other", "Unknown", "DRAM", "EDRAM", "VRAM", "SRAM", "RAM", "ROM", "Flash",
	"EEPROM", "FEPROM", "EPROM", "CDRAM", "3DRAM", "SDRAM", "SGRAM", "RDRAM",
	"DDR", "DDR2", "DDR2 FB-DIMM", "", "", "", "DDR3", "FBD2", "DDR4",
	"LPDDR", "LPDDR2", "LPDDR3", "LPDDR4", "Logical non-volatile device",
	"HBM", "HBM2", "DDR5", "LPDDR5", "HBM3",
}

// memoryTypeDetails is DSP0134 7.18.3, bits 1 to 15.
var memoryTypeDetails = []string{
	"Other", "Unknown", "Fast-paged", "Static Column", "Pseudo-static",
	"RAMBus", "Synchronous", "CMOS", "EDO", "Window DRAM", "Cache DRAM",
	"Non-Volatile", "Registered (Buffered)", "Unbuffered (Unregistered)",
	"LRDIMM",
}

// memoryTypeDetail lists the flags set in code; nil for "None".
func memoryTypeDetail(code uint16) []string {
	var out []string
	for i := 1; i <= 15; i++ {
		if code&(1<<i) != 0 {
			out = append(out, memoryTypeDetails[i-1])
		}
	}
	return out
}

// ipmiInterfaceTypes is DSP0134 7.39.1 as the inventory names them.
var ipmiInterfaceTypes = []string{"", "KCS", "SMIC", "BT", "SSIF"}

// hostInterfaceType names DSP0134 7.43.1 (MCTP DSP0239) interface types.
func hostInterfaceType(code uint8) string {
	names := []string{
		"KCS: Keyboard Controller Style", "8250 UART Register Compatible",
		"16450 UART Register Compatible", "16550/16550A UART Register Compatible",
		"16650/16650A UART Register Compatible", "16750/16750A UART Register Compatible",
		"16850/16850A UART Register Compatible",
	}
	switch {
	case code >= 0x02 && code <= 0x08:
		return names[code-0x02]
	case code <= 0x3F:
		return "MCTP"
	case code == 0x40:
		return "Network Host Interface"
	case code == 0xF0:
		return "OEM"
	}
	return ""
}

// protocolTypes names DSP0134 7.43.2 protocol record types.
func protocolType(code uint8) string {
	switch code {
	case 0x02:
		return "IPMI"
	case 0x03:
		return "MCTP"
	case 0x04:
		return "Redfish over IP"
	case 0xF0:
		return "OEM"
	}
	return ""
}
