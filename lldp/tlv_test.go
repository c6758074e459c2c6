package lldp

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/inventory"
)

// tlv encodes one LLDP TLV.
func tlv(typ int, v ...byte) []byte {
	return append([]byte{byte(typ<<1 | len(v)>>8), byte(len(v))}, v...)
}

// org encodes an organizationally specific TLV.
func org(oui int, sub byte, body ...byte) []byte {
	return tlv(127, append([]byte{byte(oui >> 16), byte(oui >> 8), byte(oui), sub}, body...)...)
}

// pdu joins TLVs after the three mandatory ones and appends End.
func pdu(tlvs ...[]byte) []byte {
	out := append(tlv(1, 4, 0x52, 0x54, 0, 0xab, 0xcd, 0xef), tlv(2, 5, 'e', 't', 'h', '0')...)
	out = append(out, tlv(3, 0, 120)...)
	for _, t := range tlvs {
		out = append(out, t...)
	}
	return append(out, 0, 0)
}

// mandatory is what pdu's first three TLVs decode to.
var mandatory = inventory.Neighbor{
	Protocol: "lldp", ChassisIDSubtype: "mac", ChassisID: "52:54:00:ab:cd:ef",
	PortIDSubtype: "interface_name", PortID: "eth0", TTLSeconds: 120,
}

func with(f func(n *inventory.Neighbor)) *inventory.Neighbor {
	n := mandatory
	f(&n)
	return &n
}

