package ipmi

import (
	"fmt"
	"net"
	"net/netip"
)

// LAN configuration parameters (IPMI 2.0 rev. 1.1 Table 23-4) hwagent reads.
const (
	LANParamIPAddress         uint8 = 3
	LANParamIPSource          uint8 = 4
	LANParamMACAddress        uint8 = 5
	LANParamSubnetMask        uint8 = 6
	LANParamDefaultGateway    uint8 = 12
	LANParamDefaultGatewayMAC uint8 = 13
	LANParamVLANID            uint8 = 20
	LANParamIPv6Support       uint8 = 50
	LANParamIPv6Enables       uint8 = 51
	LANParamIPv6Status        uint8 = 55
	LANParamIPv6Static        uint8 = 56
	LANParamIPv6Dynamic       uint8 = 59
)

// lanData checks a Get LAN Configuration Parameters response (completion
// code, parameter revision, data) and returns the data, at least n bytes.
func lanData(param uint8, resp []byte, n int) ([]byte, error) {
	b, err := checkResponse(NetFnTransport, CmdGetLANConfigParams, resp, 1+n)
	if err != nil {
		return nil, fmt.Errorf("lan parameter %d: %w", param, err)
	}
	return b[1:], nil
}

// DecodeLANIPv4 decodes parameter 3 (IP address), 6 (subnet mask) or 12
// (default gateway address): four bytes, most significant first. 0.0.0.0
// is returned as is; it means "not configured".
func DecodeLANIPv4(param uint8, resp []byte) (netip.Addr, error) {
	b, err := lanData(param, resp, 4)
	if err != nil {
		return netip.Addr{}, err
	}
	return netip.AddrFrom4([4]byte(b[:4])), nil
}

// DecodeLANMAC decodes parameter 5 (MAC address) or 13 (default gateway MAC
// address): six bytes in transmission order.
func DecodeLANMAC(param uint8, resp []byte) (net.HardwareAddr, error) {
	b, err := lanData(param, resp, 6)
	if err != nil {
		return nil, err
	}
	return net.HardwareAddr(append([]byte(nil), b[:6]...)), nil
}

// IPSource is parameter 4, how the channel got its IPv4 address.
type IPSource uint8

// IP address sources (Table 23-4, parameter 4 bits 3:0).
const (
	IPSourceUnspecified IPSource = 0
	IPSourceStatic      IPSource = 1
	IPSourceDHCP        IPSource = 2
	IPSourceBIOS        IPSource = 3 // BIOS or system software
	IPSourceOther       IPSource = 4
)

// String is "unspecified", "static", "dhcp", "bios" or "other".
func (s IPSource) String() string {
	switch s {
	case IPSourceUnspecified:
		return "unspecified"
	case IPSourceStatic:
		return "static"
	case IPSourceDHCP:
		return "dhcp"
	case IPSourceBIOS:
		return "bios"
	case IPSourceOther:
		return "other"
	}
	return fmt.Sprintf("reserved(%d)", uint8(s))
}

// DecodeLANIPSource decodes parameter 4. Values 5-15 are reserved and an
// error.
func DecodeLANIPSource(resp []byte) (IPSource, error) {
	b, err := lanData(LANParamIPSource, resp, 1)
	if err != nil {
		return 0, err
	}
	s := IPSource(b[0] & 0x0F)
	if s > IPSourceOther {
		return 0, fmt.Errorf("lan parameter %d: %w: reserved IP address source %d", LANParamIPSource, ErrMalformed, s)
	}
	return s, nil
}

// VLAN is parameter 20, the 802.1q VLAN the channel tags its traffic with.
type VLAN struct {
	// ID is the 12-bit VLAN ID.
	ID uint16
	// Enabled is bit 15: the channel tags with ID.
	Enabled bool
}

// DecodeLANVLAN decodes parameter 20: byte 1 is the VLAN ID's low eight
// bits, byte 2 bits 3:0 its high four bits and bit 7 the enable flag.
func DecodeLANVLAN(resp []byte) (VLAN, error) {
	b, err := lanData(LANParamVLANID, resp, 2)
	if err != nil {
		return VLAN{}, err
	}
	return VLAN{ID: uint16(b[0]) | uint16(b[1]&0x0F)<<8, Enabled: b[1]&0x80 != 0}, nil
}

// IPv6Support is parameter 50 (IPv6/IPv4 Support).
type IPv6Support struct {
	// IPv6Only: the channel can run IPv6 with IPv4 disabled (bit 0).
	IPv6Only bool
	// DualStack: IPv4 and IPv6 at the same time (bit 1).
	DualStack bool
	// AlertDestinations: IPv6 LAN alert destinations (bit 2).
	AlertDestinations bool
}

