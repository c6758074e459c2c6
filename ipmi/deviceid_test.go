package ipmi_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/ipmi"
)

func TestDecodeDeviceID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp string
		want ipmi.DeviceID
		fw   string
		ver  string
		aux  string
	}{{
		// ipmi_sim as lab.TestBMC (testdata/ipmi_sim/transcript.txt).
		name: "ipmi_sim",
		resp: "00 20 01 03 10 02 9f 7c 2a 00 1b 0a 00 00 00 00",
		want: ipmi.DeviceID{DeviceID: 0x20, DeviceRevision: 1, FirmwareMajor: 3, FirmwareMinor: 0x10,
			IPMIMajor: 2, AdditionalDeviceSupport: 0x9f, ManufacturerID: 10876, ProductID: 0x0a1b,
			AuxFirmware: []byte{0, 0, 0, 0}},
		fw: "3.10", ver: "2.0", aux: "00000000",
	}, {
		// An OpenBMC AST2500 over lanplus, as printed by `ipmitool raw 0x06
		// 0x01` in https://github.com/openbmc/openbmc/issues/3628.
		name: "OpenBMC AST2500",
		resp: "00 00 08 00 01 02 8d 00 00 00 00 00 00 00 00 00",
		want: ipmi.DeviceID{DeviceRevision: 8, FirmwareMinor: 0x01, IPMIMajor: 2,
			AdditionalDeviceSupport: 0x8d, AuxFirmware: []byte{0, 0, 0, 0}},
		fw: "0.01", ver: "2.0", aux: "00000000",
	}, {
		// Table 20-2 without the optional auxiliary bytes; SDRs provided,
		// firmware update in progress, IPMI 1.5 (51h), manufacturer bits
		// 23:20 reserved and dropped, Dell 674.
		name: "no aux, IPMI 1.5, update in progress",
		resp: "00 20 81 87 05 51 bf a2 02 f0 00 01",
		want: ipmi.DeviceID{DeviceID: 0x20, DeviceRevision: 1, ProvidesDeviceSDRs: true, FirmwareMajor: 7,
			UpdateInProgress: true, FirmwareMinor: 0x05, IPMIMajor: 1, IPMIMinor: 5,
			AdditionalDeviceSupport: 0xbf, ManufacturerID: 674, ProductID: 0x0100},
		fw: "7.05", ver: "1.5", aux: "",
	}, {
		name: "partial aux ignored",
		resp: "00 20 01 03 10 02 9f 7c 2a 00 1b 0a 01 02",
		want: ipmi.DeviceID{DeviceID: 0x20, DeviceRevision: 1, FirmwareMajor: 3, FirmwareMinor: 0x10,
			IPMIMajor: 2, AdditionalDeviceSupport: 0x9f, ManufacturerID: 10876, ProductID: 0x0a1b},
		fw: "3.10", ver: "2.0",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ipmi.DecodeDeviceID(unhex(t, tt.resp))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeDeviceID (-want +got):\n%s", diff)
			}
			if got.FirmwareVersion() != tt.fw || got.IPMIVersion() != tt.ver || got.AuxFirmwareHex() != tt.aux {
				t.Errorf("firmware %q, IPMI %q, aux %q; want %q, %q, %q", got.FirmwareVersion(), got.IPMIVersion(), got.AuxFirmwareHex(), tt.fw, tt.ver, tt.aux)
			}
		})
	}
}

func TestDecodeDeviceIDErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		resp      string
		code      ipmi.CompletionCode // 0: a malformed response
		supported bool
	}{
		{"empty", "", 0, true},
		{"invalid command", "c1", ipmi.CCInvalidCommand, false},
		{"node busy with data", "c0 20 01", ipmi.CCNodeBusy, true},
		{"BMC initializing", "d2", 0xD2, true},
		{"one byte short", "00 20 01 03 10 02 9f 7c 2a 00 1b", 0, true},
		{"completion code only", "00", 0, true},
		{"IPMI version 00h", "00 20 01 03 10 00 9f 7c 2a 00 1b 0a", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ipmi.DecodeDeviceID(unhex(t, tt.resp))
			if err == nil {
				t.Fatal("no error")
			}
			var ce *ipmi.CompletionError
			switch {
			case tt.code == 0 && !errors.Is(err, ipmi.ErrMalformed):
				t.Errorf("error %v does not wrap ErrMalformed", err)
			case tt.code != 0 && (!errors.As(err, &ce) || ce.Code != tt.code):
				t.Errorf("error %v: want completion code %s", err, tt.code)
			}
			if errors.Is(err, ipmi.ErrNotSupported) == tt.supported {
				t.Errorf("errors.Is(%v, ErrNotSupported) = %v", err, !tt.supported)
			}
			if !ipmi.Answered(err) {
				t.Errorf("Answered(%v) = false: the BMC did answer", err)
			}
		})
	}
}

// TestDeviceIDAgreesWithIpmitool decodes ipmi_sim's Get Device ID response
// and compares it with what `ipmitool mc info` printed for the same BMC.
func TestDeviceIDAgreesWithIpmitool(t *testing.T) {
	t.Parallel()
	id, err := ipmi.DecodeDeviceID(answer(t, "06 01"))
	if err != nil {
		t.Fatal(err)
	}
	f := ipmitoolFields(t, "mc-info.txt")
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	got := map[string]string{
		"Device ID":            strconv.Itoa(int(id.DeviceID)),
		"Device Revision":      strconv.Itoa(int(id.DeviceRevision)),
		"Firmware Revision":    id.FirmwareVersion(),
		"IPMI Version":         id.IPMIVersion(),
		"Manufacturer ID":      strconv.Itoa(int(id.ManufacturerID)),
		"Product ID":           strconv.Itoa(int(id.ProductID)),
		"Device Available":     yesNo(!id.UpdateInProgress),
		"Provides Device SDRs": yesNo(id.ProvidesDeviceSDRs),
	}
	want := map[string]string{}
	for k := range got {
		v := f[k]
		if k == "Product ID" {
			v, _, _ = strings.Cut(v, " ") // "2587 (0x0a1b)"
		}
		want[k] = v
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DecodeDeviceID disagrees with ipmitool mc info (-ipmitool +hwagent):\n%s", diff)
	}
	if got, want := ipmi.VendorName(id.ManufacturerID), "Supermicro"; got != want {
		t.Errorf("VendorName(%d) = %q, want %q (ipmitool: %q)", id.ManufacturerID, got, want, f["Manufacturer Name"])
	}
}

func TestCompletionCodeString(t *testing.T) {
	t.Parallel()
	for code, want := range map[ipmi.CompletionCode]string{
		0x00: "0x00 ok",
		0xC1: "0xc1 invalid command",
		0xCB: "0xcb requested sensor, data or record not present",
		0x80: "0x80 command-specific code",
		0x01: "0x01 OEM code",
		0xE0: "0xe0 reserved code",
	} {
		if got := code.String(); got != want {
			t.Errorf("CompletionCode(0x%02x).String() = %q, want %q", uint8(code), got, want)
		}
	}
}
