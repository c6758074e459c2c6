package smbios

import (
	"fmt"

	"github.com/hwagent/hwagent/inventory"
)

// CPUSockets maps every type 4 (Processor Information, DSP0134 7.5)
// structure, populated or not, in table order. Structures shorter than the
// SMBIOS 2.0 layout (1Ah bytes) are skipped, as dmidecode skips them.
func (t *Table) CPUSockets() ([]inventory.CPUSocket, error) {
	var out []inventory.CPUSocket
	ver := t.ver()
	for _, s := range t.structures(typeProcessor) {
		if s.length() < 0x1A {
			continue
		}
		out = append(out, mapProcessor(s, ver))
	}
	return out, nil
}

func mapProcessor(s structure, ver uint16) inventory.CPUSocket {
	var c inventory.CPUSocket
	c.Designation = s.str(0x04)
	c.Type = name(processorTypes, 1, int(s.byte(0x05)))
	c.Manufacturer = s.str(0x07)
	family := uint16(s.byte(0x06))
	if family == 0xFE && s.length() >= 0x2A {
		family = s.word(0x28)
	}
	c.Family = processorFamily(family, ver, c.Manufacturer)
	if id := s.bytes(0x08, 8); id != nil {
		c.ID = fmt.Sprintf("% X", id)
	}
	c.Version = s.str(0x10)
	c.VoltageVolts = processorVoltage(s.byte(0x11))
	c.ExternalClockMHz = s.word(0x12)
	c.MaxSpeedMHz = s.word(0x14)
	c.CurrentSpeedMHz = s.word(0x16)
	status := s.byte(0x18)
	c.Populated = status&(1<<6) != 0
	if c.Populated {
		c.Status = processorStatuses[status&0x07]
	}
	c.Upgrade = name(processorUpgrades, 1, int(s.byte(0x19)))
	if s.length() >= 0x23 {
		c.Serial = s.str(0x20)
		c.AssetTag = s.str(0x21)
		c.PartNumber = s.str(0x22)
	}
	if s.length() >= 0x28 {
		c.CoreCount = count(s, 0x23, 0x2A)
		c.CoresEnabled = count(s, 0x24, 0x2C)
		c.ThreadCount = count(s, 0x25, 0x2E)
	}
	c.Placeholders = placeholders(
		field{"designation", c.Designation}, field{"manufacturer", c.Manufacturer},
		field{"version", c.Version}, field{"serial", c.Serial},
		field{"asset_tag", c.AssetTag}, field{"part_number", c.PartNumber})
	return c
}

// count reads a byte count at off whose value 0xFF means "see the word at
// off2" (Core Count 2 and friends, SMBIOS 3.0); 0 means unknown.
func count(s structure, off, off2 int) uint16 {
	v := s.byte(off)
	if v == 0xFF && s.length() >= off2+2 {
		return s.word(off2)
	}
	return uint16(v)
}

// processorVoltage decodes offset 11h (DSP0134 7.5.4): bit 7 set means
// bits 6:0 are the voltage × 10; otherwise bits 0-2 flag the legacy
// voltages 5 V, 3.3 V and 2.9 V, of which the lowest supported is taken.
func processorVoltage(code uint8) float64 {
	if code&0x80 != 0 {
		return float64(code&0x7F) / 10
	}
	switch {
	case code&0x04 != 0:
		return 2.9
	case code&0x02 != 0:
		return 3.3
	case code&0x01 != 0:
		return 5.0
	}
	return 0
}
