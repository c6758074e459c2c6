package ipmi_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/ipmi"
)

// seeds adds every transcript response whose request starts with prefix.
func seeds(f *testing.F, prefix string, add func(resp []byte)) {
	for k, v := range transcript(f) {
		if strings.HasPrefix(k, prefix) {
			add(v)
		}
	}
}

// checkErr fails when a decoder error is neither a completion code nor a
// malformed response.
func checkErr(t *testing.T, err error) {
	var ce *ipmi.CompletionError
	if err != nil && !errors.As(err, &ce) && !errors.Is(err, ipmi.ErrMalformed) {
		t.Fatalf("error %v is neither a completion code nor ErrMalformed", err)
	}
}

func FuzzDecodeDeviceID(f *testing.F) {
	seeds(f, "06 01", func(b []byte) { f.Add(b) })
	f.Add([]byte{0x00, 0x00, 0x08, 0x00, 0x01, 0x02, 0x8d, 0, 0, 0, 0, 0})
	f.Add([]byte{0xc1})
	f.Fuzz(func(t *testing.T, resp []byte) {
		d, err := ipmi.DecodeDeviceID(resp)
		checkErr(t, err)
		if err != nil {
			return
		}
		if d.ManufacturerID >= 1<<20 || d.FirmwareMajor > 0x7f || d.DeviceRevision > 0x0f {
			t.Fatalf("out of range: %+v", d)
		}
		if d.FirmwareVersion() == "" || d.IPMIVersion() == "" {
			t.Fatalf("empty version strings: %+v", d)
		}
		if d.AuxFirmware != nil && len(d.AuxFirmware) != 4 {
			t.Fatalf("aux %x", d.AuxFirmware)
		}
	})
}

func FuzzDecodeGUID(f *testing.F) {
	seeds(f, "06 37", func(b []byte) { f.Add(ipmi.CmdGetSystemGUID, b) })
	seeds(f, "06 08", func(b []byte) { f.Add(ipmi.CmdGetDeviceGUID, b) })
	f.Fuzz(func(t *testing.T, cmd uint8, resp []byte) {
		g, err := ipmi.DecodeGUID(cmd, resp)
		checkErr(t, err)
		if err == nil && len(g.String()) != 36 {
			t.Fatalf("GUID string %q", g)
		}
	})
}

func FuzzDecodeChannelInfo(f *testing.F) {
	seeds(f, "06 42", func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, resp []byte) {
		ci, err := ipmi.DecodeChannelInfo(resp)
		checkErr(t, err)
		if err == nil && (ci.Channel > 15 || ci.Medium > 0x7f || ci.Protocol > 0x1f || ci.VendorID >= 1<<24) {
			t.Fatalf("out of range: %+v", ci)
		}
	})
}

// FuzzDecodeLAN runs the decoder of parameter param over resp.
func FuzzDecodeLAN(f *testing.F) {
	for k, v := range transcript(f) {
		if fields := strings.Fields(k); len(fields) == 6 && fields[0] == "0c" {
			p := unhex(f, fields[3])[0]
			f.Add(p, v)
		}
	}
	f.Add(ipmi.LANParamIPv6Static, []byte{0x00, 0x11, 0x00, 0x80, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42, 0x40, 0x00})
	f.Add(ipmi.LANParamIPv6Status, []byte{0x00, 0x11, 0x02, 0x04, 0x03})
	f.Fuzz(func(t *testing.T, param uint8, resp []byte) {
		switch param {
		case ipmi.LANParamIPAddress, ipmi.LANParamSubnetMask, ipmi.LANParamDefaultGateway:
			a, err := ipmi.DecodeLANIPv4(param, resp)
			checkErr(t, err)
			if err == nil && !a.Is4() {
				t.Fatalf("%v is not IPv4", a)
			}
		case ipmi.LANParamMACAddress, ipmi.LANParamDefaultGatewayMAC:
			m, err := ipmi.DecodeLANMAC(param, resp)
			checkErr(t, err)
			if err == nil && len(m) != 6 {
				t.Fatalf("MAC %v", m)
			}
		case ipmi.LANParamIPSource:
			s, err := ipmi.DecodeLANIPSource(resp)
			checkErr(t, err)
			if err == nil && s > ipmi.IPSourceOther {
				t.Fatalf("source %d", s)
			}
		case ipmi.LANParamVLANID:
			v, err := ipmi.DecodeLANVLAN(resp)
			checkErr(t, err)
			if err == nil && v.ID > 4095 {
				t.Fatalf("VLAN %d", v.ID)
			}
		case ipmi.LANParamIPv6Support:
			_, err := ipmi.DecodeLANIPv6Support(resp)
			checkErr(t, err)
		case ipmi.LANParamIPv6Enables:
			_, err := ipmi.DecodeLANIPAddressing(resp)
			checkErr(t, err)
		case ipmi.LANParamIPv6Status:
			_, err := ipmi.DecodeLANIPv6Status(resp)
			checkErr(t, err)
		default:
			a, err := ipmi.DecodeLANIPv6Address(param, resp)
			checkErr(t, err)
			if err == nil && (!a.Address.Is6() || a.PrefixLength > 128 || a.Source == "" || a.Status == "") {
				t.Fatalf("IPv6 address %+v", a)
			}
		}
	})
}
