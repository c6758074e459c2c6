package lldp

import (
	"encoding/binary"

	"github.com/hwagent/hwagent/inventory"
)

// 802.3 organizationally specific TLV subtypes (802.3-2018 clause 79).
const (
	dot3MACPHY          = 1
	dot3PowerViaMDI     = 2
	dot3LinkAggregation = 3 // deprecated by the 802.1 TLV, still sent
	dot3MaxFrameSize    = 4
)

// dot3 decodes an IEEE 802.3 TLV; known is false for subtypes kept raw
// (EEE, EEE fast wake, additional Ethernet capabilities…).
func (d *decoder) dot3(sub byte, b []byte) (known bool, err error) {
	n := d.n
	switch sub {
	case dot3MACPHY:
		if err := short(b, 5); err != nil {
			return true, err
		}
		if d.once("802.3 MAC/PHY") {
			adv, mau := binary.BigEndian.Uint16(b[1:]), binary.BigEndian.Uint16(b[3:])
			n.MACPHY = &inventory.MACPHY{
				AutonegSupported:       b[0]&0x01 != 0,
				AutonegEnabled:         b[0]&0x02 != 0,
				Advertised:             adv,
				AdvertisedCapabilities: advertisedNames(adv),
				MAUType:                mau,
				MAUTypeName:            mauTypes[mau],
			}
		}
	case dot3PowerViaMDI:
		if err := short(b, 3); err != nil {
			return true, err
		}
		if d.once("802.3 power via MDI") {
			n.Power = powerViaMDI(b)
		}
	case dot3LinkAggregation:
		if err := short(b, 5); err != nil {
			return true, err
		}
		if d.once("link aggregation") {
			n.LinkAggregation = linkAggregation(b)
		}
	case dot3MaxFrameSize:
		if err := short(b, 2); err != nil {
			return true, err
		}
		if d.once("802.3 maximum frame size") {
			n.MaxFrameSizeBytes = binary.BigEndian.Uint16(b)
		}
	default:
		return false, nil
	}
	return true, nil
}

// powerViaMDI decodes the power via MDI TLV body (at least 3 bytes), with
// the 802.3at type/source/priority and power fields when present.
func powerViaMDI(b []byte) *inventory.PowerViaMDI {
	p := &inventory.PowerViaMDI{
		PortClass:    map[bool]string{true: "pse", false: "pd"}[b[0]&0x01 != 0],
		PSESupported: b[0]&0x02 != 0,
		PSEEnabled:   b[0]&0x04 != 0,
		PairControl:  b[0]&0x08 != 0,
		PSEPairs:     name([]string{1: "signal", 2: "spare"}, int(b[1])),
		PowerClass:   name([]string{1: "class0", 2: "class1", 3: "class2", 4: "class3", 5: "class4"}, int(b[2])),
	}
	if len(b) < 8 {
		return p
	}
	// 802.3at 79.3.2.4: bit 7 type (0 = Type 2), bit 6 PD (1) or PSE (0),
	// bits 5-4 source, bits 1-0 priority.
	t := b[3]
	typ := "type2"
	if t&0x80 != 0 {
		typ = "type1"
	}
	pd := t&0x40 != 0
	if pd {
		p.PowerType = typ + "_pd"
		p.PowerSource = [4]string{"unknown", "pse", "reserved", "pse_and_local"}[t>>4&3]
	} else {
		p.PowerType = typ + "_pse"
		p.PowerSource = [4]string{"unknown", "primary", "backup", "reserved"}[t>>4&3]
	}
	p.PowerPriority = [4]string{"unknown", "critical", "high", "low"}[t&3]
	p.RequestedPowerWatts = float64(binary.BigEndian.Uint16(b[4:])) / 10
	p.AllocatedPowerWatts = float64(binary.BigEndian.Uint16(b[6:])) / 10
	return p
}
