package firmware

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
)

// TPMCaps is what the TPM 1.2 driver prints in /sys/class/tpm/tpmN/caps
// (drivers/char/tpm/tpm-sysfs.c caps_show).
type TPMCaps struct {
	// Manufacturer is the TPM_CAP_PROP_MANUFACTURER vendor ID, as ASCII
	// when it is four printable characters ("IFX"), else as printed
	// ("0x49465800").
	Manufacturer string
	// Version is "TCG version" ("1.2").
	Version string
	// FirmwareVersion is "Firmware version" ("6.40").
	FirmwareVersion string
}

// ErrNoCaps is returned by ParseTPMCaps when no known field is present.
var ErrNoCaps = errors.New("no TPM capability fields")

// ParseTPMCaps decodes the caps attribute of a TPM 1.2:
//
//	Manufacturer: 0x49465800
//	TCG version: 1.2
//	Firmware version: 6.40
func ParseTPMCaps(data []byte) (TPMCaps, error) {
	var c TPMCaps
	found := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.TrimSpace(key) {
		case "Manufacturer":
			c.Manufacturer, found = vendorID(value), true
		case "TCG version":
			c.Version, found = value, true
		case "Firmware version":
			c.FirmwareVersion, found = value, true
		}
	}
	if err := sc.Err(); err != nil {
		return TPMCaps{}, err
	}
	if !found {
		return TPMCaps{}, ErrNoCaps
	}
	return c, nil
}

// vendorID turns "0x49465800" into "IFX": the TCG vendor ID is four ASCII
// characters, NUL padded.
func vendorID(s string) string {
	h, ok := strings.CutPrefix(s, "0x")
	if !ok || len(h) != 8 {
		return s
	}
	var b []byte
	for i := 0; i < 8; i += 2 {
		var v byte
		for _, c := range []byte(h[i : i+2]) {
			switch {
			case c >= '0' && c <= '9':
				v = v<<4 | (c - '0')
			case c >= 'a' && c <= 'f':
				v = v<<4 | (c - 'a' + 10)
			case c >= 'A' && c <= 'F':
				v = v<<4 | (c - 'A' + 10)
			default:
				return s
			}
		}
		if v == 0 {
			break
		}
		if v < 0x20 || v > 0x7e {
			return s
		}
		b = append(b, v)
	}
	if len(b) == 0 {
		return s
	}
	return strings.TrimSpace(string(b))
}
