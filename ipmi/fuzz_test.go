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

func FuzzDecodeUserAccess(f *testing.F) {
	seeds(f, "06 44", func(b []byte) { f.Add(b) })
	f.Add([]byte{0x00, 0x10, 0x43, 0x02, 0x73})
	f.Fuzz(func(t *testing.T, resp []byte) {
		ua, err := ipmi.DecodeUserAccess(resp)
		checkErr(t, err)
		if err == nil && (ua.MaxUsers > ipmi.MaxUserID || ua.EnabledUsers > ipmi.MaxUserID || ua.FixedNames > ipmi.MaxUserID || ua.Enable > 3 || ua.Privilege > 0x0f) {
			t.Fatalf("out of range: %+v", ua)
		}
	})
}

func FuzzDecodeUserName(f *testing.F) {
	seeds(f, "06 46", func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, resp []byte) {
		name, err := ipmi.DecodeUserName(resp)
		checkErr(t, err)
		if len(name) > ipmi.UserNameLength {
			t.Fatalf("name %q longer than 16", name)
		}
		for _, c := range []byte(name) {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("name %q has byte %02x", name, c)
			}
		}
	})
}

func FuzzDecodeChannelAccess(f *testing.F) {
	seeds(f, "06 41", func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, resp []byte) {
		ca, err := ipmi.DecodeChannelAccess(resp)
		checkErr(t, err)
		if err == nil && (ca.Mode > 7 || ca.Privilege > 0x0f) {
			t.Fatalf("out of range: %+v", ca)
		}
	})
}

func FuzzDecodeSetUserPassword(f *testing.F) {
	for _, b := range [][]byte{{0}, {0x80}, {0x81}, {0xc1}, {}} {
		f.Add(uint8(ipmi.PasswordTest), b)
		f.Add(uint8(ipmi.PasswordSet), b)
	}
	f.Fuzz(func(t *testing.T, op uint8, resp []byte) {
		err := ipmi.DecodeSetUserPassword(ipmi.PasswordOperation(op&3), resp)
		checkErr(t, err)
	})
}

// FuzzEncodeUser checks that every name and password the encoders accept
// fits its field, and that a rejected password never shows in the error.
func FuzzEncodeUser(f *testing.F) {
	f.Add(uint8(3), "hwagent", "s3cret-password")
	f.Add(uint8(63), "a.b_c-d", "01234567890123456789")
	f.Fuzz(func(t *testing.T, user uint8, name, password string) {
		if req, err := ipmi.EncodeSetUserName(user, name); err == nil {
			if len(req) != 17 || req[0] > ipmi.MaxUserID {
				t.Fatalf("set user name request % x", req)
			}
		} else if !errors.Is(err, ipmi.ErrInvalidUserName) {
			t.Fatal(err)
		}
		for _, size := range []int{ipmi.PasswordLength16, ipmi.PasswordLength20} {
			req, err := ipmi.EncodeSetUserPassword(user, ipmi.PasswordSet, password, size)
			if err != nil {
				if len(password) >= 4 && strings.Contains(err.Error(), password) {
					t.Fatalf("error shows the password: %v", err)
				}
				continue
			}
			if len(req) != 2+size || req[0]&0x3f > ipmi.MaxUserID || string(req[2:2+len(password)]) != password {
				t.Fatalf("set password request of %d bytes for form %d", len(req), size)
			}
		}
	})
}
