package network

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseBonding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want map[string]net.HardwareAddr
	}{
		{"active-backup", map[string]net.HardwareAddr{
			"enp17s0f0": mustMAC("00:1f:f3:af:d3:f0"), "enp17s0f1": mustMAC("00:1f:f3:af:d3:f1")}},
		{"802.3ad", map[string]net.HardwareAddr{
			"eth1": mustMAC("00:16:35:5e:42:fc"), "eth2": mustMAC("00:16:35:5e:02:7e")}},
		{"round-robin", map[string]net.HardwareAddr{
			"eno1": mustMAC("2c:44:fd:80:5c:f8"), "eno2": mustMAC("2c:44:fd:80:5c:f9")}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join("testdata", "bonding", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseBonding(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for name, bad := range map[string]string{
		"address before slave": "Permanent HW addr: 00:16:35:5e:42:fc\n",
		"bad address":          "Slave Interface: eth1\nPermanent HW addr: 00:16:35:5e:42\n",
		"empty slave":          "Slave Interface: \n",
	} {
		if _, err := ParseBonding([]byte(bad)); !errors.Is(err, ErrBonding) {
			t.Errorf("%s: err = %v, want ErrBonding", name, err)
		}
	}
}

func FuzzParseBonding(f *testing.F) {
	files, _ := filepath.Glob("testdata/bonding/*")
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseBonding(b)
		if err != nil && !errors.Is(err, ErrBonding) {
			t.Fatalf("error %v does not wrap ErrBonding", err)
		}
		for slave, mac := range got {
			if slave == "" || len(mac) == 0 {
				t.Fatalf("empty slave or address in %v", got)
			}
		}
	})
}

// vlanConfig is /proc/net/vlan/config as the kernel prints it (the header's
// tab and the "%-15s| %d  | %s" lines), with a 15-character name that
// leaves no space before the bar.
const vlanConfig = "VLAN Dev name\t | VLAN ID\nName-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\n" +
	"bond0.100      | 100  | bond0\n" +
	"eth0.4094      | 4094  | eth0\n" +
	"enp175s0f1.1234| 1234  | enp175s0f1\n"

func TestParseVLANConfig(t *testing.T) {
	t.Parallel()
	got, err := ParseVLANConfig([]byte(vlanConfig))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]VLAN{
		"bond0.100":       {100, "bond0"},
		"eth0.4094":       {4094, "eth0"},
		"enp175s0f1.1234": {1234, "enp175s0f1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	b, err := os.ReadFile("testdata/handmade-bond-vlan/proc/net/vlan/config")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ParseVLANConfig(b); err != nil || got["bond0.100"] != (VLAN{100, "bond0"}) {
		t.Errorf("handmade tree: %v, %v", got, err)
	}
	for name, bad := range map[string]string{
		"id too large":  "h\nh\neth0.5000 | 5000 | eth0\n",
		"two fields":    "h\nh\neth0.5 | 5\n",
		"empty parent":  "h\nh\neth0.5 | 5 | \n",
		"negative":      "h\nh\neth0.5 | -5 | eth0\n",
		"not a number":  "h\nh\neth0.5 | five | eth0\n",
		"empty name":    "h\nh\n | 5 | eth0\n",
		"extra bar":     "h\nh\na | 5 | eth0 | x\n",
		"header absent": "eth0.5 | 5 | eth0\nbad\nbad\n",
	} {
		if _, err := ParseVLANConfig([]byte(bad)); !errors.Is(err, ErrVLANConfig) {
			t.Errorf("%s: err = %v, want ErrVLANConfig", name, err)
		}
	}
	if got, err := ParseVLANConfig(nil); err != nil || len(got) != 0 {
		t.Errorf("empty file: %v, %v", got, err)
	}
}

func FuzzParseVLANConfig(f *testing.F) {
	f.Add([]byte(vlanConfig))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseVLANConfig(b)
		if err != nil && !errors.Is(err, ErrVLANConfig) {
			t.Fatalf("error %v does not wrap ErrVLANConfig", err)
		}
		for name, v := range got {
			if name == "" || v.Parent == "" || v.ID > 4095 {
				t.Fatalf("bad entry %q: %+v", name, v)
			}
		}
	})
}

func TestParseUevent(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/netns-bridge-veth/sys/devices/virtual/net/br0/uevent")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"DEVTYPE": "bridge", "INTERFACE": "br0", "IFINDEX": "2"}
	if diff := cmp.Diff(want, ParseUevent(b)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzParseUevent(f *testing.F) {
	f.Add([]byte("DEVTYPE=bridge\nINTERFACE=br0\nIFINDEX=2\n"))
	f.Add([]byte("=x\nno equals\nA=b=c\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for k, v := range ParseUevent(b) {
			if k == "" || strings.Contains(k, "\n") || strings.Contains(v, "\n") {
				t.Fatalf("bad pair %q=%q", k, v)
			}
		}
	})
}
