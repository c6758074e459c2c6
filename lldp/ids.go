package lldp

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Chassis ID subtypes (802.1AB-2016 table 8-2).
var chassisSubtypes = [...]string{
	1: "chassis_component",
	2: "interface_alias",
	3: "port_component",
	4: "mac",
	5: "network_address",
	6: "interface_name",
	7: "local",
}

// Port ID subtypes (802.1AB-2016 table 8-3).
var portSubtypes = [...]string{
	1: "interface_alias",
	2: "port_component",
	3: "mac",
	4: "network_address",
	5: "interface_name",
	6: "agent_circuit_id",
	7: "local",
}

// renderID renders a chassis or port ID value according to its subtype.
func renderID(names []string, subtype byte, v []byte) (name, value string, err error) {
	name = strconv.Itoa(int(subtype))
	if int(subtype) < len(names) && names[subtype] != "" {
		name = names[subtype]
	}
	if len(v) == 0 {
		return name, "", fmt.Errorf("empty %s ID: %w", name, ErrMalformed)
	}
	switch name {
	case "mac":
		if len(v) < 6 {
			return name, hex.EncodeToString(v), fmt.Errorf("%d-byte MAC address: %w", len(v), ErrMalformed)
		}
		return name, net.HardwareAddr(v).String(), nil
	case "network_address":
		a, err := renderAddress(v[0], v[1:])
		if err != nil {
			return name, hex.EncodeToString(v), err
		}
		return name, a.Address, nil
	}
	return name, text(v), nil
}

// IANA address family numbers used by LLDP.
const (
	afiIPv4 = 1
	afiIPv6 = 2
	afi802  = 6
)

// renderAddress renders an address of IANA address family afi.
func renderAddress(afi byte, v []byte) (addrValue, error) {
	var want int
	switch afi {
	case afiIPv4:
		want = 4
	case afiIPv6:
		want = 16
	case afi802:
		want = 6
	default:
		return addrValue{Family: strconv.Itoa(int(afi)), Address: hex.EncodeToString(v)}, nil
	}
	family := map[byte]string{afiIPv4: "ipv4", afiIPv6: "ipv6", afi802: "mac"}[afi]
	if len(v) != want {
		return addrValue{Family: family, Address: hex.EncodeToString(v)},
			fmt.Errorf("%s address of %d bytes: %w", family, len(v), ErrMalformed)
	}
	if afi == afi802 {
		return addrValue{Family: family, Address: net.HardwareAddr(v).String()}, nil
	}
	ip, _ := netip.AddrFromSlice(v)
	return addrValue{Family: family, Address: ip.String()}, nil
}

// addrValue is an address rendered by family.
type addrValue struct {
	Family, Address string
}

// text returns v as a string when it is printable UTF-8 (trailing NULs,
// which some switches send, removed), else as lower-case hex.
func text(v []byte) string {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	if printable(v) {
		return string(v)
	}
	return hex.EncodeToString(v)
}

// printable reports whether v is valid UTF-8 without control characters
// other than tab, CR and LF.
func printable(v []byte) bool {
	if !utf8.Valid(v) {
		return false
	}
	for _, r := range string(v) {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// str returns a free-text TLV value: as sent, without trailing NULs.
func str(v []byte) string {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	return string(v)
}

// bitNames names the bits set in v, bit 0 first; names[i] is bit i, unnamed
// bits are "bitN".
func bitNames(v uint32, names []string) []string {
	var out []string
	for i := 0; i < 32; i++ {
		if v&(1<<i) == 0 {
			continue
		}
		if i < len(names) && names[i] != "" {
			out = append(out, names[i])
		} else {
			out = append(out, "bit"+strconv.Itoa(i))
		}
	}
	return out
}

// name returns names[i] when set, else i in decimal.
func name(names []string, i int) string {
	if i >= 0 && i < len(names) && names[i] != "" {
		return names[i]
	}
	return strconv.Itoa(i)
}
