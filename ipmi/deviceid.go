package ipmi

import (
	"encoding/hex"
	"fmt"
)

// DeviceID is the answer to Get Device ID (IPMI 2.0 section 20.1, Table
// 20-2).
type DeviceID struct {
	// DeviceID identifies the controller within the manufacturer's range.
	DeviceID uint8
	// DeviceRevision is byte 3 bits 3:0.
	DeviceRevision uint8
	// ProvidesDeviceSDRs is byte 3 bit 7.
	ProvidesDeviceSDRs bool
	// FirmwareMajor is byte 4 bits 6:0, binary.
	FirmwareMajor uint8
	// FirmwareMinor is byte 5, BCD as sent ("0x10" is minor revision 10).
	FirmwareMinor uint8
	// UpdateInProgress is byte 4 bit 7: firmware, SDR update or
	// self-initialization in progress.
	UpdateInProgress bool
	// IPMIMajor and IPMIMinor are byte 6 (BCD, minor digit in bits 7:4).
	IPMIMajor, IPMIMinor uint8
	// AdditionalDeviceSupport is byte 7 (sensor device, SDR repository, SEL,
	// FRU inventory, IPMB event receiver/generator, bridge, chassis).
	AdditionalDeviceSupport uint8
	// ManufacturerID is the 20-bit IANA enterprise number (bytes 8-10,
	// least significant byte first).
	ManufacturerID uint32
	// ProductID is bytes 11-12, least significant byte first.
	ProductID uint16
	// AuxFirmware holds the optional four auxiliary firmware revision bytes
	// (13-16) as sent; nil when the BMC omits them.
	AuxFirmware []byte
}

// FirmwareVersion renders the firmware revision as ipmitool does: the
// binary major revision, a dot, and the BCD minor revision as two hex
// digits ("3.10", "9.08").
func (d DeviceID) FirmwareVersion() string {
	return fmt.Sprintf("%d.%02x", d.FirmwareMajor, d.FirmwareMinor)
}

// IPMIVersion renders the IPMI version ("2.0", "1.5").
func (d DeviceID) IPMIVersion() string {
	return fmt.Sprintf("%d.%d", d.IPMIMajor, d.IPMIMinor)
}

// AuxFirmwareHex is the auxiliary firmware revision bytes in hex, in the
// order sent ("00000000"), or "" without them.
func (d DeviceID) AuxFirmwareHex() string {
	return hex.EncodeToString(d.AuxFirmware)
}

// DecodeDeviceID decodes a Get Device ID response (completion code first).
// The auxiliary firmware revision is kept only when all four bytes are
// present.
func DecodeDeviceID(resp []byte) (DeviceID, error) {
	b, err := checkResponse(NetFnApp, CmdGetDeviceID, resp, 11)
	if err != nil {
		return DeviceID{}, fmt.Errorf("get device id: %w", err)
	}
	d := DeviceID{
		DeviceID:                b[0],
		DeviceRevision:          b[1] & 0x0F,
		ProvidesDeviceSDRs:      b[1]&0x80 != 0,
		FirmwareMajor:           b[2] & 0x7F,
		UpdateInProgress:        b[2]&0x80 != 0,
		FirmwareMinor:           b[3],
		IPMIMajor:               b[4] & 0x0F,
		IPMIMinor:               b[4] >> 4,
		AdditionalDeviceSupport: b[5],
		ManufacturerID:          uint32(b[6]) | uint32(b[7])<<8 | uint32(b[8]&0x0F)<<16,
		ProductID:               uint16(b[9]) | uint16(b[10])<<8,
	}
	if b[4] == 0 {
		return DeviceID{}, fmt.Errorf("get device id: %w: IPMI version byte is 00h (reserved)", ErrMalformed)
	}
	if len(b) >= 15 {
		d.AuxFirmware = append([]byte(nil), b[11:15]...)
	}
	return d, nil
}
