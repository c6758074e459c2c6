package network

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/cmdline"
	"github.com/hwagent/hwagent/inventory"
)

func TestParseBoot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		line string
		want BootSpec
		ok   bool
	}{
		{"pxelinux ipappend 2", "initrd=initrd.img BOOTIF=01-52-54-00-12-34-56 quiet",
			BootSpec{MAC: "52:54:00:12:34:56", Source: "BOOTIF"}, true},
		{"BOOTIF upper case", "BOOTIF=01-52-54-00-AB-CD-EF", BootSpec{MAC: "52:54:00:ab:cd:ef", Source: "BOOTIF"}, true},
		{"BOOTIF without type", "BOOTIF=52:54:00:12:34:56", BootSpec{MAC: "52:54:00:12:34:56", Source: "BOOTIF"}, true},
		{"BOOTIF of infiniband type is skipped", "BOOTIF=20-52-54-00-12-34-56", BootSpec{}, false},
		{"tinkerbell hook", "console=tty0 console=ttyS1,115200 ip=dhcp hw_addr=52:54:00:12:34:56 worker_id=52:54:00:12:34:56",
			BootSpec{MAC: "52:54:00:12:34:56", Source: "hw_addr"}, true},
		{"BOOTIF before hw_addr", "hw_addr=52:54:00:00:00:01 BOOTIF=01-52-54-00-00-00-02",
			BootSpec{MAC: "52:54:00:00:00:02", Source: "BOOTIF"}, true},
		{"bad BOOTIF falls back", "BOOTIF=01-zz hw_addr=52:54:00:00:00:01",
			BootSpec{MAC: "52:54:00:00:00:01", Source: "hw_addr"}, true},
		{"nfsroot ip= with device", "root=/dev/nfs ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:node1:eno1:off",
			BootSpec{Device: "eno1", Source: "ip"}, true},
		{"ip= with empty device", "ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:node1::dhcp", BootSpec{}, false},
		{"ip= six fields", "ip=:::::eth1", BootSpec{Device: "eth1", Source: "ip"}, true},
		{"ip= with IPv6 in brackets", "ip=[2001:db8::2]::[2001:db8::1]:64:node1:enp1s0:none",
			BootSpec{Device: "enp1s0", Source: "ip"}, true},
		{"dracut ip=dev:dhcp", "ip=enp1s0:dhcp", BootSpec{Device: "enp1s0", Source: "ip"}, true},
		{"device name too long", "ip=:::::enp175s0f1np1.1234:dhcp", BootSpec{}, false},
		{"unbalanced bracket", "ip=:::::[:0", BootSpec{}, false},
		{"ip=dhcp", "ip=dhcp", BootSpec{}, false},
		{"nothing", "console=ttyS0 quiet", BootSpec{}, false},
		{"build vm", "", BootSpec{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseBoot(cmdline.Parse(tt.line))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseBoot(f *testing.F) {
	for _, s := range []string{
		"BOOTIF=01-52-54-00-12-34-56", "hw_addr=52:54:00:12:34:56 ip=dhcp",
		"ip=[2001:db8::2]::[2001:db8::1]:64:node1:enp1s0:none", "ip=enp1s0:dhcp", "ip=[[::]:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		spec, ok := ParseBoot(cmdline.Parse(line))
		if !ok {
			return
		}
		if (spec.MAC == "") == (spec.Device == "") || spec.Source == "" {
			t.Fatalf("%q: want exactly one of MAC and device: %+v", line, spec)
		}
		if spec.MAC != "" {
			if m, err := net.ParseMAC(spec.MAC); err != nil || m.String() != spec.MAC {
				t.Fatalf("%q: MAC %q not canonical", line, spec.MAC)
			}
		}
		if strings.ContainsAny(spec.Device, ": /\t\n") || len(spec.Device) > 15 {
			t.Fatalf("%q: device %q", line, spec.Device)
		}
	})
}

// TestFindBoot matches boot parameters against the hand-built tree, where
// bond0, bond0.100, br100 and both slaves share 00:1f:f3:af:d3:f0.
func TestFindBoot(t *testing.T) {
	t.Parallel()
	section, err := collect(t, nil, filepath.Join("testdata", "handmade-bond-vlan"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec BootSpec
		want inventory.BootInterface
	}{
		{"backup slave by permanent MAC", BootSpec{MAC: "00:1f:f3:af:d3:f1", Source: "BOOTIF"},
			inventory.BootInterface{Interface: "enp17s0f1", MAC: "00:1f:f3:af:d3:f1", Source: "BOOTIF"}},
		{"shared MAC goes to the physical port that owns it", BootSpec{MAC: "00:1f:f3:af:d3:f0", Source: "hw_addr"},
			inventory.BootInterface{Interface: "enp17s0f0", MAC: "00:1f:f3:af:d3:f0", Source: "hw_addr"}},
		{"down port", BootSpec{MAC: "a0:36:9f:12:34:56", Source: "hw_addr"},
			inventory.BootInterface{Interface: "eno1", MAC: "a0:36:9f:12:34:56", Source: "hw_addr"}},
		{"unknown MAC", BootSpec{MAC: "52:54:00:12:34:56", Source: "BOOTIF"},
			inventory.BootInterface{MAC: "52:54:00:12:34:56", Source: "BOOTIF"}},
		{"device name", BootSpec{Device: "bond0", Source: "ip"},
			inventory.BootInterface{Interface: "bond0", MAC: "00:1f:f3:af:d3:f0", Source: "ip"}},
		{"unknown device", BootSpec{Device: "eth9", Source: "ip"}, inventory.BootInterface{Source: "ip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			nics := append([]inventory.NIC(nil), section.Interfaces...)
			for i := range nics {
				nics[i].Boot = false
			}
			got := findBoot(tt.spec, nics)
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			var marked []string
			for _, n := range nics {
				if n.Boot {
					marked = append(marked, n.Name)
				}
			}
			if want := tt.want.Interface; (want == "" && marked != nil) || (want != "" && !cmp.Equal(marked, []string{want})) {
				t.Errorf("interfaces marked boot: %v, want %q", marked, want)
			}
		})
	}
}
