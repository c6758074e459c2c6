package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/testinv"
)

// macs returns n distinct MAC addresses.
func macs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", byte(i>>24), byte(i>>16), byte(i>>8), byte(i))
	}
	return out
}

// Issue 11 row 3: an inventory with 16,000-40,000 MACs in identity held the
// SQLite writer 6-7 s per request, 20,000 and more were 500 ("too many SQL
// variables"), 40,000 on PostgreSQL 500. Identity keys and every list are
// bounded (inventory.Limits): past a bound the answer is 400 naming the
// field, before any database work, on both stores.
func TestInventoryLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(inv *inventory.Inventory)
		field string
	}{
		{"20,000 identity MACs", func(inv *inventory.Inventory) { inv.Identity.MACs = macs(20000) }, "inventory.identity.macs"},
		{"40,000 identity MACs", func(inv *inventory.Inventory) { inv.Identity.MACs = macs(40000) }, "inventory.identity.macs"},
		{"a 10 KB system serial key", func(inv *inventory.Inventory) {
			inv.Identity.SystemSerial = "Dell Inc./PowerEdge R610/" + strings.Repeat("A", 10000)
		}, "inventory.identity.system_serial"},
		{"9,000 PCI functions", func(inv *inventory.Inventory) {
			d := inv.PCI.Devices[0]
			inv.PCI.Devices = make([]inventory.PCIDevice, 9000)
			for i := range inv.PCI.Devices {
				inv.PCI.Devices[i] = d
			}
		}, "inventory.pci.devices"},
		{"5,000 addresses on one NIC", func(inv *inventory.Inventory) {
			inv.Network.Interfaces[1].Addresses = make([]string, 5000)
		}, "inventory.network.interfaces[1].addresses"},
		{"identity derived from 2,000 physical NICs", func(inv *inventory.Inventory) {
			inv.Identity = inventory.Identity{}
			inv.System = nil
			nic := inv.Network.Interfaces[0]
			nic.Neighbors = nil
			inv.Network.Interfaces = nil
			for _, m := range macs(2000) {
				nic.MAC, nic.PermanentMAC = m, m
				inv.Network.Interfaces = append(inv.Network.Interfaces, nic)
			}
		}, "inventory.identity.macs"},
	}
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f := newFixtureOn(t, kind, nil)
			reg := f.register(testinv.Machine(1))
			for _, tt := range tests {
				inv := testinv.Machine(2)
				tt.edit(inv)
				for _, call := range []struct{ method, path, token string }{
					{"POST", api.PathRegister, enrollToken},
					{"PUT", fmt.Sprintf(api.PathInventoryFmt, reg.MachineID), reg.Credential},
				} {
					e := f.call(call.method, call.path, call.token, api.RegisterRequest{Inventory: inv}, 400, nil)
					if e.Code != api.CodeInvalidBody || !strings.HasPrefix(e.Message, "field "+tt.field+":") {
						t.Errorf("%s: %s: %s %q, want invalid_body naming field %s", tt.name, call.method, e.Code, e.Message, tt.field)
					}
				}
			}
			if n := f.count(); n != 1 {
				t.Errorf("%d machines after refused registrations, want 1", n)
			}
			// At the bounds, the same machine registers.
			inv := testinv.Machine(3)
			inv.Identity.MACs = macs(inventory.MaxIdentityMACs)
			f.register(inv)
		})
	}
}

// withNUL returns machine i with NUL characters in strings that become
// columns, identity keys and neighbours, as a broken BMC, a hostile switch
// or a hostile agent can send them.
func withNUL(i int) *inventory.Inventory {
	inv := testinv.Machine(i)
	inv.System.Product.Manufacturer = "Dell\x00 Inc."
	inv.System.Product.Serial += "\x00"
	inv.Identity = inventory.DeriveIdentity(inv)
	inv.Host.Hostname = "hook\x00"
	inv.Network.Interfaces[0].Neighbors[0].SystemName = "leaf\x00-r000-a"
	inv.Network.Interfaces[0].Neighbors[0].PortID = "Ethernet\x004"
	inv.Collectors[0].Warnings = []string{"read /proc/x\x00: odd"}
	return inv
}

// Issue 11 row 4: "\u0000" in a string was a 500 on PostgreSQL (the agent
// retries 5xx forever: that machine never registered) and stored as is on
// SQLite. Both stores now give the same answers and keep the same values:
// the inventory verbatim, the columns and keys with U+FFFD for NUL.
func TestNULStrings(t *testing.T) {
	t.Parallel()
	got := map[string][]api.Machine{}
	for _, kind := range storeKinds {
		f := newFixtureOn(t, kind, nil)
		inv := withNUL(7)
		reg := f.register(inv)
		again := f.register(inv)
		if again.MachineID != reg.MachineID {
			t.Errorf("%s: re-registration landed on %s, want %s (matched by its keys)", kind, again.MachineID, reg.MachineID)
		}
		upload := withNUL(7)
		upload.System.BIOS.Version = "6.6.1\x00"
		f.call("PUT", fmt.Sprintf(api.PathInventoryFmt, reg.MachineID), again.Credential, api.InventoryRequest{Inventory: upload}, 204, nil)
		e := f.call("POST", fmt.Sprintf(api.PathCheckinFmt, reg.MachineID), again.Credential,
			[]byte(`{"state":"registered","agent_version":"v1\u0000"}`), 400, nil)
		if !strings.HasPrefix(e.Message, "field agent_version:") {
			t.Errorf("%s: check-in with NUL in agent_version: %q, want one naming the field", kind, e.Message)
		}
		var m api.Machine
		f.call("GET", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil, 200, &m)
		if m.Inventory == nil || m.Inventory.System.BIOS.Version != "6.6.1\x00" || m.Inventory.Host.Hostname != "hook\x00" {
			t.Errorf("%s: the stored inventory is not verbatim: %+v", kind, m.Inventory)
		}
		var l api.MachineList
		f.call("GET", api.PathMachines+"?switch=leaf%EF%BF%BD-r000-a", adminToken, nil, 200, &l)
		var h api.History
		f.call("GET", fmt.Sprintf(api.PathHistoryFmt, reg.MachineID), adminToken, nil, 200, &h)
		if len(l.Machines) != 1 || len(h.Changes) != 3 {
			t.Errorf("%s: %d machines on the switch, %d history entries", kind, len(l.Machines), len(h.Changes))
		}
		got[kind] = []api.Machine{m, l.Machines[0]}
	}
	if m := got["sqlite"][0]; m.Manufacturer != "Dell\uFFFD Inc." || m.Hostname != "hook\uFFFD" ||
		!strings.Contains(strings.Join(m.IdentityKeys, " "), "\uFFFD") {
		t.Errorf("sqlite columns: manufacturer %q hostname %q keys %q", m.Manufacturer, m.Hostname, m.IdentityKeys)
	}
	ignore := cmpopts.IgnoreFields(api.Machine{}, "FirstSeen", "LastSeen")
	if diff := cmp.Diff(got["sqlite"], got["postgres"], ignore); diff != "" {
		t.Errorf("the stores differ (-sqlite +postgres):\n%s", diff)
	}
}
