package smbios

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/hwagent/hwagent/inventory"
)

// RedfishHostInterfaces maps every type 42 (Management Controller Host
// Interface, DSP0134 7.43) structure, in table order. u-root has no decoder
// for type 42; DecodeHostInterface reads the structure bytes.
//
// SMBIOS 3.2 gave the structure its DSP0270 layout (an interface-specific
// data length at 05h). Older tables had no length byte, and dmidecode then
// decodes only the interface type; here an older structure is decoded with
// the DSP0270 layout only when its lengths add up exactly, else only its
// interface type is kept. Structures that cannot be decoded are returned as
// far as they were read, and the error says what was wrong with them.
func (t *Table) RedfishHostInterfaces() ([]inventory.RedfishHostInterface, error) {
	var out []inventory.RedfishHostInterface
	var errs []error
	modern := t.ver() >= 0x0302
	for _, s := range t.structures(typeHostInterface) {
		raw := s.bytes(0, s.length())
		hi, err := DecodeHostInterface(raw)
		if err != nil && !modern && len(raw) >= 5 {
			// Pre-3.2 layout: only the interface type is certain.
			hi, err = &inventory.RedfishHostInterface{InterfaceType: hostInterfaceType(raw[4])}, nil
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("SMBIOS type 42 handle 0x%04X: %w", s.Handle, err))
		}
		if hi != nil {
			out = append(out, *hi)
		}
	}
	return out, errors.Join(errs...)
}

// ErrShortHostInterface means a type 42 structure or one of its records is
// shorter than its fields or length bytes require.
var ErrShortHostInterface = errors.New("type 42 structure truncated")

// DecodeHostInterface decodes the formatted area of one type 42 structure
// (header included, no strings) in the DSP0134 3.2+ / DSP0270 layout:
//
//	00h type (42), 01h length, 02h handle
//	04h interface type (40h: network host interface)
//	05h interface-specific data length n, 06h data (DSP0270 8.3):
//	    device type 02h USB:    idVendor, idProduct (words), serial descriptor
//	    device type 03h PCI:    vendor, device, subvendor, subdevice (words)
//	    device type 04h USB v2: length, idVendor, idProduct, serial index, MAC
//	    device type 05h PCI v2: length, vendor, device, subvendor, subdevice, MAC,
//	                            segment, bus, device/function
//	06h+n protocol record count, then records: type, length m, m data bytes
//	    (04h Redfish over IP, DSP0270 8.4.1: service UUID 16, host IP
//	    assignment 1, host address format 1, host IP 16, host mask 16,
//	    service discovery 1, service address format 1, service IP 16,
//	    service mask 16, port 2, VLAN 4, hostname length 1, hostname)
//
// When the structure is cut short, the fields read before the cut are
// returned with an error wrapping ErrShortHostInterface. It never panics.
func DecodeHostInterface(b []byte) (*inventory.RedfishHostInterface, error) {
	if len(b) < 5 {
		return nil, fmt.Errorf("%w: %d bytes", ErrShortHostInterface, len(b))
	}
	if b[0] != typeHostInterface {
		return nil, fmt.Errorf("structure type %d is not 42", b[0])
	}
	if int(b[1]) < 5 {
		return nil, fmt.Errorf("%w: length byte says %d", ErrShortHostInterface, b[1])
	}
	if int(b[1]) < len(b) {
		b = b[:b[1]] // bytes beyond the formatted length are not ours
	}
	hi := &inventory.RedfishHostInterface{InterfaceType: hostInterfaceType(b[4])}
	if int(b[1]) > len(b) {
		return hi, fmt.Errorf("%w: length byte says %d, have %d", ErrShortHostInterface, b[1], len(b))
	}
	if len(b) < 0x0B {
		return hi, fmt.Errorf("%w: %d bytes, need at least 11", ErrShortHostInterface, len(b))
	}
	n := int(b[5])
	if 6+n+1 > len(b) {
		return hi, fmt.Errorf("%w: interface data of %d bytes and record count do not fit in %d", ErrShortHostInterface, n, len(b))
	}
	if b[4] == 0x40 && n > 0 {
		decodeHostDevice(hi, b[6:6+n])
	}
	count := int(b[6+n])
	recs := b[6+n+1:]
	for i := 0; i < count; i++ {
		if len(recs) < 2 || 2+int(recs[1]) > len(recs) {
			return hi, fmt.Errorf("%w: protocol record %d of %d", ErrShortHostInterface, i+1, count)
		}
		id, data := recs[0], recs[2:2+int(recs[1])]
		recs = recs[2+int(recs[1]):]
		if p := protocolType(id); p != "" {
			hi.Protocols = append(hi.Protocols, p)
		}
		if id == 0x04 {
			if err := decodeRedfishOverIP(hi, data); err != nil {
				return hi, fmt.Errorf("protocol record %d: %w", i+1, err)
			}
		}
	}
	if len(recs) != 0 {
		return hi, fmt.Errorf("%d bytes after the last of %d protocol records", len(recs), count)
	}
	return hi, nil
}

