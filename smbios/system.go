package smbios

import (
	"errors"
	"fmt"

	"github.com/hwagent/hwagent/inventory"
)

// SMBIOS structure types mapped here.
const (
	typeBIOS          = 0
	typeSystem        = 1
	typeBaseboard     = 2
	typeChassis       = 3
	typeProcessor     = 4
	typeMemoryDevice  = 17
	typeIPMI          = 38
	typeHostInterface = 42
	typeTPM           = 43
)

// ErrNoStructure means the table has no structure of the type asked for.
var ErrNoStructure = errors.New("no such SMBIOS structure")

// System maps types 0 (BIOS), 1 (System), the first 2 (Baseboard) and the
// first 3 (Chassis). It fails only when the table has neither a type 0 nor
// a type 1 structure.
func (t *Table) System() (*inventory.System, error) {
	bios := t.structures(typeBIOS)
	sys := t.structures(typeSystem)
	if len(bios) == 0 && len(sys) == 0 {
		return nil, fmt.Errorf("%w: neither type 0 (BIOS) nor type 1 (System)", ErrNoStructure)
	}
	out := &inventory.System{SMBIOSVersion: t.Version()}
	var vmBit bool
	if len(bios) > 0 {
		out.BIOS, vmBit = mapBIOS(bios[0])
	}
	if len(sys) > 0 {
		out.Product = mapProduct(sys[0], t.ver())
	}
	if b := t.structures(typeBaseboard); len(b) > 0 {
		out.Baseboard = mapBaseboard(b[0])
	}
	if c := t.structures(typeChassis); len(c) > 0 {
		out.Chassis = mapChassis(c[0])
	}
	out.MarkPlaceholders()
	out.Virtual, out.Hypervisor = DetectVirtual(vmBit, out)
	return out, nil
}

// mapBIOS maps type 0 (DSP0134 7.1) and reports the "System is a virtual
// machine" characteristic (extension byte 2, bit 4).
func mapBIOS(s structure) (inventory.BIOS, bool) {
	var b inventory.BIOS
	if s.length() < 0x12 {
		return b, false
	}
	b.Vendor = s.str(0x04)
	b.Version = s.str(0x05)
	b.ReleaseDate = s.str(0x08)
	b.ROMSizeBytes = biosROMSize(s)
	var vm bool
	if s.length() >= 0x14 {
		x2 := s.byte(0x13)
		b.UEFI = x2&(1<<3) != 0
		vm = x2&(1<<4) != 0
	}
	if s.length() >= 0x18 {
		if maj, min := s.byte(0x14), s.byte(0x15); maj != 0xFF && min != 0xFF {
			b.Release = fmt.Sprintf("%d.%d", maj, min)
		}
		if maj, min := s.byte(0x16), s.byte(0x17); maj != 0xFF && min != 0xFF {
			b.FirmwareRevision = fmt.Sprintf("%d.%d", maj, min)
		}
	}
	return b, vm
}

// biosROMSize is offset 09h, (n+1)×64 KiB, or with 0xFF the Extended BIOS
// ROM Size at 18h (bits 13:0 in MiB or GiB by bits 15:14); a structure too
// short for the extended field means 16 MiB, as dmidecode assumes.
func biosROMSize(s structure) uint64 {
	code := s.byte(0x09)
	if code != 0xFF {
		return (uint64(code) + 1) << 16
	}
	ext := uint16(16)
	if s.length() >= 0x1A {
		ext = s.word(0x18)
	}
	size := uint64(ext & 0x3FFF)
	switch ext >> 14 {
	case 0:
		return size << 20
	case 1:
		return size << 30
	}
	return 0
}

// mapProduct maps type 1 (DSP0134 7.2).
func mapProduct(s structure, ver uint16) inventory.Product {
	var p inventory.Product
	if s.length() < 0x08 {
		return p
	}
	p.Manufacturer = s.str(0x04)
	p.Name = s.str(0x05)
	p.Version = s.str(0x06)
	p.Serial = s.str(0x07)
	if s.length() >= 0x19 {
		p.UUID = formatUUID(s.bytes(0x08, 16), ver)
		p.WakeUpType = name(wakeUpTypes, 0, int(s.byte(0x18)))
	}
	if s.length() >= 0x1B {
		p.SKU = s.str(0x19)
		p.Family = s.str(0x1A)
	}
	return p
}

// formatUUID renders the 16 UUID bytes (DSP0134 7.2.1) in lower case; from
// SMBIOS 2.6 the first three fields are little-endian, as dmidecode decides.
func formatUUID(u []byte, ver uint16) string {
	if len(u) != 16 {
		return ""
	}
	o := []int{0, 1, 2, 3, 4, 5, 6, 7}
	if ver >= 0x0206 {
		o = []int{3, 2, 1, 0, 5, 4, 7, 6}
	}
	return fmt.Sprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		u[o[0]], u[o[1]], u[o[2]], u[o[3]], u[o[4]], u[o[5]], u[o[6]], u[o[7]],
		u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15])
}

// mapBaseboard maps type 2 (DSP0134 7.3).
func mapBaseboard(s structure) *inventory.Baseboard {
	b := &inventory.Baseboard{}
	if s.length() < 0x08 {
		return b
	}
	b.Manufacturer = s.str(0x04)
	b.Product = s.str(0x05)
	b.Version = s.str(0x06)
	b.Serial = s.str(0x07)
	if s.length() >= 0x09 {
		b.AssetTag = s.str(0x08)
	}
	return b
}

// mapChassis maps type 3 (DSP0134 7.4); the SKU follows the contained
// element records (SMBIOS 2.7+).
func mapChassis(s structure) *inventory.Chassis {
	c := &inventory.Chassis{}
	if s.length() < 0x09 {
		return c
	}
	c.Manufacturer = s.str(0x04)
	code := s.byte(0x05) & 0x7F // bit 7 is the lock
	c.TypeID = code
	c.Type = ChassisTypeName(code)
	c.Version = s.str(0x06)
	c.Serial = s.str(0x07)
	c.AssetTag = s.str(0x08)
	if s.length() >= 0x15 {
		skuOff := 0x15 + int(s.byte(0x13))*int(s.byte(0x14))
		if s.length() >= skuOff+1 {
			c.SKU = s.str(skuOff)
		}
	}
	return c
}
