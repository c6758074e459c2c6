package ipmi_test

import (
	"errors"
	"net/netip"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/ipmi"
)

// TestLANAgreesWithIpmitool decodes ipmi_sim's channel 1 parameters and
// compares them with `ipmitool lan print 1` for the same BMC.
func TestLANAgreesWithIpmitool(t *testing.T) {
	t.Parallel()
	f := ipmitoolFields(t, "lan-print-1.txt")
	ipv4 := func(key string, param uint8) string {
		a, err := ipmi.DecodeLANIPv4(param, answer(t, key))
		if err != nil {
			t.Fatal(err)
		}
		return a.String()
	}
	mac := func(key string, param uint8) string {
		m, err := ipmi.DecodeLANMAC(param, answer(t, key))
		if err != nil {
			t.Fatal(err)
		}
		return m.String()
	}
	src, err := ipmi.DecodeLANIPSource(answer(t, "0c 02 01 04 00 00"))
	if err != nil {
		t.Fatal(err)
	}
	vlan, err := ipmi.DecodeLANVLAN(answer(t, "0c 02 01 14 00 00"))
	if err != nil {
		t.Fatal(err)
	}
	if !vlan.Enabled {
		t.Errorf("VLAN %+v not enabled", vlan)
	}
	sources := map[ipmi.IPSource]string{ipmi.IPSourceStatic: "Static Address", ipmi.IPSourceDHCP: "DHCP Address"}
	got := map[string]string{
		"IP Address":          ipv4("0c 02 01 03 00 00", ipmi.LANParamIPAddress),
		"Subnet Mask":         ipv4("0c 02 01 06 00 00", ipmi.LANParamSubnetMask),
		"Default Gateway IP":  ipv4("0c 02 01 0c 00 00", ipmi.LANParamDefaultGateway),
		"MAC Address":         mac("0c 02 01 05 00 00", ipmi.LANParamMACAddress),
		"Default Gateway MAC": mac("0c 02 01 0d 00 00", ipmi.LANParamDefaultGatewayMAC),
		"IP Address Source":   sources[src],
		"802.1q VLAN ID":      itoa(vlan.ID),
	}
	want := map[string]string{}
	for k := range got {
		want[k] = f[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LAN decoders disagree with ipmitool lan print 1 (-ipmitool +hwagent):\n%s", diff)
	}
}

func itoa(v uint16) string { return strconv.Itoa(int(v)) }

func TestDecodeLANValues(t *testing.T) {
	t.Parallel()
	// Parameter data layouts of IPMI 2.0 rev. 1.1 Table 23-4, after the
	// completion code and the parameter revision (11h).
	t.Run("IPv4 not configured", func(t *testing.T) {
		t.Parallel()
		a, err := ipmi.DecodeLANIPv4(ipmi.LANParamIPAddress, unhex(t, "00 11 00 00 00 00"))
		if err != nil || !a.IsUnspecified() {
			t.Errorf("got %v, %v; want 0.0.0.0", a, err)
		}
	})
	t.Run("IP sources", func(t *testing.T) {
		t.Parallel()
		for resp, want := range map[string]string{"00 11 00": "unspecified", "00 11 01": "static", "00 11 02": "dhcp", "00 11 03": "bios", "00 11 04": "other", "00 11 f2": "dhcp"} {
			s, err := ipmi.DecodeLANIPSource(unhex(t, resp))
			if err != nil || s.String() != want {
				t.Errorf("DecodeLANIPSource(%s) = %v, %v; want %s", resp, s, err, want)
			}
		}
	})
	t.Run("VLAN", func(t *testing.T) {
		t.Parallel()
		for resp, want := range map[string]ipmi.VLAN{
			"00 11 14 80": {ID: 20, Enabled: true},     // ipmi_sim after `ipmitool lan set 1 vlan id 20`
			"00 11 00 00": {},                          // ipmi_sim before
			"00 11 ff 8f": {ID: 4095, Enabled: true},   // 12-bit maximum
			"00 11 14 00": {ID: 20},                    // configured but disabled
			"00 11 02 7e": {ID: 0xe02, Enabled: false}, // reserved bits 6:4 ignored
		} {
			v, err := ipmi.DecodeLANVLAN(unhex(t, resp))
			if err != nil || v != want {
				t.Errorf("DecodeLANVLAN(%s) = %+v, %v; want %+v", resp, v, err, want)
			}
		}
	})
	t.Run("IPv6 support, addressing, status", func(t *testing.T) {
		t.Parallel()
		sup, err := ipmi.DecodeLANIPv6Support(unhex(t, "00 11 03"))
		if err != nil || sup != (ipmi.IPv6Support{IPv6Only: true, DualStack: true}) {
			t.Errorf("param 50: %+v, %v", sup, err)
		}
		mode, err := ipmi.DecodeLANIPAddressing(unhex(t, "00 11 02"))
		if err != nil || mode != ipmi.AddressingDualStack || !mode.IPv6Enabled() {
			t.Errorf("param 51: %v, %v", mode, err)
		}
		st, err := ipmi.DecodeLANIPv6Status(unhex(t, "00 11 02 04 03"))
		if err != nil || st != (ipmi.IPv6Status{StaticAddresses: 2, DynamicAddresses: 4, DHCPv6: true, SLAAC: true}) {
			t.Errorf("param 55: %+v, %v", st, err)
		}
	})
	t.Run("IPv6 addresses", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			param uint8
			resp  string
			want  ipmi.IPv6Address
		}{
			{ipmi.LANParamIPv6Static, "00 11 00 80 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 42 40 00",
				ipmi.IPv6Address{Source: "static", Enabled: true, Address: netip.MustParseAddr("2001:db8::42"), PrefixLength: 64, Status: "active"}},
			{ipmi.LANParamIPv6Dynamic, "00 11 01 01 fe 80 00 00 00 00 00 00 50 54 00 ff fe be ef 01 40 00",
				ipmi.IPv6Address{Set: 1, Source: "slaac", Address: netip.MustParseAddr("fe80::5054:ff:febe:ef01"), PrefixLength: 64, Status: "active"}},
			{ipmi.LANParamIPv6Dynamic, "00 11 00 02 20 01 0d b8 00 00 00 01 00 00 00 00 00 00 01 00 80 04",
				ipmi.IPv6Address{Source: "dhcpv6", Address: netip.MustParseAddr("2001:db8:0:1::100"), PrefixLength: 128, Status: "deprecated"}},
		} {
			a, err := ipmi.DecodeLANIPv6Address(tt.param, unhex(t, tt.resp))
			if err != nil {
				t.Fatalf("param %d %s: %v", tt.param, tt.resp, err)
			}
			if diff := cmp.Diff(tt.want, a, cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); diff != "" {
				t.Errorf("param %d (-want +got):\n%s", tt.param, diff)
			}
		}
	})
}

func TestDecodeLANErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		decode  func([]byte) error
		resp    string
		notSupp bool
	}{
		{"param 50 on ipmi_sim", lanDecoder(ipmi.LANParamIPv6Support), "80", true},
		{"IP address short", lanDecoder(ipmi.LANParamIPAddress), "00 11 0a 00 00", false},
		{"revision only", lanDecoder(ipmi.LANParamMACAddress), "00 11", false},
		{"empty", lanDecoder(ipmi.LANParamVLANID), "", false},
		{"reserved IP source", lanDecoder(ipmi.LANParamIPSource), "00 11 05", false},
		{"reserved addressing", lanDecoder(ipmi.LANParamIPv6Enables), "00 11 03", false},
		{"reserved IPv6 source", lanDecoder(ipmi.LANParamIPv6Dynamic), "00 11 00 03 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 42 40 00", false},
		{"prefix 129", lanDecoder(ipmi.LANParamIPv6Static), "00 11 00 80 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 42 81 00", false},
		{"reserved status", lanDecoder(ipmi.LANParamIPv6Static), "00 11 00 80 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 42 40 06", false},
		{"IPv6 address short", lanDecoder(ipmi.LANParamIPv6Static), "00 11 00 80 20 01 0d b8", false},
		{"insufficient privilege", lanDecoder(ipmi.LANParamIPAddress), "d4", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.decode(unhex(t, tt.resp))
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ipmi.ErrNotSupported) != tt.notSupp {
				t.Errorf("errors.Is(%v, ErrNotSupported) = %v, want %v", err, !tt.notSupp, tt.notSupp)
			}
		})
	}
}

// lanDecoder returns the decoder of a parameter as func([]byte) error.
func lanDecoder(param uint8) func([]byte) error {
	return func(b []byte) error {
		var err error
		switch param {
		case ipmi.LANParamIPAddress, ipmi.LANParamSubnetMask, ipmi.LANParamDefaultGateway:
			_, err = ipmi.DecodeLANIPv4(param, b)
		case ipmi.LANParamMACAddress, ipmi.LANParamDefaultGatewayMAC:
			_, err = ipmi.DecodeLANMAC(param, b)
		case ipmi.LANParamIPSource:
			_, err = ipmi.DecodeLANIPSource(b)
		case ipmi.LANParamVLANID:
			_, err = ipmi.DecodeLANVLAN(b)
		case ipmi.LANParamIPv6Support:
			_, err = ipmi.DecodeLANIPv6Support(b)
		case ipmi.LANParamIPv6Enables:
			_, err = ipmi.DecodeLANIPAddressing(b)
		case ipmi.LANParamIPv6Status:
			_, err = ipmi.DecodeLANIPv6Status(b)
		case ipmi.LANParamIPv6Static, ipmi.LANParamIPv6Dynamic:
			_, err = ipmi.DecodeLANIPv6Address(param, b)
		}
		return err
	}
}
