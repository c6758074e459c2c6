package lldp

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/hwagent/hwagent/inventory"
)

// LLDP TLV types (802.1AB-2016 table 8-1).
const (
	tlvEnd             = 0
	tlvChassisID       = 1
	tlvPortID          = 2
	tlvTTL             = 3
	tlvPortDescription = 4
	tlvSystemName      = 5
	tlvSystemDesc      = 6
	tlvCapabilities    = 7
	tlvMgmtAddress     = 8
	tlvOrgSpecific     = 127
)

var tlvNames = map[int]string{
	tlvChassisID: "chassis ID", tlvPortID: "port ID", tlvTTL: "TTL",
	tlvPortDescription: "port description", tlvSystemName: "system name",
	tlvSystemDesc: "system description", tlvCapabilities: "system capabilities",
	tlvMgmtAddress: "management address",
}

// System capabilities (802.1AB-2016 table 8-4), bit 0 first.
var capabilityNames = []string{
	"other", "repeater", "bridge", "wlan_access_point", "router", "telephone",
	"docsis_cable_device", "station_only", "c_vlan", "s_vlan", "tpmr",
}

// maxErrors bounds how many problems one frame reports.
const maxErrors = 8

// decoder accumulates one LLDPDU's neighbour and problems.
type decoder struct {
	n    *inventory.Neighbor
	errs []error
	seen map[string]bool
}

func (d *decoder) fail(err error) {
	if err != nil && len(d.errs) < maxErrors {
		d.errs = append(d.errs, err)
	}
}

// once reports whether key is seen for the first time, and records a
// duplicate otherwise: single-instance TLVs keep their first value.
func (d *decoder) once(key string) bool {
	if d.seen[key] {
		d.fail(fmt.Errorf("duplicate %s TLV: %w", key, ErrMalformed))
		return false
	}
	d.seen[key] = true
	return true
}

func (d *decoder) unknown(typ int, oui string, subtype byte, v []byte) {
	d.n.Unknown = append(d.n.Unknown, inventory.UnknownTLV{Type: uint16(typ), OUI: oui, Subtype: subtype, Value: hex.EncodeToString(v)})
}

// DecodeLLDP decodes an LLDPDU (the payload after EtherType 0x88cc) up to
// its End TLV. It never panics: a damaged PDU yields the neighbour decoded
// so far and an error wrapping ErrTruncated or ErrMalformed (every problem
// found, joined). A PDU without chassis ID, port ID and TTL is malformed.
func DecodeLLDP(pdu []byte) (*inventory.Neighbor, error) {
	d := &decoder{n: &inventory.Neighbor{Protocol: "lldp"}, seen: map[string]bool{}}
	for len(pdu) >= 2 {
		h := binary.BigEndian.Uint16(pdu)
		typ, l := int(h>>9), int(h&0x1ff)
		pdu = pdu[2:]
		if typ == tlvEnd {
			break
		}
		if l > len(pdu) {
			d.fail(fmt.Errorf("TLV type %d length %d with %d bytes left: %w", typ, l, len(pdu), ErrTruncated))
			break
		}
		d.tlv(typ, pdu[:l])
		pdu = pdu[l:]
	}
	for _, typ := range []int{tlvChassisID, tlvPortID, tlvTTL} {
		if !d.seen[tlvNames[typ]] {
			d.fail(fmt.Errorf("no %s TLV: %w", tlvNames[typ], ErrMalformed))
		}
	}
	return d.n, joinErrors(d.errs)
}

func (d *decoder) tlv(typ int, v []byte) {
	n := d.n
	if name, ok := tlvNames[typ]; ok && typ != tlvMgmtAddress && !d.once(name) {
		return
	}
	switch typ {
	case tlvChassisID, tlvPortID:
		if len(v) < 2 {
			d.fail(fmt.Errorf("%s TLV of %d bytes: %w", tlvNames[typ], len(v), ErrMalformed))
			d.unknown(typ, "", 0, v)
			return
		}
		names := chassisSubtypes[:]
		if typ == tlvPortID {
			names = portSubtypes[:]
		}
		sub, val, err := renderID(names, v[0], v[1:])
		if err != nil {
			d.fail(fmt.Errorf("%s: %w", tlvNames[typ], err))
		}
		if typ == tlvChassisID {
			n.ChassisIDSubtype, n.ChassisID = sub, val
		} else {
			n.PortIDSubtype, n.PortID = sub, val
		}
	case tlvTTL:
		if len(v) < 2 {
			d.fail(fmt.Errorf("TTL TLV of %d bytes: %w", len(v), ErrMalformed))
			return
		}
		n.TTLSeconds = binary.BigEndian.Uint16(v)
	case tlvPortDescription:
		n.PortDescription = str(v)
	case tlvSystemName:
		n.SystemName = str(v)
	case tlvSystemDesc:
		n.SystemDescription = str(v)
	case tlvCapabilities:
		if len(v) < 4 {
			d.fail(fmt.Errorf("system capabilities TLV of %d bytes: %w", len(v), ErrMalformed))
			d.unknown(typ, "", 0, v)
			return
		}
		n.CapabilitiesSupported = bitNames(uint32(binary.BigEndian.Uint16(v)), capabilityNames)
		n.CapabilitiesEnabled = bitNames(uint32(binary.BigEndian.Uint16(v[2:])), capabilityNames)
	case tlvMgmtAddress:
		a, err := decodeMgmtAddress(v)
		if err != nil {
			d.fail(fmt.Errorf("management address: %w", err))
			d.unknown(typ, "", 0, v)
			return
		}
		n.ManagementAddresses = append(n.ManagementAddresses, a)
	case tlvOrgSpecific:
		d.org(v)
	default:
		d.unknown(typ, "", 0, v)
	}
}

// Interface numbering subtypes (802.1AB-2016 8.5.9.5).
var ifNumberingNames = []string{1: "unknown", 2: "ifindex", 3: "system_port"}

// decodeMgmtAddress decodes a management address TLV (802.1AB-2016 8.5.9).
func decodeMgmtAddress(v []byte) (inventory.ManagementAddress, error) {
	var a inventory.ManagementAddress
	if len(v) < 1 {
		return a, fmt.Errorf("empty: %w", ErrMalformed)
	}
	alen := int(v[0])
	if alen < 1 || len(v) < 1+alen {
		return a, fmt.Errorf("address string length %d in %d bytes: %w", alen, len(v), ErrTruncated)
	}
	addr, err := renderAddress(v[1], v[2:1+alen])
	a.Family, a.Address = addr.Family, addr.Address
	if err != nil {
		return a, err
	}
	rest := v[1+alen:]
	if len(rest) < 5 {
		return a, fmt.Errorf("interface numbering of %d bytes: %w", len(rest), ErrTruncated)
	}
	a.InterfaceSubtype = name(ifNumberingNames, int(rest[0]))
	a.InterfaceNumber = binary.BigEndian.Uint32(rest[1:5])
	rest = rest[5:]
	if len(rest) > 0 {
		olen := int(rest[0])
		if len(rest) < 1+olen {
			return a, fmt.Errorf("OID length %d in %d bytes: %w", olen, len(rest)-1, ErrTruncated)
		}
		if olen > 0 {
			a.OID = hex.EncodeToString(rest[1 : 1+olen])
		}
	}
	return a, nil
}
