package lldp

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
)

func TestInterfaces(t *testing.T) {
	t.Parallel()
	p := hostTree(t)
	tests := []struct {
		name     string
		explicit []string
		want     []NIC
		warnings int
	}{
		{
			name: "physical NICs only",
			want: []NIC{
				{Name: "eth0", Kind: "physical", Driver: "i40e", PCI: "0000:3b:00.0"},
				{Name: "eth1", Kind: "physical", Driver: "virtio_net"},
				{Name: "eth2", Kind: "physical", Driver: "e1000e", PCI: "0000:00:19.0"},
			},
		},
		{
			name:     "explicit list takes virtual interfaces, warns about missing ones",
			explicit: []string{"veth0", "eth9"},
			want:     []NIC{{Name: "veth0", Kind: "virtual"}},
			warnings: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var w collector.Warnings
			got, err := Interfaces(p, tt.explicit, &w)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			n := 0
			if pe, ok := w.Err().(*collector.PartialError); ok {
				n = len(pe.Warnings)
			}
			if n != tt.warnings {
				t.Errorf("%d warnings (%v), want %d", n, w.Err(), tt.warnings)
			}
		})
	}
}

func TestReadLinkState(t *testing.T) {
	t.Parallel()
	p := hostTree(t)
	for name, want := range map[string]linkState{
		"eth0": {carrier: true, adminUp: true},
		"eth2": {},
	} {
		if got := readLinkState(p, name); got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
}
