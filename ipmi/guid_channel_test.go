package ipmi_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/ipmi"
)

func TestDecodeGUID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cmd         uint8
		resp        string
		want        string
		placeholder bool
	}{
		// ipmi_sim sends lan.conf's guid byte for byte; ipmitool mc guid
		// (IPMI encoding) prints it reversed, as the specification reads.
		{"ipmi_sim system GUID", ipmi.CmdGetSystemGUID, "00 a1 23 45 67 89 ab cd ef a1 23 45 67 89 ab cd ef", "efcdab89-6745-23a1-efcd-ab89674523a1", false},
		// Table 20-10's layout: node (LS byte first), clock seq, time
		// high, time mid, time low.
		{"device GUID", ipmi.CmdGetDeviceGUID, "00 ff ee dd cc bb aa 99 88 77 66 55 44 33 22 11 00", "00112233-4455-6677-8899-aabbccddeeff", false},
		{"all zero", ipmi.CmdGetSystemGUID, "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "00000000-0000-0000-0000-000000000000", true},
		{"all FF, extra byte", ipmi.CmdGetSystemGUID, "00 ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff 00", "ffffffff-ffff-ffff-ffff-ffffffffffff", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := ipmi.DecodeGUID(tt.cmd, unhex(t, tt.resp))
			if err != nil {
				t.Fatal(err)
			}
			if g.String() != tt.want || g.Placeholder() != tt.placeholder {
				t.Errorf("GUID %s (placeholder %v), want %s (%v)", g, g.Placeholder(), tt.want, tt.placeholder)
			}
		})
	}
}

func TestSystemGUIDAgreesWithIpmitool(t *testing.T) {
	t.Parallel()
	g, err := ipmi.DecodeGUID(ipmi.CmdGetSystemGUID, answer(t, "06 37"))
	if err != nil {
		t.Fatal(err)
	}
	if want := ipmitoolFields(t, "mc-guid.txt")["System GUID"]; g.String() != want {
		t.Errorf("system GUID %s, ipmitool mc guid says %s", g, want)
	}
}

func TestDecodeGUIDErrors(t *testing.T) {
	t.Parallel()
	// ipmi_sim has no Get Device GUID.
	_, err := ipmi.DecodeGUID(ipmi.CmdGetDeviceGUID, answer(t, "06 08"))
	if !errors.Is(err, ipmi.ErrNotSupported) {
		t.Errorf("Get Device GUID from ipmi_sim: %v, want ErrNotSupported", err)
	}
	for _, resp := range []string{"", "00", "00 a1 23 45 67 89 ab cd ef a1 23 45 67 89 ab cd"} {
		if _, err := ipmi.DecodeGUID(ipmi.CmdGetSystemGUID, unhex(t, resp)); !errors.Is(err, ipmi.ErrMalformed) {
			t.Errorf("DecodeGUID(%q) = %v, want ErrMalformed", resp, err)
		}
	}
}

func TestDecodeChannelInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp []byte
		want ipmi.ChannelInfo
	}{{
		// ipmi_sim channel 1: 802.3 LAN, IPMB-1.0 protocol, multi-session
		// with one session (ipmitool's), IPMI's IANA number 7154.
		name: "ipmi_sim LAN channel 1",
		resp: answer(t, "06 42 01"),
		want: ipmi.ChannelInfo{Channel: 1, Medium: ipmi.MediumLAN8023, Protocol: 1, SessionSupport: 2, ActiveSessions: 1, VendorID: 7154},
	}, {
		// ipmi_sim channel 15, its "serial ... codec VM" to QEMU.
		name: "ipmi_sim channel 15",
		resp: answer(t, "06 42 0f"),
		want: ipmi.ChannelInfo{Channel: 15, Medium: ipmi.MediumSerial, Protocol: 9, VendorID: 7154},
	}, {
		name: "only the first three data bytes",
		resp: unhex(t, "00 02 84 81"),
		want: ipmi.ChannelInfo{Channel: 2, Medium: ipmi.MediumLAN8023, Protocol: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ipmi.DecodeChannelInfo(tt.resp)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeChannelInfo (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeChannelInfoErrors(t *testing.T) {
	t.Parallel()
	var ce *ipmi.CompletionError
	if _, err := ipmi.DecodeChannelInfo(answer(t, "06 42 02")); !errors.As(err, &ce) || ce.Code != 0xCB {
		t.Errorf("ipmi_sim channel 2: %v, want completion code 0xcb", err)
	}
	if _, err := ipmi.DecodeChannelInfo(unhex(t, "00 01 04")); !errors.Is(err, ipmi.ErrMalformed) {
		t.Errorf("two data bytes: %v, want ErrMalformed", err)
	}
}
