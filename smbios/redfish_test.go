package smbios

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
)

// redfishUSBv2 is a type 42 structure as an AMI MegaRAC BMC describes its
// USB network host interface (DSP0134 7.43, DSP0270 8.3.3 and 8.4.1),
// built by hand. Its bytes:
//
//	2A 7C 50 00          type 42, length 0x7C (124), handle 0x0050
//	40                   interface type: network host interface
//	0D                   interface-specific data: 13 bytes
//	  04                 device type: USB network interface v2
//	  0D                 descriptor length 13
//	  6B 04  B0 FF       idVendor 0x046b, idProduct 0xffb0
//	  00                 serial number string: none
//	  7E 41 FC D1 6B C9  MAC 7e:41:fc:d1:6b:c9
//	01                   one protocol record
//	  04 66              Redfish over IP, 102 bytes:
//	    16 bytes         service UUID 33 22 11 00 55 44 77 66 88 99 AA BB CC DD EE FF
//	                     = 00112233-4455-6677-8899-aabbccddeeff
//	    01 01            host IP: static, IPv4
//	    16 + 16 bytes    host IP 169.254.3.1, mask 255.255.255.0 (first 4 bytes)
//	    01 01            service IP: static, IPv4
//	    16 + 16 bytes    service IP 169.254.3.254, mask 255.255.255.0
//	    BB 01            port 443
//	    00 00 00 00      VLAN 0
//	    0B "bmc.example" hostname, 11 bytes
//	(no strings)         00 00
func redfishUSBv2() []byte {
	f := []byte{0x40, 0x0D, 0x04, 0x0D, 0x6B, 0x04, 0xB0, 0xFF, 0x00, 0x7E, 0x41, 0xFC, 0xD1, 0x6B, 0xC9}
	f = append(f, 0x01, 0x04, 0x66)
	f = append(f, 0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF)
	f = append(f, 0x01, 0x01)
	f = append(f, addr16(169, 254, 3, 1)...)
	f = append(f, addr16(255, 255, 255, 0)...)
	f = append(f, 0x01, 0x01)
	f = append(f, addr16(169, 254, 3, 254)...)
	f = append(f, addr16(255, 255, 255, 0)...)
	f = append(f, 0xBB, 0x01, 0, 0, 0, 0, 11)
	f = append(f, "bmc.example"...)
	return structBytes(42, 0x0050, f)
}

// redfishPCI is a network host interface on a PCI function (device type 03h:
// vendor 0x8086, device 0x1533, subvendor 0x15d9, subdevice 0x1533) whose
// Redfish record lets the host find the service by DHCP (discovery type 02h)
// and carries no hostname.
func redfishPCI() []byte {
	f := []byte{0x40, 0x09, 0x03, 0x86, 0x80, 0x33, 0x15, 0xD9, 0x15, 0x33, 0x15}
	f = append(f, 0x01, 0x04, 91)
	rec := make([]byte, 91)
	rec[16], rec[17] = 0x02, 0x01 // host: DHCP, IPv4
	rec[50], rec[51] = 0x02, 0x01 // service: DHCP, IPv4
	f = append(f, rec...)
	return structBytes(42, 0x0051, f)
}

func addr16(a ...byte) []byte {
	b := make([]byte, 16)
	copy(b, a)
	return b
}

