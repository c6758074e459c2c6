package export

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/hwagent/hwagent/inventory"
)

// noBMCAddress tells the four cases apart on a real server's inventory
// (Supermicro X9DBL) changed the way each case leaves it.
func TestNoBMCAddress(t *testing.T) {
	t.Parallel()
	load := func(t *testing.T, name string) *inventory.Inventory {
		b, err := os.ReadFile("testdata/fleet/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var inv inventory.Inventory
		if err := json.Unmarshal(b, &inv); err != nil {
			t.Fatal(err)
		}
		return &inv
	}
	for _, tc := range []struct {
		name   string
		file   string
		change func(inv *inventory.Inventory)
		want   string
	}{
		{"no BMC", "laptop-t480.json", func(*inventory.Inventory) {},
			`this machine has no BMC ("no BMC: no SMBIOS type 38 or 42 record and no /dev/ipmi0")`},
		{"collector left out", "srv-x9dbl.json", func(inv *inventory.Inventory) {
			inv.BMC = nil
			inv.Collectors = removeCollector(inv.Collectors, "bmc")
		}, "the BMC was never queried (the inventory has no bmc collector status: it ran with --collectors or --disable leaving it out)"},
		{"no device node", "srv-x9dbl.json", func(inv *inventory.Inventory) { inv.BMC.LAN = nil },
			`the BMC was never queried: "IPMI KCS interface at 0xca2 in SMBIOS but no /dev/ipmi0: load ipmi_si and ipmi_devintf"`},
		{"kcs timeout", "srv-x9dbl.json", func(inv *inventory.Inventory) {
			inv.BMC = nil
			st := inv.Collector("bmc")
			st.Status, st.Error, st.Warnings = inventory.StatusFailed, "/dev/ipmi0: get device id: timeout after 5s", nil
		}, `the BMC could not be queried in band: "/dev/ipmi0: get device id: timeout after 5s"`},
		{"lan unconfigured", "srv-x9dbl.json", func(inv *inventory.Inventory) {
			inv.BMC.DevicePath, inv.BMC.ManufacturerID = "/dev/ipmi0", 10876
			inv.BMC.LAN[0].Configured, inv.BMC.LAN[0].IPv4 = false, ""
		}, "the BMC reported no configured LAN channel (address 0.0.0.0 on every channel)"},
		{"lan refused", "srv-x9dbl.json", func(inv *inventory.Inventory) {
			inv.BMC.DevicePath, inv.BMC.ManufacturerID = "/dev/ipmi0", 10876
			inv.BMC.LAN, inv.BMC.LANError = nil, "Get Channel Info: completion code C1h (invalid command) on every channel"
		}, `the BMC did not give its LAN configuration: "Get Channel Info: completion code C1h (invalid command) on every channel"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := load(t, tc.file)
			tc.change(inv)
			if got := noBMCAddress(inv); got != tc.want {
				t.Errorf("noBMCAddress =\n  %s\nwant\n  %s", got, tc.want)
			}
		})
	}
}

func removeCollector(list []inventory.CollectorStatus, name string) []inventory.CollectorStatus {
	var out []inventory.CollectorStatus
	for _, c := range list {
		if c.Name != name {
			out = append(out, c)
		}
	}
	return out
}
