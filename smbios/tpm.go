package smbios

import (
	"fmt"

	"github.com/hwagent/hwagent/inventory"
)

// TPM maps the first type 43 (TPM Device, DSP0134 7.44) structure; nil, nil
// when the table has none. Device is left empty: it is the kernel's name,
// which the table does not know.
//
// Manufacturer is the vendor ID as dmidecode prints it: the four bytes at
// 04h up to the first NUL, non-printable bytes as '.'. Infineon stores its
// ID backwards ("\x00XFI"), which dmidecode prints as nothing; like u-root,
// that is read as "IFX". Version is the TPM specification major.minor and
// FirmwareVersion the firmware revision as dmidecode decodes it for TPM 1.2
// (bytes 0Ch.0Dh) and 2.0 (the dword at 0Ah, high word.low word).
func (t *Table) TPM() (*inventory.TPM, error) {
	for _, s := range t.structures(typeTPM) {
		if s.length() < 0x1B {
			continue
		}
		return mapTPM(s), nil
	}
	return nil, nil
}

func mapTPM(s structure) *inventory.TPM {
	tpm := &inventory.TPM{Manufacturer: tpmVendorID(s.bytes(0x04, 4))}
	major, minor := s.byte(0x08), s.byte(0x09)
	tpm.Version = fmt.Sprintf("%d.%d", major, minor)
	switch major {
	case 1:
		tpm.FirmwareVersion = fmt.Sprintf("%d.%d", s.byte(0x0C), s.byte(0x0D))
	case 2:
		fw := s.dword(0x0A)
		tpm.FirmwareVersion = fmt.Sprintf("%d.%d", fw>>16, fw&0xFFFF)
	}
	return tpm
}

func tpmVendorID(b []byte) string {
	if len(b) != 4 {
		return ""
	}
	if b[0] == 0 && string(b[1:]) == "XFI" {
		return "IFX"
	}
	out := make([]byte, 0, 4)
	for _, c := range b {
		if c == 0 {
			break
		}
		if c < 32 || c >= 127 {
			c = '.'
		}
		out = append(out, c)
	}
	return string(out)
}