// TestDecodeLLDPTLVs covers TLVs the captures do not carry, as 802.1AB,
// 802.3 and TIA-1057 define them.
func TestDecodeLLDPTLVs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pdu     []byte
		want    *inventory.Neighbor
		wantErr error
	}{
		{
			name: "chassis IPv6 network address, port agent circuit ID in hex",
			pdu: append(append(tlv(1, append([]byte{5, 2}, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)...),
				tlv(2, 6, 0x01, 0x02, 0xff)...), append(tlv(3, 0, 0), 0, 0)...),
			want: &inventory.Neighbor{Protocol: "lldp", ChassisIDSubtype: "network_address", ChassisID: "2001:db8::1",
				PortIDSubtype: "agent_circuit_id", PortID: "0102ff"},
		},
		{
			name: "management address with OID, system port numbering",
			pdu:  pdu(tlv(8, 5, 1, 10, 0, 0, 1, 3, 0, 0, 0, 7, 3, 0x2b, 0x06, 0x01)),
			want: with(func(n *inventory.Neighbor) {
				n.ManagementAddresses = []inventory.ManagementAddress{{Family: "ipv4", Address: "10.0.0.1", InterfaceSubtype: "system_port", InterfaceNumber: 7, OID: "2b0601"}}
			}),
		},
		{
			name: "MAC management address",
			pdu:  pdu(tlv(8, 7, 6, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 2, 0, 0, 0, 1)),
			want: with(func(n *inventory.Neighbor) {
				n.ManagementAddresses = []inventory.ManagementAddress{{Family: "mac", Address: "00:11:22:33:44:55", InterfaceSubtype: "ifindex", InterfaceNumber: 1}}
			}),
		},
		{
			name: "802.1 VLAN names, PPVID enabled, link aggregation port type",
			pdu: pdu(org(ouiIEEE8021, 3, 0, 100, 7, 'v', 'l', 'a', 'n', '1', '0', '0'),
				org(ouiIEEE8021, 3, 0, 200, 0),
				org(ouiIEEE8021, 2, 0x06, 0, 10),
				org(ouiIEEE8021, 7, 0x0b, 0, 0, 0, 42)),
			want: with(func(n *inventory.Neighbor) {
				n.VLANs = []inventory.VLAN{{ID: 100, Name: "vlan100"}, {ID: 200}}
				n.ProtocolVLANs = []inventory.ProtocolVLAN{{ID: 10, Supported: true, Enabled: true}}
				n.LinkAggregation = &inventory.LinkAggregation{Capable: true, Enabled: true, PortID: 42, PortType: "aggregator"}
			}),
		},
		{
			name: "802.3 power via MDI with 802.3at fields, max frame size",
			pdu: pdu(org(ouiIEEE8023, 2, 0x0f, 1, 5, 0x51, 0x00, 0xff, 0x00, 0xfa),
				org(ouiIEEE8023, 4, 0x25, 0xee)),
			want: with(func(n *inventory.Neighbor) {
				n.Power = &inventory.PowerViaMDI{PortClass: "pse", PSESupported: true, PSEEnabled: true, PairControl: true,
					PSEPairs: "signal", PowerClass: "class4", PowerType: "type2_pd", PowerSource: "pse",
					PowerPriority: "critical", RequestedPowerWatts: 25.5, AllocatedPowerWatts: 25}
				n.MaxFrameSizeBytes = 9710
			}),
		},
		{
			name: "802.3 power via MDI, PD without 802.3at fields",
			pdu:  pdu(org(ouiIEEE8023, 2, 0x00, 2, 1)),
			want: with(func(n *inventory.Neighbor) {
				n.Power = &inventory.PowerViaMDI{PortClass: "pd", PSEPairs: "spare", PowerClass: "class0"}
			}),
		},
		{
			name: "LLDP-MED",
			pdu: pdu(org(ouiTIA, 1, 0x00, 0x33, 4),
				org(ouiTIA, 2, 1, 0x40|0x00, 0xc8|0x01, 0x80|46), // voice, tagged, VLAN 100, priority 6, DSCP 46
				org(ouiTIA, 3, 3, '9', '1', '1'),
				org(ouiTIA, 4, 0x52, 0x00, 0x9a), // PD, local source, high, 15.4 W
				org(ouiTIA, 5, 'r', '1'), org(ouiTIA, 9, 'A', 'c', 'm', 'e'), org(ouiTIA, 10, 'X', '1')),
			want: with(func(n *inventory.Neighbor) {
				n.MED = &inventory.LLDPMED{
					Capabilities: []string{"capabilities", "network_policy", "extended_power_pd", "inventory"},
					DeviceType:   "network_connectivity",
					NetworkPolicies: []inventory.MEDNetworkPolicy{
						{Application: "voice", Tagged: true, VLANID: 100, Priority: 6, DSCP: 46},
					},
					Locations:   []inventory.MEDLocation{{Format: "elin", Value: "911"}},
					Power:       &inventory.MEDPower{Type: "pd", Source: "pse", Priority: "high", PowerWatts: 15.4},
					HardwareRev: "r1", Manufacturer: "Acme", Model: "X1",
				}
			}),
		},
		{
			name: "unknown TLV type and unknown 802.1 subtype kept as hex",
			pdu:  pdu(tlv(42, 0xde, 0xad), org(ouiIEEE8021, 9, 1, 2, 3)),
			want: with(func(n *inventory.Neighbor) {
				n.Unknown = []inventory.UnknownTLV{{Type: 42, Value: "dead"}, {Type: 127, OUI: "0080c2", Subtype: 9, Value: "010203"}}
			}),
		},
		{
			name:    "duplicate chassis ID keeps the first",
			pdu:     pdu(tlv(1, 7, 'o', 't', 'h', 'e', 'r')),
			want:    &mandatory,
			wantErr: ErrMalformed,
		},
		{
			name: "VLAN name longer than its TLV",
			pdu:  pdu(org(ouiIEEE8021, 3, 0, 100, 9, 'v')),
			want: with(func(n *inventory.Neighbor) {
				n.Unknown = []inventory.UnknownTLV{{Type: 127, OUI: "0080c2", Subtype: 3, Value: "00640976"}}
			}),
			wantErr: ErrTruncated,
		},
		{
			name:    "TLV longer than the PDU",
			pdu:     append(pdu()[:len(pdu())-2], 0x0a, 0x10, 'x'),
			want:    &mandatory,
			wantErr: ErrTruncated,
		},
		{
			name:    "short MAC chassis ID",
			pdu:     append(tlv(1, 4, 1, 2, 3), 0, 0),
			want:    &inventory.Neighbor{Protocol: "lldp", ChassisIDSubtype: "mac", ChassisID: "010203"},
			wantErr: ErrMalformed,
		},
		{
			name:    "empty",
			pdu:     nil,
			want:    &inventory.Neighbor{Protocol: "lldp"},
			wantErr: ErrMalformed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeLLDP(tt.pdu)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// cdpPDU is a CDP header (version 2, holdtime 180) and TLVs.
func cdpPDU(tlvs ...[]byte) []byte {
	out := []byte{2, 180, 0, 0}
	for _, t := range tlvs {
		out = append(out, t...)
	}
	return out
}

func cdpTLVBytes(typ uint16, v ...byte) []byte {
	l := len(v) + 4
	return append([]byte{byte(typ >> 8), byte(typ), byte(l >> 8), byte(l)}, v...)
}

func TestDecodeCDP(t *testing.T) {
	t.Parallel()
	ipv6 := append([]byte{0, 0, 0, 2, 2, 8, 0xaa, 0xaa, 3, 0, 0, 0, 0x86, 0xdd, 0, 16, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
		1, 1, 0x81, 0, 2, 0xab, 0xcd) // a CLNS-style address hwagent keeps in hex
	tests := []struct {
		name    string
		pdu     []byte
		want    *inventory.Neighbor
		wantErr error
	}{
		{
			name: "system name TLV, IPv6 and other addresses, half duplex",
			pdu: cdpPDU(cdpTLVBytes(1, 'S', 'N', '1', '2', '3'), cdpTLVBytes(0x14, 's', 'w', '1'),
				cdpTLVBytes(3, 'G', 'i', '1', '/', '0', '/', '1'), cdpTLVBytes(0x16, ipv6...), cdpTLVBytes(0x0b, 0)),
			want: &inventory.Neighbor{Protocol: "cdp", TTLSeconds: 180, ChassisIDSubtype: "local", ChassisID: "SN123",
				SystemName: "sw1", PortIDSubtype: "interface_name", PortID: "Gi1/0/1", Duplex: "half",
				ManagementAddresses: []inventory.ManagementAddress{{Family: "ipv6", Address: "fe80::1"}, {Family: "81", Address: "abcd"}}},
		},
		{
			name:    "TLV length shorter than its header",
			pdu:     cdpPDU(cdpTLVBytes(1, 'a'), []byte{0, 3, 0, 2}),
			want:    &inventory.Neighbor{Protocol: "cdp", TTLSeconds: 180, ChassisIDSubtype: "local", ChassisID: "a", SystemName: "a"},
			wantErr: ErrMalformed,
		},
		{
			name:    "address count larger than the addresses",
			pdu:     cdpPDU(cdpTLVBytes(1, 'a'), cdpTLVBytes(2, 0, 0, 0, 9, 1, 1, 0xcc, 0, 4, 10, 0, 0, 1)),
			want:    &inventory.Neighbor{Protocol: "cdp", TTLSeconds: 180, ChassisIDSubtype: "local", ChassisID: "a", SystemName: "a", InterfaceAddresses: []inventory.ManagementAddress{{Family: "ipv4", Address: "10.0.0.1"}}, Unknown: []inventory.UnknownTLV{{Type: 2, Value: "000000090101cc00040a000001"}}},
			wantErr: ErrTruncated,
		},
		{
			name:    "no Device-ID",
			pdu:     cdpPDU(cdpTLVBytes(0x0a, 0, 100)),
			want:    &inventory.Neighbor{Protocol: "cdp", TTLSeconds: 180, PortVLANID: 100},
			wantErr: ErrMalformed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeCDP(tt.pdu)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeFrameTagsAndOthers(t *testing.T) {
	t.Parallel()
	eth := func(typ ...byte) []byte {
		return append([]byte{0x01, 0x80, 0xc2, 0, 0, 0x0e, 0x52, 0x54, 0, 1, 2, 3}, typ...)
	}
	tagged := append(eth(0x81, 0x00, 0x00, 0x64, 0x88, 0xcc), pdu()...)
	n, err := DecodeFrame(tagged)
	if err != nil || n.ChassisID != mandatory.ChassisID || n.SourceMAC != "52:54:00:01:02:03" {
		t.Errorf("802.1Q-tagged LLDP: %+v, %v", n, err)
	}
	if _, err := DecodeFrame(eth(0x08, 0x00, 0x45)); !errors.Is(err, ErrNotDiscovery) {
		t.Errorf("IPv4 frame: %v, want ErrNotDiscovery", err)
	}
	if _, err := DecodeFrame(eth(0x00, 0x26, 0x42, 0x42, 0x03)); !errors.Is(err, ErrNotDiscovery) {
		t.Errorf("STP frame: %v, want ErrNotDiscovery", err)
	}
	if _, err := DecodeFrame(eth(0x81)); !errors.Is(err, ErrTruncated) {
		t.Errorf("13-byte frame: %v, want ErrTruncated", err)
	}
}
