package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/testinv"
)

// register → check in → late LLDP neighbours → operator action → delivered
// → history, through the HTTP API and `hwagent machines`.
func TestLifecycle(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		s := serve(t, dsn, "--checkin-interval", "12s", "--push-lldp-wait", "45s", "--push-collectors", "smbios,network,lldp")
		early := testinv.MachineWith(11, testinv.Options{NoNeighbours: true})
		var reg api.RegisterResponse
		must(t, s, "POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: early}, 200, &reg)
		wait := 45
		if diff := cmp.Diff(api.RegisterResponse{MachineID: early.Identity.MachineID, Credential: reg.Credential, CheckinIntervalSeconds: 12,
			Config: api.AgentConfig{Collectors: []string{"smbios", "network", "lldp"}, LLDPWaitSeconds: &wait}}, reg); diff != "" {
			t.Errorf("registration (-want +got):\n%s", diff)
		}
		// Registering again (the agent restarted) is the same machine.
		var again api.RegisterResponse
		must(t, s, "POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: early}, 200, &again)
		if again.MachineID != reg.MachineID || again.Credential == reg.Credential {
			t.Errorf("re-registration: %s (credential rotated: %v), want %s with a new credential", again.MachineID, again.Credential != reg.Credential, reg.MachineID)
		}
		reg = again
		checkin := func(inv *inventory.Inventory, state string) string {
			t.Helper()
			var r api.CheckinResponse
			must(t, s, "POST", fmt.Sprintf(api.PathCheckinFmt, reg.MachineID), reg.Credential,
				api.CheckinRequest{State: state, InventoryDigest: inventory.Digest(inv), UptimeSeconds: 95.5, AgentVersion: "v0.3.0"}, 200, &r)
			if r.CheckinIntervalSeconds != 12 {
				t.Errorf("check-in interval %d, want 12", r.CheckinIntervalSeconds)
			}
			return r.Action
		}
		if a := checkin(early, api.StateRegistered); a != api.ActionNone {
			t.Errorf("first check-in: %s, want none", a)
		}
		late := testinv.Machine(11)
		if a := checkin(late, api.StateRegistered); a != api.ActionSendInventory {
			t.Errorf("check-in after LLDP: %s, want send_inventory", a)
		}
		must(t, s, "PUT", fmt.Sprintf(api.PathInventoryFmt, reg.MachineID), reg.Credential, api.InventoryRequest{Inventory: late}, 204, nil)
		if a := checkin(late, api.StateRegistered); a != api.ActionNone {
			t.Errorf("check-in after the upload: %s, want none", a)
		}

		// The operator finds it by switch and vendor, then releases it.
		var list api.MachineList
		machines(t, s, &list, "list", "-o", "json", "--vendor", "DELL", "--switch", "leaf-r000-b", "--seen-since", "1h")
		if len(list.Machines) != 1 || list.Machines[0].ID != reg.MachineID {
			t.Fatalf("list --vendor DELL --switch leaf-r000-b: %+v", list.Machines)
		}
		machines(t, s, &list, "list", "-o", "json", "--switch", "leaf-r999-a")
		if len(list.Machines) != 0 {
			t.Errorf("list --switch of an unknown switch: %+v", list.Machines)
		}
		table := machines(t, s, nil, "list")
		if !regexp.MustCompile(`(?m)^ID +STATE +ACTION +VENDOR +PRODUCT +SERIAL +BMC +LAST SEEN +SWITCHES +IDENTITY\n` +
			reg.MachineID + ` +registered +- +Dell Inc\. +PowerEdge R610 +` + late.System.Product.Serial +
			` +10\.30\.1\.12 +\d+s +leaf-r000-a Ethernet12, leaf-r000-b Ethernet12 +-\n$`).MatchString(table) {
			t.Errorf("list table:\n%s", table)
		}
		var m api.Machine
		machines(t, s, &m, "action", reg.MachineID, "release", "-o", "json")
		if m.PendingAction != api.ActionRelease {
			t.Errorf("after `machines action release`: pending %q", m.PendingAction)
		}
		if a := checkin(late, api.StateRegistered); a != api.ActionRelease {
			t.Errorf("check-in with a pending release: %s", a)
		}
		if a := checkin(late, api.StateReleased); a != api.ActionNone {
			t.Errorf("check-in after the release: %s", a)
		}
		m = api.Machine{}
		machines(t, s, &m, "show", reg.MachineID, "-o", "json")
		if m.State != api.StateReleased || m.PendingAction != "" || m.AgentVersion != "v0.3.0" || m.UptimeSeconds != 95.5 ||
			m.Inventory == nil || inventory.Digest(m.Inventory) != inventory.Digest(late) {
			t.Errorf("show: state %q pending %q agent %q uptime %v", m.State, m.PendingAction, m.AgentVersion, m.UptimeSeconds)
		}
		if show := machines(t, s, nil, "show", reg.MachineID); !strings.Contains(show, "State:             released") || !strings.Contains(show, "PowerEdge R610") {
			t.Errorf("show table:\n%s", show)
		}

		var h api.History
		machines(t, s, &h, "history", reg.MachineID, "-o", "json")
		type entry struct {
			Kind    string
			Details []string
		}
		var got []entry
		for _, c := range h.Changes {
			got = append(got, entry{c.Kind, c.Details})
		}
		want := []entry{
			{api.ChangeRegistered, []string{"first registration", "from 127.0.0.1"}},
			{api.ChangeRegistered, []string{"re-registered", "from 127.0.0.1", "credential rotated"}},
			{api.ChangeInventory, []string{
				"nic eno1 (00:26:b9:00:00:58) neighbour (none) → leaf-r000-a Ethernet12",
				"nic eno2 (00:26:b9:00:00:59) neighbour (none) → leaf-r000-b Ethernet12",
			}},
			{api.ChangeActionSet, []string{"release"}},
			{api.ChangeActionDelivered, []string{"release"}},
			{api.ChangeState, []string{"registered → released"}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		if table := machines(t, s, nil, "history", reg.MachineID); !strings.Contains(table, "inventory_changed  nic eno1 (00:26:b9:00:00:58) neighbour (none) → leaf-r000-a Ethernet12\n") {
			t.Errorf("history table:\n%s", table)
		}

		// Metrics and probes.
		status, _, body, err := call(s.URL, "GET", "/metrics", "", nil)
		if err != nil || status != 200 {
			t.Fatalf("/metrics: %d %v", status, err)
		}
		for _, line := range []string{
			`hwagent_server_registrations_total{result="created"} 1`,
			`hwagent_server_registrations_total{result="updated"} 1`,
			`hwagent_server_checkins_total{result="release"} 1`,
			`hwagent_server_machines{state="released"} 1`,
		} {
			if !strings.Contains(string(body), line+"\n") {
				t.Errorf("/metrics lacks %s", line)
			}
		}
		must(t, s, "GET", "/healthz", "", nil, 200, nil)
		must(t, s, "GET", "/readyz", "", nil, 200, nil)

		machines(t, s, nil, "delete", reg.MachineID)
		must(t, s, "GET", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil, 404, nil)
		if logs := s.Logs(); strings.Contains(logs, enrollToken) || strings.Contains(logs, adminToken) || strings.Contains(logs, reg.Credential) {
			t.Errorf("a secret is in the server's log")
		}
	})
}
