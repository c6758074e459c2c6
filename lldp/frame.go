package lldp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"

	"github.com/hwagent/hwagent/inventory"
)

// EtherTypeLLDP is the LLDP EtherType (802.1AB 7.2).
const EtherTypeLLDP = 0x88cc

// Destination addresses LLDP and CDP frames are sent to. A listener joins all
// of them: switches use the nearest-bridge address, some appliances the
// others.
var (
	// MulticastNearestBridge is 01:80:c2:00:00:0e, the LLDP default.
	MulticastNearestBridge = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}
	// MulticastNearestNonTPMR is 01:80:c2:00:00:03.
	MulticastNearestNonTPMR = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x03}
	// MulticastNearestCustomer is 01:80:c2:00:00:00.
	MulticastNearestCustomer = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}
	// MulticastCDP is 01:00:0c:cc:cc:cc, Cisco's CDP/VTP/DTP address.
	MulticastCDP = net.HardwareAddr{0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc}
)

// Multicasts lists every destination address a listener joins.
func Multicasts() []net.HardwareAddr {
	return []net.HardwareAddr{MulticastNearestBridge, MulticastNearestNonTPMR, MulticastNearestCustomer, MulticastCDP}
}

// snapCDP is the LLC/SNAP header of a CDP frame: DSAP/SSAP 0xaa, UI, Cisco
// OUI 00-00-0c, PID 0x2000.
var snapCDP = []byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00}

// ethernetHeaderLen is destination, source and EtherType/length.
const ethernetHeaderLen = 14

// DecodeFrame decodes an Ethernet frame carrying LLDP (EtherType 0x88cc) or
// CDP (802.3 length, LLC/SNAP, Cisco OUI, PID 0x2000), with up to two
// 802.1Q/802.1ad tags. It sets SourceMAC from the frame. The error wraps
// ErrNotDiscovery for other frames; for damaged ones it wraps ErrTruncated
// or ErrMalformed and the returned neighbour holds what could be decoded.
func DecodeFrame(frame []byte) (*inventory.Neighbor, error) {
	if len(frame) < ethernetHeaderLen {
		return nil, fmt.Errorf("ethernet header: %d bytes: %w", len(frame), ErrTruncated)
	}
	src := frame[6:12]
	off := 12
	typ := binary.BigEndian.Uint16(frame[off:])
	for tags := 0; tags < 2 && isVLANTag(typ); tags++ {
		off += 4
		if len(frame) < off+2 {
			return nil, fmt.Errorf("802.1Q tag: %w", ErrTruncated)
		}
		typ = binary.BigEndian.Uint16(frame[off:])
	}
	payload := frame[off+2:]

	var n *inventory.Neighbor
	var err error
	switch {
	case typ == EtherTypeLLDP:
		n, err = DecodeLLDP(payload)
	case typ <= 1500:
		// 802.3 length: the rest of the frame may be padding.
		if int(typ) < len(payload) {
			payload = payload[:typ]
		}
		if len(payload) < len(snapCDP) || !bytes.Equal(payload[:len(snapCDP)], snapCDP) {
			return nil, ErrNotDiscovery
		}
		n, err = DecodeCDP(payload[len(snapCDP):])
	default:
		return nil, fmt.Errorf("ethertype 0x%04x: %w", typ, ErrNotDiscovery)
	}
	if n != nil {
		n.SourceMAC = net.HardwareAddr(src).String()
	}
	return n, err
}

func isVLANTag(t uint16) bool {
	return t == 0x8100 || t == 0x88a8 || t == 0x9100
}
