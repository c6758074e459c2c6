package lldp

import (
	"encoding/binary"
	"encoding/hex"

	"github.com/hwagent/hwagent/inventory"
)

// LLDP-MED TLV subtypes (ANSI/TIA-1057 section 10.2).
const (
	medCapabilities  = 1
	medNetworkPolicy = 2
	medLocation      = 3
	medExtendedPower = 4
	medHardwareRev   = 5
	medFirmwareRev   = 6
	medSoftwareRev   = 7
	medSerialNumber  = 8
	medManufacturer  = 9
	medModel         = 10
	medAssetID       = 11
)

var (
	medCapabilityNames = []string{"capabilities", "network_policy", "location", "extended_power_pse", "extended_power_pd", "inventory"}
	medDeviceTypes     = []string{1: "endpoint_class_1", 2: "endpoint_class_2", 3: "endpoint_class_3", 4: "network_connectivity"}
	medApplications    = []string{1: "voice", 2: "voice_signaling", 3: "guest_voice", 4: "guest_voice_signaling",
		5: "softphone_voice", 6: "video_conferencing", 7: "streaming_video", 8: "video_signaling"}
	medLocationFormats = []string{1: "coordinate", 2: "civic", 3: "elin"}
)

// medOf returns the neighbour's LLDP-MED section, creating it.
func (d *decoder) medOf() *inventory.LLDPMED {
	if d.n.MED == nil {
		d.n.MED = &inventory.LLDPMED{}
	}
	return d.n.MED
}

// med decodes an LLDP-MED TLV.
func (d *decoder) med(sub byte, b []byte) (known bool, err error) {
	switch sub {
	case medCapabilities:
		if err := short(b, 3); err != nil {
			return true, err
		}
		if d.once("LLDP-MED capabilities") {
			m := d.medOf()
			m.Capabilities = bitNames(uint32(binary.BigEndian.Uint16(b)), medCapabilityNames)
			m.DeviceType = name(medDeviceTypes, int(b[2]))
		}
	case medNetworkPolicy:
		if err := short(b, 4); err != nil {
			return true, err
		}
		m := d.medOf()
		m.NetworkPolicies = append(m.NetworkPolicies, inventory.MEDNetworkPolicy{
			Application: name(medApplications, int(b[0])),
			Unknown:     b[1]&0x80 != 0,
			Tagged:      b[1]&0x40 != 0,
			VLANID:      binary.BigEndian.Uint16(b[1:]) & 0x1ffe >> 1,
			Priority:    uint8(binary.BigEndian.Uint16(b[2:]) & 0x01c0 >> 6),
			DSCP:        b[3] & 0x3f,
		})
	case medLocation:
		if err := short(b, 1); err != nil {
			return true, err
		}
		loc := inventory.MEDLocation{Format: name(medLocationFormats, int(b[0]))}
		if b[0] == 3 {
			loc.Value = str(b[1:])
		} else {
			loc.Value = hex.EncodeToString(b[1:])
		}
		m := d.medOf()
		m.Locations = append(m.Locations, loc)
	case medExtendedPower:
		if err := short(b, 3); err != nil {
			return true, err
		}
		if d.once("LLDP-MED extended power") {
			p := &inventory.MEDPower{Type: [4]string{"pse", "pd", "reserved", "reserved"}[b[0]>>6]}
			if b[0]>>6 == 1 {
				p.Source = [4]string{"unknown", "pse", "local", "pse_and_local"}[b[0]>>4&3]
			} else {
				p.Source = [4]string{"unknown", "primary", "backup", "reserved"}[b[0]>>4&3]
			}
			p.Priority = name([]string{"unknown", "critical", "high", "low"}, int(b[0]&0x0f))
			p.PowerWatts = float64(binary.BigEndian.Uint16(b[1:])) / 10
			d.medOf().Power = p
		}
	case medHardwareRev, medFirmwareRev, medSoftwareRev, medSerialNumber, medManufacturer, medModel, medAssetID:
		m := d.medOf()
		field := map[byte]*string{
			medHardwareRev: &m.HardwareRev, medFirmwareRev: &m.FirmwareRev, medSoftwareRev: &m.SoftwareRev,
			medSerialNumber: &m.SerialNumber, medManufacturer: &m.Manufacturer, medModel: &m.Model, medAssetID: &m.AssetID,
		}[sub]
		if *field == "" {
			*field = str(b)
		}
	default:
		return false, nil
	}
	return true, nil
}
