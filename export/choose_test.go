package export

import (
	"testing"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/inventory"
)

func mustCompile(t *testing.T, p plan.Plan) *compiled {
	t.Helper()
	c, err := compile(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fleetInventory reads one of the fleet's documents.
func fleetInventory(t *testing.T, name string) *inventory.Inventory {
	t.Helper()
	inv, err := source.FileRef("testdata/fleet/" + name + ".json").Load()
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestChooseBootNIC(t *testing.T) {
	t.Parallel()
	srv := fleetInventory(t, "srv-x9dbl")      // BOOTIF=01-00-1f-f3-af-d3-f1: the bond's backup port
	desk := fleetInventory(t, "desk-x399")     // enp3s0 and enp6s0f0 up, LLDP on enp6s0f0
	laptop := fleetInventory(t, "laptop-t480") // eth0 up, no neighbour; ifb0/1 virtual
	noLink := fleetInventory(t, "laptop-t480")
	for i := range noLink.Network.Interfaces {
		noLink.Network.Interfaces[i].Carrier = false
	}
	cases := []struct {
		name    string
		plan    plan.Plan
		inv     *inventory.Inventory
		keys    []string
		mac     string
		nic     string
		wantErr string
	}{
		{name: "netbooted NIC from BOOTIF", inv: srv, mac: "00:1f:f3:af:d3:f1", nic: "enp17s0f1"},
		{name: "link and an LLDP neighbour before link alone", inv: desk, mac: "a0:36:9f:5c:20:40", nic: "enp6s0f0"},
		{name: "first physical NIC with link", inv: laptop, mac: "8c:16:45:aa:10:01", nic: "eth0"},
		{name: "boot_interface by name uses the permanent MAC", plan: plan.Plan{BootInterface: "enp17s0f0"}, inv: srv, mac: "00:1f:f3:af:d3:f0", nic: "enp17s0f0"},
		{name: "boot_macs override", plan: plan.Plan{BootMACs: map[string]string{"9000116105": "A0:36:9F:12:34:56"}}, inv: srv, keys: []string{"9000116105"}, mac: "a0:36:9f:12:34:56", nic: "eno1"},
		{name: "no link anywhere", inv: noLink, wantErr: "no boot NIC: none netbooted and no physical NIC has link (have eth0, ifb0, ifb1); set boot_macs or boot_interface"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := chooseBootNIC(mustCompile(t, tc.plan), tc.inv, tc.keys)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("got %+v, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			name := ""
			if got.nic != nil {
				name = got.nic.Name
			}
			if got.mac != tc.mac || name != tc.nic {
				t.Errorf("got %s on %q (%s), want %s on %q", got.mac, name, got.why, tc.mac, tc.nic)
			}
		})
	}
}
