package lldp

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/hwagent/hwagent/inventory"
)

// 802.1 organizationally specific TLV subtypes (802.1Q-2018 annex D).
const (
	dot1PVID            = 1
	dot1PPVID           = 2
	dot1VLANName        = 3
	dot1ProtocolID      = 4
	dot1LinkAggregation = 7
	dot1PFC             = 11
	dot1AppPriority     = 12
	dot1EVB             = 13
	dot1CDCP            = 14
)

// dot1 decodes an IEEE 802.1 TLV; known is false for subtypes hwagent keeps
// raw (congestion notification, ETS, VID usage digest, management VID…).
func (d *decoder) dot1(sub byte, b []byte) (known bool, err error) {
	n := d.n
	switch sub {
	case dot1PVID:
		if err := short(b, 2); err != nil {
			return true, err
		}
		if d.once("802.1 port VLAN ID") {
			n.PortVLANID = binary.BigEndian.Uint16(b)
		}
	case dot1PPVID:
		if err := short(b, 3); err != nil {
			return true, err
		}
		n.ProtocolVLANs = append(n.ProtocolVLANs, inventory.ProtocolVLAN{
			ID:        binary.BigEndian.Uint16(b[1:]),
			Supported: b[0]&0x02 != 0,
			Enabled:   b[0]&0x04 != 0,
		})
	case dot1VLANName:
		if err := short(b, 3); err != nil {
			return true, err
		}
		l := int(b[2])
		if len(b) < 3+l {
			return true, fmt.Errorf("VLAN name length %d in %d bytes: %w", l, len(b)-3, ErrTruncated)
		}
		n.VLANs = append(n.VLANs, inventory.VLAN{ID: binary.BigEndian.Uint16(b), Name: str(b[3 : 3+l])})
	case dot1ProtocolID:
		if err := short(b, 1); err != nil {
			return true, err
		}
		l := int(b[0])
		if len(b) < 1+l {
			return true, fmt.Errorf("protocol identity length %d in %d bytes: %w", l, len(b)-1, ErrTruncated)
		}
		n.ProtocolIdentities = append(n.ProtocolIdentities, hex.EncodeToString(b[1:1+l]))
	case dot1LinkAggregation:
		if err := short(b, 5); err != nil {
			return true, err
		}
		if d.once("link aggregation") {
			la := linkAggregation(b)
			la.PortType = [4]string{"", "aggregation_port", "aggregator", "both"}[b[0]>>2&3]
			n.LinkAggregation = la
		}
	case dot1PFC:
		if err := short(b, 2); err != nil {
			return true, err
		}
		if d.once("PFC configuration") {
			p := &inventory.PFCConfig{Willing: b[0]&0x80 != 0, MACsecBypass: b[0]&0x40 != 0, Capability: b[0] & 0x0f}
			for i := 0; i < 8; i++ {
				if b[1]&(1<<i) != 0 {
					p.EnabledPriorities = append(p.EnabledPriorities, i)
				}
			}
			n.PFC = p
		}
	case dot1AppPriority:
		if err := short(b, 1); err != nil {
			return true, err
		}
		table := b[1:]
		if len(table)%3 != 0 {
			return true, fmt.Errorf("application priority table of %d bytes, not a multiple of 3: %w", len(table), ErrMalformed)
		}
		for ; len(table) >= 3; table = table[3:] {
			n.ApplicationPriorities = append(n.ApplicationPriorities, inventory.ApplicationPriority{
				Priority: table[0] >> 5, Selector: table[0] & 0x07, ProtocolID: binary.BigEndian.Uint16(table[1:]),
			})
		}
	case dot1EVB:
		if err := short(b, 5); err != nil {
			return true, err
		}
		if d.once("EVB") {
			n.EVB = &inventory.EVB{
				BridgeBGID: b[0]&0x04 != 0, BridgeRRCAP: b[0]&0x02 != 0, BridgeRRCTR: b[0]&0x01 != 0,
				StationSGID: b[1]&0x08 != 0, StationRRREQ: b[1]&0x04 != 0, StationRRSTAT: b[1] & 0x03,
				R: b[2] >> 5, RTE: b[2] & 0x1f,
				Mode:   [4]string{"not_supported", "evb_bridge", "evb_station", "reserved"}[b[3]>>6],
				ROLRWD: b[3]&0x20 != 0, RWD: b[3] & 0x1f,
				ROLRKA: b[4]&0x20 != 0, RKA: b[4] & 0x1f,
			}
		}
	case dot1CDCP:
		if err := short(b, 4); err != nil {
			return true, err
		}
		chans := b[4:]
		if len(chans)%3 != 0 {
			return true, fmt.Errorf("CDCP channel list of %d bytes, not a multiple of 3: %w", len(chans), ErrMalformed)
		}
		if d.once("CDCP") {
			c := &inventory.CDCP{
				Role:            b[0] >> 7,
				SComp:           b[0]&0x08 != 0,
				ChannelCapacity: binary.BigEndian.Uint16(b[2:]) & 0x0fff,
			}
			for ; len(chans) >= 3; chans = chans[3:] {
				v := uint32(chans[0])<<16 | uint32(chans[1])<<8 | uint32(chans[2])
				c.Channels = append(c.Channels, inventory.SChannel{SCID: uint16(v >> 12), SVID: uint16(v & 0x0fff)})
			}
			n.CDCP = c
		}
	default:
		return false, nil
	}
	return true, nil
}

// linkAggregation decodes the status octet and port ID shared by the 802.1
// and 802.3 link aggregation TLVs; b has at least 5 bytes.
func linkAggregation(b []byte) *inventory.LinkAggregation {
	return &inventory.LinkAggregation{
		Capable: b[0]&0x01 != 0,
		Enabled: b[0]&0x02 != 0,
		PortID:  binary.BigEndian.Uint32(b[1:]),
	}
}
