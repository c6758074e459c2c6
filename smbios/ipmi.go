package smbios

import (
	"fmt"

	"github.com/hwagent/hwagent/inventory"
)

// IPMIInterface maps the first type 38 (IPMI Device Information, DSP0134
// 7.39) structure; nil, nil when the table has none.
//
// The base address is rendered as dmidecode computes it: for SSIF the SMBus
// slave address (byte 08h shifted right by one, address space "smbus");
// otherwise the 64-bit address at 08h whose bit 0 selects I/O space ("io")
// or memory ("memory"), with that bit replaced by the address LSB from byte
// 10h bit 4. I2CSlaveAddress is byte 06h shifted right by one, the 7-bit
// address dmidecode prints ("0x10" for the usual BMC address 20h).
func (t *Table) IPMIInterface() (*inventory.IPMIInterface, error) {
	for _, s := range t.structures(typeIPMI) {
		if s.length() < 0x10 {
			continue
		}
		return mapIPMI(s), nil
	}
	return nil, nil
}

func mapIPMI(s structure) *inventory.IPMIInterface {
	typ := s.byte(0x04)
	ipmi := &inventory.IPMIInterface{
		Type:            name(ipmiInterfaceTypes, 0, int(typ)),
		SpecVersion:     fmt.Sprintf("%d.%d", s.byte(0x05)>>4, s.byte(0x05)&0x0F),
		I2CSlaveAddress: fmt.Sprintf("0x%02x", s.byte(0x06)>>1),
	}
	if typ == 0x04 { // SSIF
		ipmi.BaseAddress = fmt.Sprintf("0x%02x", s.byte(0x08)>>1)
		ipmi.AddressSpace = "smbus"
	} else {
		addr := s.qword(0x08)
		var lsb uint64
		if s.length() >= 0x11 {
			lsb = uint64(s.byte(0x10)>>4) & 1
		}
		ipmi.AddressSpace = "memory"
		if addr&1 != 0 {
			ipmi.AddressSpace = "io"
		}
		ipmi.BaseAddress = fmt.Sprintf("0x%x", addr&^1|lsb)
	}
	if s.length() >= 0x12 {
		ipmi.InterruptNumber = s.byte(0x11)
	}
	return ipmi
}
