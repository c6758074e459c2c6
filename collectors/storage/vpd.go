package storage

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrVPD is wrapped by the VPD decoders' errors.
var ErrVPD = errors.New("bad VPD page")

// vpdPage checks the 4-byte header common to VPD pages (SPC-4 7.8.1):
// peripheral qualifier and device type, page code, and a big-endian page
// length that must fit in data. It returns the page's payload.
func vpdPage(data []byte, code byte) ([]byte, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", ErrVPD, len(data))
	}
	if data[1] != code {
		return nil, fmt.Errorf("%w: page code %#02x, want %#02x", ErrVPD, data[1], code)
	}
	n := int(binary.BigEndian.Uint16(data[2:4]))
	if 4+n > len(data) {
		return nil, fmt.Errorf("%w: page length %d, only %d bytes", ErrVPD, n, len(data)-4)
	}
	return data[4 : 4+n], nil
}

// ParseVPDPage80 decodes the Unit Serial Number VPD page (SPC-4 7.8.16) as
// the kernel exports it in device/vpd_pg80: the product serial number,
// right-aligned ASCII, returned without padding. libata fills it with the
// ATA serial number for SATA disks.
func ParseVPDPage80(data []byte) (string, error) {
	payload, err := vpdPage(data, 0x80)
	if err != nil {
		return "", err
	}
	s := strings.Trim(string(payload), " \x00")
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return "", fmt.Errorf("%w: serial number has non-ASCII byte %#02x", ErrVPD, s[i])
		}
	}
	return s, nil
}

// Designator is one designation descriptor of the Device Identification
// VPD page (SPC-4 7.8.6.1).
type Designator struct {
	// ProtocolIdentifier is meaningful when PIV is set.
	ProtocolIdentifier uint8
	// CodeSet is 1 binary, 2 ASCII, 3 UTF-8.
	CodeSet uint8
	PIV     bool
	// Association is 0 for the logical unit, 1 the target port, 2 the
	// target device.
	Association uint8
	// Type is the designator type: 0 vendor specific, 1 T10 vendor ID,
	// 2 EUI-64, 3 NAA, 4 relative target port, 5 target port group,
	// 6 logical unit group, 7 MD5 logical unit, 8 SCSI name string, 9 PCIe
	// routing ID.
	Type  uint8
	Value []byte
}

// Designator types used here.
const (
	DesignatorT10VendorID = 1
	DesignatorEUI64       = 2
	DesignatorNAA         = 3
)

// ParseVPDPage83 decodes the Device Identification VPD page (SPC-4 7.8.6)
// as the kernel exports it in device/vpd_pg83. A descriptor running past the
// page is an error.
func ParseVPDPage83(data []byte) ([]Designator, error) {
	payload, err := vpdPage(data, 0x83)
	if err != nil {
		return nil, err
	}
	var out []Designator
	for off := 0; off < len(payload); {
		if len(payload)-off < 4 {
			return nil, fmt.Errorf("%w: designation descriptor header truncated at offset %d", ErrVPD, 4+off)
		}
		h := payload[off : off+4]
		n := int(h[3])
		if off+4+n > len(payload) {
			return nil, fmt.Errorf("%w: designator of %d bytes at offset %d runs past the page", ErrVPD, n, 4+off)
		}
		out = append(out, Designator{
			ProtocolIdentifier: h[0] >> 4,
			CodeSet:            h[0] & 0x0f,
			PIV:                h[1]&0x80 != 0,
			Association:        (h[1] >> 4) & 0x3,
			Type:               h[1] & 0x0f,
			Value:              payload[off+4 : off+4+n],
		})
		off += 4 + n
	}
	return out, nil
}

// WWN returns the logical unit's NAA designator as udev and lsblk print it:
// "0x" and the designator in lower-case hex (8 bytes for NAA 2, 3 and 5, 16
// for NAA 6 with its extension). Empty when the page has no NAA designator
// for the logical unit.
func WWN(ds []Designator) string {
	for _, d := range ds {
		if d.Type != DesignatorNAA || d.Association != 0 || d.CodeSet != 1 {
			continue
		}
		if len(d.Value) != 8 && len(d.Value) != 16 {
			continue
		}
		return "0x" + hex.EncodeToString(d.Value)
	}
	return ""
}