// decodeHostDevice reads the DSP0270 8.3 device description of a network
// host interface. IDs are four lower-case hex digits, as elsewhere in the
// inventory; too-short descriptions leave the IDs out, as dmidecode does.
func decodeHostDevice(hi *inventory.RedfishHostInterface, d []byte) {
	typ, d := d[0], d[1:]
	id := func(off int) string { return fmt.Sprintf("%04x", binary.LittleEndian.Uint16(d[off:])) }
	mac := func(off int) string {
		m := d[off : off+6]
		return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
	}
	switch {
	case typ == 0x02:
		hi.DeviceType = "USB Network Interface"
		if len(d) >= 4 {
			hi.VendorID, hi.ProductID = id(0), id(2)
		}
	case typ == 0x03:
		hi.DeviceType = "PCI/PCIe Network Interface"
		if len(d) >= 8 {
			hi.VendorID, hi.ProductID = id(0), id(2)
		}
	case typ == 0x04:
		hi.DeviceType = "USB Network Interface v2"
		if len(d) >= 12 {
			hi.VendorID, hi.ProductID, hi.MAC = id(1), id(3), mac(6)
		}
	case typ == 0x05:
		hi.DeviceType = "PCI/PCIe Network Interface v2"
		if len(d) >= 19 {
			hi.VendorID, hi.ProductID, hi.MAC = id(1), id(3), mac(9)
		}
	case typ >= 0x80:
		hi.DeviceType = "OEM"
	}
}

// ipAssignment names DSP0270 8.4.2 assignment and discovery types.
var ipAssignment = []string{"", "static", "dhcp", "autoconf", "host_selected"}

// decodeRedfishOverIP reads a Redfish over IP protocol record (DSP0270
// 8.4.1). Addresses are given only for static and autoconf assignment, as
// dmidecode reads them; other types leave those bytes meaningless.
func decodeRedfishOverIP(hi *inventory.RedfishHostInterface, d []byte) error {
	if len(d) < 91 {
		return fmt.Errorf("%w: Redfish over IP record of %d bytes, need 91", ErrShortHostInterface, len(d))
	}
	hi.ServiceUUID = formatUUID(d[0:16], 0x0206)
	hi.HostIPAssignment = name(ipAssignment, 0, int(d[16]))
	if d[16] == 1 || d[16] == 3 {
		hi.HostIP = ipString(d[18:34], d[17])
		hi.HostNetmask = ipString(d[34:50], d[17])
	}
	hi.ServiceIPDiscovery = name(ipAssignment, 0, int(d[50]))
	if d[50] == 1 || d[50] == 3 {
		hi.ServiceIP = ipString(d[52:68], d[51])
		hi.ServiceNetmask = ipString(d[68:84], d[51])
		hi.ServicePort = binary.LittleEndian.Uint16(d[84:86])
		hi.ServiceVLAN = binary.LittleEndian.Uint32(d[86:90])
	}
	hlen := int(d[90])
	if 91+hlen > len(d) {
		return fmt.Errorf("%w: hostname of %d bytes in a record of %d", ErrShortHostInterface, hlen, len(d))
	}
	host := d[91 : 91+hlen]
	for len(host) > 0 && host[len(host)-1] == 0 { // some firmware counts the NUL
		host = host[:len(host)-1]
	}
	hi.ServiceHostname = cleanString(string(host))
	return nil
}

// ipString renders a 16-byte address field by its format (DSP0270 8.4.3):
// 1 IPv4 in the first four bytes, 2 IPv6; "" for unknown formats and for
// the unspecified address.
func ipString(b []byte, format uint8) string {
	var a netip.Addr
	switch format {
	case 1:
		a = netip.AddrFrom4([4]byte(b[:4]))
	case 2:
		a = netip.AddrFrom16([16]byte(b[:16]))
	default:
		return ""
	}
	if a.IsUnspecified() {
		return ""
	}
	return a.String()
}
