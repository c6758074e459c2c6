package lldp

import (
	"encoding/binary"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/hwagent/hwagent/inventory"
)

// TestCrossCheckGopacket decodes every well-formed LLDP frame of the
// captures, and the hand-built PDUs of TestDecodeLLDPTLVs, with gopacket too
// and compares the fields both decoders expose.
func TestCrossCheckGopacket(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	for _, name := range []string{"lldp-app-priority", "lldp_mudurl", "LLDP_and_CDP", "lldp-infinite-loop-1", "lldp-infinite-loop-2"} {
		for _, r := range readCapture(t, name) {
			if binary.BigEndian.Uint16(r.Data[12:]) == EtherTypeLLDP {
				frames = append(frames, r.Data)
			}
		}
	}
	hdr := []byte{0x01, 0x80, 0xc2, 0, 0, 0x0e, 0x52, 0x54, 0, 1, 2, 3, 0x88, 0xcc}
	for _, p := range [][]byte{
		pdu(tlv(8, 5, 1, 10, 0, 0, 1, 3, 0, 0, 0, 7, 3, 0x2b, 0x06, 0x01)),
		pdu(org(ouiIEEE8023, 2, 0x0f, 1, 5, 0x51, 0x00, 0xff, 0x00, 0xfa), org(ouiIEEE8023, 4, 0x25, 0xee)),
		pdu(org(ouiTIA, 1, 0x00, 0x33, 4), org(ouiTIA, 2, 1, 0x40, 0xc9, 0xae), org(ouiTIA, 4, 0x52, 0x00, 0x9a), org(ouiTIA, 10, 'X', '1')),
	} {
		frames = append(frames, append(append([]byte(nil), hdr...), p...))
	}
	for i, f := range frames {
		n, err := DecodeFrame(f)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		pkt := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
		base, _ := pkt.Layer(layers.LayerTypeLinkLayerDiscovery).(*layers.LinkLayerDiscovery)
		info, _ := pkt.Layer(layers.LayerTypeLinkLayerDiscoveryInfo).(*layers.LinkLayerDiscoveryInfo)
		if base == nil || info == nil {
			t.Fatalf("frame %d: gopacket did not decode LLDP: %v", i, pkt.ErrorLayer())
		}
		if n.ChassisIDSubtype == "mac" && net.HardwareAddr(base.ChassisID.ID).String() != n.ChassisID {
			t.Errorf("frame %d: chassis %s, gopacket %x", i, n.ChassisID, base.ChassisID.ID)
		}
		if base.TTL != n.TTLSeconds || info.SysName != n.SystemName || info.PortDescription != n.PortDescription || info.SysDescription != n.SystemDescription {
			t.Errorf("frame %d: TTL/names differ from gopacket: %+v vs %+v", i, n, info)
		}
		if len(n.ManagementAddresses) > 0 && info.MgmtAddress.InterfaceNumber != n.ManagementAddresses[len(n.ManagementAddresses)-1].InterfaceNumber {
			t.Errorf("frame %d: management interface number differs: %+v vs %+v", i, n.ManagementAddresses, info.MgmtAddress)
		}
		dot3, err := info.Decode8023()
		if err != nil {
			continue // gopacket gives up on any short 802.3 TLV
		}
		if m := n.MACPHY; m != nil {
			got := layers.LLDPMACPHYConfigStatus{AutoNegSupported: m.AutonegSupported, AutoNegEnabled: m.AutonegEnabled, AutoNegCapability: m.Advertised, MAUType: m.MAUType}
			if diff := cmp.Diff(dot3.MACPHYConfigStatus, got); diff != "" {
				t.Errorf("frame %d: MAC/PHY (-gopacket +hwagent):\n%s", i, diff)
			}
		}
		if n.MaxFrameSizeBytes != dot3.MTU {
			t.Errorf("frame %d: max frame size %d, gopacket %d", i, n.MaxFrameSizeBytes, dot3.MTU)
		}
		if p := n.Power; p != nil {
			gp := dot3.PowerViaMDI
			if gp.PortClassPSE != (p.PortClass == "pse") || gp.PSEEnabled != p.PSEEnabled || gp.PSEPairsAbility != p.PairControl ||
				float64(gp.Requested)/10 != p.RequestedPowerWatts || float64(gp.Allocated)/10 != p.AllocatedPowerWatts {
				t.Errorf("frame %d: power %+v, gopacket %+v", i, p, gp)
			}
		}
		checkMED(t, i, n.MED, info)
	}
}

func checkMED(t *testing.T, i int, m *inventory.LLDPMED, info *layers.LinkLayerDiscoveryInfo) {
	t.Helper()
	if m == nil {
		return
	}
	med, err := info.DecodeMedia()
	if err != nil {
		t.Fatalf("frame %d: gopacket DecodeMedia: %v", i, err)
	}
	if len(m.NetworkPolicies) > 0 {
		p, g := m.NetworkPolicies[0], med.NetworkPolicy
		if p.VLANID != g.VLANId || uint16(p.Priority) != g.L2Priority || p.DSCP != g.DSCPValue || p.Tagged != g.Tagged {
			t.Errorf("frame %d: network policy %+v, gopacket %+v", i, p, g)
		}
	}
	if m.Power != nil && uint16(m.Power.PowerWatts*10+0.5)*100 != med.PowerViaMDI.Value {
		t.Errorf("frame %d: MED power %v W, gopacket %d", i, m.Power.PowerWatts, med.PowerViaMDI.Value)
	}
	if m.Model != med.Model {
		t.Errorf("frame %d: MED model %q, gopacket %q", i, m.Model, med.Model)
	}
}
