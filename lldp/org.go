package lldp

import (
	"fmt"
)

// Organisationally unique identifiers of the TLV sets hwagent decodes.
const (
	ouiIEEE8021 = 0x0080c2 // IEEE 802.1 (802.1AB-2016 annex D, 802.1Qaz, 802.1Qbg)
	ouiIEEE8023 = 0x00120f // IEEE 802.3 (802.3 clause 79)
	ouiTIA      = 0x0012bb // ANSI/TIA-1057 LLDP-MED
	ouiIANA     = 0x00005e // IANA (RFC 8520 MUD URL)
)

// org decodes an organisationally specific TLV (type 127). Subtypes a
// decoder does not know, and known ones too short to decode, are kept raw.
func (d *decoder) org(v []byte) {
	if len(v) < 4 {
		d.fail(fmt.Errorf("organizationally specific TLV of %d bytes: %w", len(v), ErrMalformed))
		d.unknown(tlvOrgSpecific, "", 0, v)
		return
	}
	oui := int(v[0])<<16 | int(v[1])<<8 | int(v[2])
	sub, body := v[3], v[4:]
	var known bool
	var err error
	switch oui {
	case ouiIEEE8021:
		known, err = d.dot1(sub, body)
	case ouiIEEE8023:
		known, err = d.dot3(sub, body)
	case ouiTIA:
		known, err = d.med(sub, body)
	case ouiIANA:
		if sub == 1 {
			known = true
			if d.once("MUD URL") {
				d.n.MUDURL = str(body)
			}
		}
	}
	if err != nil {
		d.fail(fmt.Errorf("OUI %06x subtype %d: %w", oui, sub, err))
	}
	if !known || err != nil {
		d.unknown(tlvOrgSpecific, fmt.Sprintf("%06x", oui), sub, body)
	}
}

// short returns a malformed-TLV error when body is shorter than want.
func short(body []byte, want int) error {
	if len(body) < want {
		return fmt.Errorf("%d bytes, want at least %d: %w", len(body), want, ErrMalformed)
	}
	return nil
}
