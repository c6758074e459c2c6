package smbios

import "github.com/hwagent/hwagent/inventory"

// MemoryModules maps every type 17 (Memory Device, DSP0134 7.18) structure,
// empty slots included, in table order. Structures shorter than the SMBIOS
// 2.1 layout (15h bytes) are skipped, as dmidecode skips them.
//
// As dmidecode 3.6 does, the fields after Type Detail (speed, manufacturer,
// serial, asset tag, part number, rank, configured speed and voltage) are
// left out for an empty slot: firmware fills them with noise ("NO DIMM",
// "Empty") that describes no module.
func (t *Table) MemoryModules() ([]inventory.MemoryModule, error) {
	var out []inventory.MemoryModule
	for _, s := range t.structures(typeMemoryDevice) {
		if s.length() < 0x15 {
			continue
		}
		out = append(out, mapMemoryDevice(s))
	}
	return out, nil
}

func mapMemoryDevice(s structure) inventory.MemoryModule {
	var m inventory.MemoryModule
	m.TotalWidthBits = width(s.word(0x08))
	m.DataWidthBits = width(s.word(0x0A))
	size := s.word(0x0C)
	m.SizeBytes = memorySize(s, size)
	m.Populated = size != 0 // 0xFFFF is "Unknown": a module of unknown size
	m.FormFactor = name(memoryFormFactors, 1, int(s.byte(0x0E)))
	m.Locator = s.str(0x10)
	m.BankLocator = s.str(0x11)
	m.Type = name(memoryTypes, 1, int(s.byte(0x12)))
	m.TypeDetail = memoryTypeDetail(s.word(0x13))
	fields := []field{{"locator", m.Locator}, {"bank_locator", m.BankLocator}}
	if m.Populated && s.length() >= 0x17 {
		m.SpeedMTs = memorySpeed(s, 0x15, 0x54)
		if s.length() >= 0x1B {
			m.Manufacturer = s.str(0x17)
			m.Serial = s.str(0x18)
			m.AssetTag = s.str(0x19)
			m.PartNumber = s.str(0x1A)
			fields = append(fields, field{"manufacturer", m.Manufacturer}, field{"serial", m.Serial},
				field{"asset_tag", m.AssetTag}, field{"part_number", m.PartNumber})
		}
		if s.length() >= 0x1C {
			m.Rank = int(s.byte(0x1B) & 0x0F)
		}
		if s.length() >= 0x22 {
			m.ConfiguredSpeedMTs = memorySpeed(s, 0x20, 0x58)
		}
		if s.length() >= 0x28 {
			m.ConfiguredVoltageMillivolts = int(s.word(0x26))
		}
		nameManufacturer(&m, s)
	}
	m.Placeholders = placeholders(fields...)
	return m
}

// width is a Total or Data Width; 0 and 0xFFFF mean unknown.
func width(v uint16) int {
	if v == 0xFFFF {
		return 0
	}
	return int(v)
}

// memorySize decodes Size (0Ch): 0 no module, 0xFFFF unknown, 0x7FFF "see
// Extended Size" (1Ch, MiB, SMBIOS 2.7+), else bits 14:0 in KiB when bit 15
// is set and MiB when it is clear.
func memorySize(s structure, size uint16) uint64 {
	switch {
	case size == 0 || size == 0xFFFF:
		return 0
	case size == 0x7FFF && s.length() >= 0x20:
		return uint64(s.dword(0x1C)&0x7FFFFFFF) << 20
	case size&0x8000 != 0:
		return uint64(size&0x7FFF) << 10
	}
	return uint64(size) << 20
}

// memorySpeed reads a speed word at off in MT/s; 0xFFFF means "see the
// extended speed dword at extOff" (SMBIOS 3.3, structures of 5Ch bytes or
// more); 0 means unknown.
func memorySpeed(s structure, off, extOff int) uint32 {
	v := s.word(off)
	if v == 0xFFFF {
		if s.length() >= 0x5C {
			return s.dword(extOff) & 0x7FFFFFFF // bit 31 is reserved
		}
		return 0
	}
	return uint32(v)
}

// nameManufacturer replaces a raw JEP106 ID in the Manufacturer string
// ("802C", "00AD00B300AD") by the manufacturer's name, keeping the raw ID
// in ManufacturerID; without a string (or with a placeholder), SMBIOS
// 3.2's Module Manufacturer ID (2Ch) names it.
func nameManufacturer(m *inventory.MemoryModule, s structure) {
	if j, ok := ParseJEP106(m.Manufacturer); ok {
		m.ManufacturerID, m.Manufacturer = m.Manufacturer, j.Name()
		return
	}
	if m.Manufacturer != "" && !inventory.IsPlaceholder(m.Manufacturer) && m.Manufacturer != "Unknown" && m.Manufacturer != "Undefined" {
		return
	}
	if s.length() >= 0x2E {
		if j, ok := moduleManufacturer(s.word(0x2C)); ok {
			m.ManufacturerID, m.Manufacturer = j.String(), j.Name()
		}
	}
}
