package firmware

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeEFIVariable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in      string
		attrs   uint32
		on      bool
		wantErr bool
	}{
		{in: efiOn, attrs: AttrBootServiceAccess | AttrRuntimeAccess, on: true},
		{in: efiOff, attrs: AttrBootServiceAccess | AttrRuntimeAccess, on: false},
		{in: "\x07\x00\x00\x00\x01", attrs: AttrNonVolatile | AttrBootServiceAccess | AttrRuntimeAccess, on: true},
		{in: "", wantErr: true},
		{in: "\x06\x00\x00", wantErr: true},
		{in: "\x06\x00\x00\x00", attrs: 6, wantErr: true},
		{in: "\x06\x00\x00\x00\x01\x00", attrs: 6, wantErr: true},
		{in: "\x06\x00\x00\x00\xff", attrs: 6, wantErr: true},
	} {
		attrs, value, err := DecodeEFIVariable([]byte(tt.in))
		var on bool
		if err == nil {
			on, err = DecodeEFIBool(value)
		}
		if tt.wantErr {
			if !errors.Is(err, ErrEFIVariable) {
				t.Errorf("decode %q: error = %v, want ErrEFIVariable", tt.in, err)
			}
			continue
		}
		if err != nil || attrs != tt.attrs || on != tt.on {
			t.Errorf("decode %q = %#x, %v, %v; want %#x, %v", tt.in, attrs, on, err, tt.attrs, tt.on)
		}
	}
}

func TestParseTPMCaps(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		in      string
		want    TPMCaps
		wantErr bool
	}{
		// The layout of drivers/char/tpm/tpm-sysfs.c caps_show for an
		// Infineon (vendor "IFX\0") and a Nuvoton/Winbond ("WEC\0") TPM 1.2.
		{name: "infineon", in: "Manufacturer: 0x49465800\nTCG version: 1.2\nFirmware version: 3.17\n",
			want: TPMCaps{Manufacturer: "IFX", Version: "1.2", FirmwareVersion: "3.17"}},
		{name: "winbond", in: "Manufacturer: 0x57454300\nTCG version: 1.2\nFirmware version: 5.81\n",
			want: TPMCaps{Manufacturer: "WEC", Version: "1.2", FirmwareVersion: "5.81"}},
		{name: "vendor not ascii", in: "Manufacturer: 0x1050000\n", want: TPMCaps{Manufacturer: "0x1050000"}},
		{name: "vendor not hex", in: "Manufacturer: 0x4946580z\n", want: TPMCaps{Manufacturer: "0x4946580z"}},
		{name: "empty", in: "", wantErr: true},
		{name: "junk", in: "hello\nworld: 1\n", wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTPMCaps([]byte(tt.in))
			if tt.wantErr {
				if !errors.Is(err, ErrNoCaps) {
					t.Fatalf("error = %v, want ErrNoCaps", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseTPMCaps (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzDecodeEFIVariable(f *testing.F) {
	for _, v := range []string{"SecureBoot", "SetupMode"} {
		b, err := os.ReadFile(filepath.Join("testdata", "qemu", "ovmf-setupmode-swtpm2", "sys", "firmware", "efi", "efivars", v+"-"+GlobalVariableGUID))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(efiOn))
	f.Add([]byte(efiOff))
	f.Add([]byte("\x07\x00\x00\x00\x01\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		attrs, value, err := DecodeEFIVariable(data)
		if err != nil {
			return
		}
		if len(value) != len(data)-4 || attrs != uint32(data[0])|uint32(data[1])<<8|uint32(data[2])<<16|uint32(data[3])<<24 {
			t.Fatalf("DecodeEFIVariable(%x) = %#x, %x", data, attrs, value)
		}
		_, _ = DecodeEFIBool(value)
	})
}

func FuzzParseTPMCaps(f *testing.F) {
	f.Add([]byte("Manufacturer: 0x49465800\nTCG version: 1.2\nFirmware version: 3.17\n"))
	f.Add([]byte("Manufacturer: 0x57454300\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseTPMCaps(data)
	})
}
