package ipmi

import "fmt"

// GUID is a 16-byte globally unique ID in RFC 4122 byte order (the order
// its string form is written in).
type GUID [16]byte

// String renders the GUID in lower case, 8-4-4-4-12.
func (g GUID) String() string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", g[0:4], g[4:6], g[6:8], g[8:10], g[10:16])
}

// Placeholder reports whether the GUID is all zeros or all FFh, which BMCs
// send when no GUID was set.
func (g GUID) Placeholder() bool {
	zero, ones := true, true
	for _, b := range g {
		zero = zero && b == 0x00
		ones = ones && b == 0xFF
	}
	return zero || ones
}

// DecodeGUID decodes a Get Device GUID or Get System GUID response
// (completion code first; cmd is CmdGetDeviceGUID or CmdGetSystemGUID, for
// error messages).
//
// IPMI 2.0 Table 20-10 sends the GUID least significant byte first, that is
// the RFC 4122 byte string reversed: byte 1 is the last byte of the node
// field, byte 16 the first byte of time_low. DecodeGUID reverses it, so the
// string reads as the BMC's web interface and `ipmitool mc guid` (rfc4122
// mode) show it. Some BMCs send the SMBIOS byte order instead; nothing in
// the response tells them apart.
func DecodeGUID(cmd uint8, resp []byte) (GUID, error) {
	b, err := checkResponse(NetFnApp, cmd, resp, 16)
	if err != nil {
		return GUID{}, fmt.Errorf("get %s: %w", guidName(cmd), err)
	}
	var g GUID
	for i := range g {
		g[i] = b[15-i]
	}
	return g, nil
}

func guidName(cmd uint8) string {
	if cmd == CmdGetSystemGUID {
		return "system guid"
	}
	return "device guid"
}