// DecodeLANIPv6Support decodes parameter 50.
func DecodeLANIPv6Support(resp []byte) (IPv6Support, error) {
	b, err := lanData(LANParamIPv6Support, resp, 1)
	if err != nil {
		return IPv6Support{}, err
	}
	return IPv6Support{IPv6Only: b[0]&1 != 0, DualStack: b[0]&2 != 0, AlertDestinations: b[0]&4 != 0}, nil
}

// IPAddressing is parameter 51 (IPv6/IPv4 Addressing Enables).
type IPAddressing uint8

// Addressing modes of parameter 51.
const (
	AddressingIPv4Only  IPAddressing = 0
	AddressingIPv6Only  IPAddressing = 1
	AddressingDualStack IPAddressing = 2
)

// IPv6Enabled reports whether the mode runs IPv6.
func (a IPAddressing) IPv6Enabled() bool {
	return a == AddressingIPv6Only || a == AddressingDualStack
}

// DecodeLANIPAddressing decodes parameter 51; values above 2 are reserved
// and an error.
func DecodeLANIPAddressing(resp []byte) (IPAddressing, error) {
	b, err := lanData(LANParamIPv6Enables, resp, 1)
	if err != nil {
		return 0, err
	}
	if b[0] > 2 {
		return 0, fmt.Errorf("lan parameter %d: %w: reserved addressing mode 0x%02x", LANParamIPv6Enables, ErrMalformed, b[0])
	}
	return IPAddressing(b[0]), nil
}

// IPv6Status is parameter 55 (IPv6 Status).
type IPv6Status struct {
	// StaticAddresses is how many static addresses parameter 56 holds.
	StaticAddresses uint8
	// DynamicAddresses is how many SLAAC/DHCPv6 addresses parameter 59
	// holds.
	DynamicAddresses uint8
	// DHCPv6 and SLAAC are supported (byte 3 bits 1 and 0).
	DHCPv6, SLAAC bool
}

// DecodeLANIPv6Status decodes parameter 55.
func DecodeLANIPv6Status(resp []byte) (IPv6Status, error) {
	b, err := lanData(LANParamIPv6Status, resp, 3)
	if err != nil {
		return IPv6Status{}, err
	}
	return IPv6Status{StaticAddresses: b[0], DynamicAddresses: b[1], DHCPv6: b[2]&2 != 0, SLAAC: b[2]&1 != 0}, nil
}

// IPv6Address is one entry of parameter 56 (IPv6 Static Addresses) or 59
// (IPv6 Dynamic Address).
type IPv6Address struct {
	// Set is the set selector the entry answered for.
	Set uint8
	// Source is "static", "slaac" or "dhcpv6" (byte 2 bits 3:0).
	Source string
	// Enabled is byte 2 bit 7; meaningful for static addresses only.
	Enabled bool
	// Address and PrefixLength (bytes 3-18, byte 19). :: means none.
	Address      netip.Addr
	PrefixLength uint8
	// Status is "active", "disabled", "pending", "failed", "deprecated" or
	// "invalid" (byte 20).
	Status string
}

var ipv6Statuses = []string{"active", "disabled", "pending", "failed", "deprecated", "invalid"}

// DecodeLANIPv6Address decodes a parameter 56 or 59 response: set selector,
// address source/type, 16 address bytes most significant first, prefix
// length, address status.
func DecodeLANIPv6Address(param uint8, resp []byte) (IPv6Address, error) {
	b, err := lanData(param, resp, 20)
	if err != nil {
		return IPv6Address{}, err
	}
	a := IPv6Address{
		Set:          b[0],
		Enabled:      b[1]&0x80 != 0,
		Address:      netip.AddrFrom16([16]byte(b[2:18])),
		PrefixLength: b[18],
	}
	switch src := b[1] & 0x0F; {
	case src == 0:
		a.Source = "static"
	case src == 1:
		a.Source = "slaac"
	case src == 2:
		a.Source = "dhcpv6"
	default:
		return IPv6Address{}, fmt.Errorf("lan parameter %d: %w: reserved address source %d", param, ErrMalformed, src)
	}
	if a.PrefixLength > 128 {
		return IPv6Address{}, fmt.Errorf("lan parameter %d: %w: prefix length %d", param, ErrMalformed, a.PrefixLength)
	}
	if int(b[19]) >= len(ipv6Statuses) {
		return IPv6Address{}, fmt.Errorf("lan parameter %d: %w: reserved address status %d", param, ErrMalformed, b[19])
	}
	a.Status = ipv6Statuses[b[19]]
	return a, nil
}
