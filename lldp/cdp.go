package lldp

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"

	"github.com/hwagent/hwagent/inventory"
)

// CDP TLV types (Cisco's CDP documentation; tcpdump print-cdp.c).
const (
	cdpDeviceID      = 0x01
	cdpAddress       = 0x02
	cdpPortID        = 0x03
	cdpCapabilities  = 0x04
	cdpVersion       = 0x05
	cdpPlatform      = 0x06
	cdpVTPDomain     = 0x09
	cdpNativeVLAN    = 0x0a
	cdpDuplex        = 0x0b
	cdpSystemName    = 0x14
	cdpMgmtAddresses = 0x16
)

// CDP capability bits, bit 0 first.
var cdpCapabilityNames = []string{"router", "transparent_bridge", "source_route_bridge", "switch", "host", "igmp", "repeater"}

// cdpIPv6Protocol is the 802.2 protocol field of a CDP IPv6 address.
var cdpIPv6Protocol = []byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd}

// DecodeCDP decodes a CDP PDU (the payload after the LLC/SNAP header):
// version, holdtime, checksum and TLVs. The checksum is not verified. Like
// DecodeLLDP it returns what it could decode with an error wrapping
// ErrTruncated or ErrMalformed for damaged PDUs; a PDU without Device-ID is
// malformed. Device-ID becomes ChassisID (subtype "local") and, unless a
// System Name TLV is present, SystemName; Port-ID becomes PortID (subtype
// "interface_name"); capabilities are reported as both supported and
// enabled.
func DecodeCDP(pdu []byte) (*inventory.Neighbor, error) {
	if len(pdu) < 4 {
		return nil, fmt.Errorf("CDP header: %d bytes: %w", len(pdu), ErrTruncated)
	}
	n := &inventory.Neighbor{Protocol: "cdp", TTLSeconds: uint16(pdu[1])}
	var errs []error
	fail := func(err error) {
		if len(errs) < maxErrors {
			errs = append(errs, err)
		}
	}
	var sysName string
	for rest := pdu[4:]; len(rest) > 0; {
		if len(rest) < 4 {
			fail(fmt.Errorf("CDP TLV header: %d bytes left: %w", len(rest), ErrTruncated))
			break
		}
		typ, l := binary.BigEndian.Uint16(rest), int(binary.BigEndian.Uint16(rest[2:]))
		if l < 4 {
			fail(fmt.Errorf("CDP TLV 0x%04x length %d: %w", typ, l, ErrMalformed))
			break
		}
		if l > len(rest) {
			fail(fmt.Errorf("CDP TLV 0x%04x length %d with %d bytes left: %w", typ, l, len(rest), ErrTruncated))
			break
		}
		v := rest[4:l]
		rest = rest[l:]
		if err := cdpTLV(n, typ, v, &sysName); err != nil {
			fail(fmt.Errorf("CDP TLV 0x%04x: %w", typ, err))
			n.Unknown = append(n.Unknown, inventory.UnknownTLV{Type: typ, Value: hex.EncodeToString(v)})
		}
	}
	switch {
	case sysName != "":
		n.SystemName = sysName
	case n.ChassisID != "":
		n.SystemName = n.ChassisID
	default:
		fail(fmt.Errorf("no CDP Device-ID TLV: %w", ErrMalformed))
	}
	return n, joinErrors(errs)
}

// cdpTLV decodes one CDP TLV into n.
func cdpTLV(n *inventory.Neighbor, typ uint16, v []byte, sysName *string) error {
	switch typ {
	case cdpDeviceID:
		n.ChassisIDSubtype, n.ChassisID = "local", text(v)
	case cdpPortID:
		n.PortIDSubtype, n.PortID = "interface_name", text(v)
	case cdpAddress, cdpMgmtAddresses:
		addrs, err := cdpAddresses(v)
		if typ == cdpAddress {
			n.InterfaceAddresses = append(n.InterfaceAddresses, addrs...)
		} else {
			n.ManagementAddresses = append(n.ManagementAddresses, addrs...)
		}
		return err
	case cdpCapabilities:
		if len(v) != 4 {
			return fmt.Errorf("%d bytes, want 4: %w", len(v), ErrMalformed)
		}
		caps := bitNames(binary.BigEndian.Uint32(v), cdpCapabilityNames)
		n.CapabilitiesSupported, n.CapabilitiesEnabled = caps, caps
	case cdpVersion:
		n.SoftwareVersion = str(v)
	case cdpPlatform:
		n.Platform = str(v)
	case cdpVTPDomain:
		n.VTPDomain = str(v)
	case cdpNativeVLAN:
		if len(v) != 2 {
			return fmt.Errorf("%d bytes, want 2: %w", len(v), ErrMalformed)
		}
		n.PortVLANID = binary.BigEndian.Uint16(v)
	case cdpDuplex:
		if len(v) != 1 {
			return fmt.Errorf("%d bytes, want 1: %w", len(v), ErrMalformed)
		}
		n.Duplex = "half"
		if v[0] != 0 {
			n.Duplex = "full"
		}
	case cdpSystemName:
		*sysName = str(v)
	default:
		n.Unknown = append(n.Unknown, inventory.UnknownTLV{Type: typ, Value: hex.EncodeToString(v)})
	}
	return nil
}

// cdpAddresses decodes a CDP address list: a 32-bit count, then per address
// protocol type, protocol length, protocol, 16-bit address length, address.
// It returns the addresses decoded before any error.
func cdpAddresses(v []byte) ([]inventory.ManagementAddress, error) {
	if len(v) < 4 {
		return nil, fmt.Errorf("address count: %d bytes: %w", len(v), ErrMalformed)
	}
	count := binary.BigEndian.Uint32(v)
	v = v[4:]
	var out []inventory.ManagementAddress
	for i := uint32(0); i < count; i++ {
		if len(v) < 2 {
			return out, fmt.Errorf("address %d of %d: %w", i+1, count, ErrTruncated)
		}
		pt, pl := v[0], int(v[1])
		if len(v) < 2+pl+2 {
			return out, fmt.Errorf("address %d protocol: %w", i+1, ErrTruncated)
		}
		proto := v[2 : 2+pl]
		al := int(binary.BigEndian.Uint16(v[2+pl:]))
		v = v[2+pl+2:]
		if len(v) < al {
			return out, fmt.Errorf("address %d: length %d with %d bytes left: %w", i+1, al, len(v), ErrTruncated)
		}
		a := v[:al]
		v = v[al:]
		switch {
		case pt == 1 && pl == 1 && proto[0] == 0xcc && al == 4,
			pt == 2 && bytes.Equal(proto, cdpIPv6Protocol) && al == 16:
			ip, _ := netip.AddrFromSlice(a)
			fam := "ipv4"
			if al == 16 {
				fam = "ipv6"
			}
			out = append(out, inventory.ManagementAddress{Family: fam, Address: ip.String()})
		default:
			out = append(out, inventory.ManagementAddress{Family: hex.EncodeToString(proto), Address: hex.EncodeToString(a)})
		}
	}
	return out, nil
}
