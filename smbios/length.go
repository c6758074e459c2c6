package smbios

import usmbios "github.com/u-root/u-root/pkg/smbios"

// specLengths are the formatted-area lengths of the fixed-layout structure
// types in the latest SMBIOS version (DSP0134 3.8), by type.
var specLengths = map[uint8]int{
	0:  0x1A, // BIOS Information (3.1+: Extended BIOS ROM Size)
	1:  0x1B, // System Information (2.4+)
	4:  0x32, // Processor Information (3.6+: Thread Enabled)
	7:  0x1B, // Cache Information (3.1+)
	16: 0x17, // Physical Memory Array (2.7+)
	17: 0x5C, // Memory Device (3.7+)
	19: 0x1F, // Memory Array Mapped Address (2.7+)
	20: 0x23, // Memory Device Mapped Address (2.7+)
	38: 0x12, // IPMI Device Information
	43: 0x1F, // TPM Device
}

// lengthSlack is how far past the latest version's length a structure may
// go before it is refused: firmware of a newer SMBIOS version may add
// fields, and some vendors pad; a length byte of 0xFF on a 27-byte
// structure is neither.
const lengthSlack = 32

// maxLength is the longest formatted area a structure of s's type can
// have, and false when the type has no fixed bound that hwagent knows (OEM
// types, types whose length depends on counts it does not check) or the
// table announces an SMBIOS version newer than this list (4.0 and up).
func maxLength(s *usmbios.Table, version uint16) (int, bool) {
	if version >= 0x0400 {
		return 0, false
	}
	at := func(off int) int {
		b, err := s.GetByteAt(off)
		if err != nil {
			return 0
		}
		return int(b)
	}
	switch uint8(s.Type) {
	case 2: // Baseboard: contained object handles follow their count at 0x0E.
		return 0x0F + 2*at(0x0E) + lengthSlack, true
	case 3: // Chassis: n contained elements of m bytes at 0x15, then the SKU and rack fields.
		return 0x15 + at(0x13)*at(0x14) + 3 + lengthSlack, true
	}
	if n, ok := specLengths[uint8(s.Type)]; ok {
		return n + lengthSlack, true
	}
	return 0, false
}