func TestRedfishHostInterfaces(t *testing.T) {
	t.Parallel()
	tb := parseBuilt(t, redfishUSBv2(), redfishPCI(), endOfTable(0xFFFF))
	got, err := tb.RedfishHostInterfaces()
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.RedfishHostInterface{{
		InterfaceType:      "Network Host Interface",
		Protocols:          []string{"Redfish over IP"},
		DeviceType:         "USB Network Interface v2",
		VendorID:           "046b",
		ProductID:          "ffb0",
		MAC:                "7e:41:fc:d1:6b:c9",
		ServiceIP:          "169.254.3.254",
		ServicePort:        443,
		ServiceHostname:    "bmc.example",
		ServiceUUID:        "00112233-4455-6677-8899-aabbccddeeff",
		ServiceIPDiscovery: "static",
		HostIPAssignment:   "static",
		ServiceNetmask:     "255.255.255.0",
		HostIP:             "169.254.3.1",
		HostNetmask:        "255.255.255.0",
	}, {
		InterfaceType:      "Network Host Interface",
		Protocols:          []string{"Redfish over IP"},
		DeviceType:         "PCI/PCIe Network Interface",
		VendorID:           "8086",
		ProductID:          "1533",
		ServiceUUID:        "00000000-0000-0000-0000-000000000000",
		ServiceIPDiscovery: "dhcp",
		HostIPAssignment:   "dhcp",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RedfishHostInterfaces() (-want +got):\n%s", diff)
	}
}

func TestDecodeHostInterfaceTruncated(t *testing.T) {
	t.Parallel()
	full := redfishUSBv2()
	formatted := full[:full[1]]
	tests := []struct {
		name string
		b    []byte
		want *inventory.RedfishHostInterface
	}{
		{"header only", formatted[:4], nil},
		{"interface type only", formatted[:5], &inventory.RedfishHostInterface{InterfaceType: "Network Host Interface"}},
		{
			// Length byte still says 124: the structure is cut.
			"cut in the protocol record", formatted[:60],
			&inventory.RedfishHostInterface{InterfaceType: "Network Host Interface"},
		},
		{
			// Consistent length byte, but the record claims more bytes.
			"record longer than structure", withLength(formatted[:60]),
			&inventory.RedfishHostInterface{
				InterfaceType: "Network Host Interface", DeviceType: "USB Network Interface v2",
				VendorID: "046b", ProductID: "ffb0", MAC: "7e:41:fc:d1:6b:c9",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeHostInterface(tt.b)
			if !errors.Is(err, ErrShortHostInterface) {
				t.Errorf("error %v, want ErrShortHostInterface", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// withLength copies b with its length byte set to len(b).
func withLength(b []byte) []byte {
	c := append([]byte(nil), b...)
	c[1] = byte(len(c))
	return c
}

// TestRedfishBeforeSMBIOS32 decodes a type 42 structure of an SMBIOS 3.1
// table: its DSP0270 layout is used when the lengths add up, else only the
// interface type is kept (dmidecode keeps only the type).
func TestRedfishBeforeSMBIOS32(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		s      []byte
		device string
	}{
		{"DSP0270 layout", redfishPCI(), "PCI/PCIe Network Interface"},
		{"other layout", structBytes(42, 0x0052, []byte{0x40, 0x30, 0x01, 0x02, 0x03, 0x04}), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			table := concat(tt.s, endOfTable(0xFFFF))
			tb, err := Parse(entry3(3, 1, 0, len(table)), table)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tb.RedfishHostInterfaces()
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].InterfaceType != "Network Host Interface" || got[0].DeviceType != tt.device {
				t.Errorf("got %+v, want one network host interface with device type %q", got, tt.device)
			}
		})
	}
}

func TestTPM(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		s    []byte
		want *inventory.TPM
	}{
		{"TPM 2.0 Nuvoton", tpm43('N', 'T', 'C', 0, 2, 0, 0x00070002, 0x00000000), &inventory.TPM{Manufacturer: "NTC", Version: "2.0", FirmwareVersion: "7.2"}},
		// TPM 1.2 firmware revision is bytes 0Ch and 0Dh (the first two
		// bytes of the dword repeat the spec version).
		{"TPM 1.2 Infineon backwards", tpm43(0, 'X', 'F', 'I', 1, 2, 0x0D030102, 0), &inventory.TPM{Manufacturer: "IFX", Version: "1.2", FirmwareVersion: "3.13"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseBuilt(t, tt.s).TPM()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("TPM() (-want +got):\n%s", diff)
			}
		})
	}
	if got, err := parseFixture(t, "SuperMicro-X9DBL").TPM(); got != nil || err != nil {
		t.Errorf("TPM() of a table without type 43 = %v, %v; want nil, nil", got, err)
	}
}

// tpm43 builds a type 43 structure (DSP0134 7.44, 1Fh bytes): vendor ID
// bytes, spec major and minor, firmware version dwords 1 and 2,
// description string 1, characteristics 0x10 (family configurable via
// platform software), OEM-defined 0.
func tpm43(v0, v1, v2, v3, major, minor byte, fw1, fw2 uint32) []byte {
	f := []byte{v0, v1, v2, v3, major, minor,
		byte(fw1), byte(fw1 >> 8), byte(fw1 >> 16), byte(fw1 >> 24),
		byte(fw2), byte(fw2 >> 8), byte(fw2 >> 16), byte(fw2 >> 24),
		1, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	return structBytes(43, 0x0060, f, "TPM")
}
