package pci

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/hostpaths"
)

func TestParseModalias(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Identity
		err  bool
	}{
		// Real modalias files from the testdata trees.
		{"r610 bnx2", "pci:v000014E4d00001639sv00001028sd00000236bc02sc00i00\n",
			Identity{0x14e4, 0x1639, 0x1028, 0x0236, true, 0x020000}, false},
		{"laptop nvme", "pci:v0000144Dd0000A80Asv0000144Dsd0000A801bc01sc08i02\n",
			Identity{0x144d, 0xa80a, 0x144d, 0xa801, true, 0x010802}, false},
		{"build vm virtio-net", "pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00\n",
			Identity{0x1af4, 0x1041, 0x1af4, 0x1041, true, 0x020000}, false},
		{"lower case", "pci:v00001af4d00001041sv00001af4sd00001041bc02sc00i00",
			Identity{0x1af4, 0x1041, 0x1af4, 0x1041, true, 0x020000}, false},
		{"usb modalias", "usb:v1D6Bp0002d0515dc09dsc00dp01ic09isc00ip00in00", Identity{}, true},
		{"truncated", "pci:v000014E4d00001639sv00001028sd00000236bc02sc00i0", Identity{}, true},
		{"trailing garbage", "pci:v000014E4d00001639sv00001028sd00000236bc02sc00i00x", Identity{}, true},
		{"vendor above 16 bits", "pci:v000114E4d00001639sv00001028sd00000236bc02sc00i00", Identity{}, true},
		{"sign in a field", "pci:v+00014E4d00001639sv00001028sd00000236bc02sc00i00", Identity{}, true},
		{"empty", "", Identity{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseModalias([]byte(tt.in))
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if err != nil && !errors.Is(err, ErrModalias) {
				t.Errorf("error %v does not wrap ErrModalias", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseModalias(f *testing.F) {
	for _, tree := range trees {
		links, _ := filepath.Glob(filepath.Join("testdata", tree, "sys/bus/pci/devices/*"))
		for _, l := range links {
			if b, err := os.ReadFile(filepath.Join(l, "modalias")); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := ParseModalias(b)
		if err != nil {
			return
		}
		// What parses must print back as the kernel prints it.
		back := fmt.Sprintf("pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", id.Vendor, id.Device,
			id.SubVendor, id.SubDevice, id.Class>>16, id.Class>>8&0xff, id.Class&0xff)
		if !strings.EqualFold(back, strings.TrimSpace(string(b))) {
			t.Fatalf("%q parsed as %+v, which prints as %q", b, id, back)
		}
	})
}

func TestIsAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"0000:00:1f.2": true, "0000:3b:00.0": true, "10000:e1:00.0": true, "0000:ff:1f.7": true,
		"0000:00:1f.8": false, "pci0000:00": false, "0000:00:1f": false, "0000:0g:00.0": false,
		"virtio0": false, "": false, "0000:00:00.0.1": false,
	} {
		if got := IsAddress(in); got != want {
			t.Errorf("IsAddress(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestReadIdentityFallback reads a function without modalias (the
// attributes are the build VM's virtio-net function's real ones).
func TestReadIdentityFallback(t *testing.T) {
	t.Parallel()
	src := "testdata/build-vm/sys/devices/pci0000:00/0000:00:03.0"
	tests := []struct {
		name  string
		files []string
		want  Identity
		err   bool
	}{
		{"all attributes", []string{"vendor", "device", "class", "subsystem_vendor", "subsystem_device"},
			Identity{0x1af4, 0x1041, 0x1af4, 0x1041, true, 0x020000}, false},
		{"no subsystem attributes", []string{"vendor", "device", "class"},
			Identity{Vendor: 0x1af4, Device: 0x1041, Class: 0x020000}, false},
		{"no class", []string{"vendor", "device"}, Identity{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, f := range tt.files {
				copyFile(t, filepath.Join(src, f), filepath.Join(dir, f))
			}
			got, err := ReadIdentity(hostpaths.New(dir, nil), dir)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
