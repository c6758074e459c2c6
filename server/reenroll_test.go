package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/testinv"
)

// Under --reenroll approve a takeover waits: the held credential checks in
// as "none, pending", cannot upload, and the machine's own credential
// keeps working until an operator approves. Every answer validates against
// docs/openapi.yaml.
func TestApprovePolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.Reenroll = reenroll.Approve{} })
	inv := testinv.Machine(30)
	first := f.register(inv)

	var held api.RegisterResponse
	_, _, body := f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.MachineWith(30, testinv.Options{BIOSVersion: "6.6.1"})})
	// The second takeover is what hwagent run sends: the identity
	// collectors' sections, the others pending.
	boot := testinv.MachineWith(30, testinv.Options{RemoveDIMM: "DIMM_A3"})
	f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.Registration(boot)}, 202, &held)
	if held.MachineID != first.MachineID || !held.PendingApproval || held.Credential == "" || held.Credential == first.Credential {
		t.Fatalf("held registration answer: %+v", held)
	}
	checkin := func(cred string) api.CheckinResponse {
		t.Helper()
		var r api.CheckinResponse
		status, _, b := f.do("POST", fmt.Sprintf(api.PathCheckinFmt, first.MachineID), cred, api.CheckinRequest{State: "registered", InventoryDigest: inventory.Digest(inv)})
		if status != 200 {
			t.Fatalf("check-in: %d %s", status, b)
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	f.call("PUT", fmt.Sprintf(api.PathActionFmt, first.MachineID), adminToken, api.ActionRequest{Action: api.ActionReboot}, 200, nil)
	if r := checkin(held.Credential); r.Action != api.ActionNone || !r.PendingApproval {
		t.Errorf("check-in with a held credential: %+v, want none and pending (never the machine's reboot)", r)
	}
	// Its agent's first update completes the held registration, for the
	// operator to compare; one with other identity keys is refused.
	e := f.call("PUT", fmt.Sprintf(api.PathInventoryFmt, first.MachineID), held.Credential,
		api.InventoryRequest{Inventory: testinv.WithNIC(testinv.MachineWith(30, testinv.Options{RemoveDIMM: "DIMM_A3"}), 0, "02:00:00:00:30:01")}, 409, nil)
	if e.Code != api.CodeIdentityConflict {
		t.Errorf("upload with a held credential and other identity keys: %+v", e)
	}
	f.call("PUT", fmt.Sprintf(api.PathInventoryFmt, first.MachineID), held.Credential, api.InventoryRequest{Inventory: boot}, 204, nil)
	if r := checkin(first.Credential); r.Action != api.ActionReboot || r.PendingApproval {
		t.Errorf("the machine's own check-in while a takeover is held: %+v, want its reboot", r)
	}

	var m api.Machine
	_, _, body = f.do("GET", fmt.Sprintf(api.PathMachineFmt, first.MachineID), adminToken, nil)
	f.call("GET", fmt.Sprintf(api.PathMachineFmt, first.MachineID), adminToken, nil, 200, &m)
	if len(m.Pending) != 2 || m.Pending[0].Peer != "127.0.0.1" || m.PendingRegistrations != 2 {
		t.Fatalf("held registrations: %+v", m.Pending)
	}
	dimm := inv.Memory.Modules[2]
	wantDiff := []string{"memory.installed 96 GiB → 88 GiB",
		fmt.Sprintf("dimm DIMM_A3 removed (8 GiB %s %s, serial %s)", dimm.Manufacturer, dimm.PartNumber, dimm.Serial)}
	if diff := cmp.Diff(wantDiff, m.Pending[1].Differences); diff != "" {
		t.Errorf("the completed held registration's differences (-want +got):\n%s", diff)
	}
	e = f.call("POST", fmt.Sprintf(api.PathApproveFmt, first.MachineID), adminToken, nil, 409, nil)
	if e.Code != api.CodeConflict || !strings.Contains(e.Message, m.Pending[1].ID) {
		t.Errorf("approve without naming one of two: %+v", e)
	}
	f.call("POST", fmt.Sprintf(api.PathApproveFmt, first.MachineID), adminToken, []byte(`{"pending":"x"}`), 400, nil)
	_, _, body = f.do("POST", fmt.Sprintf(api.PathApproveFmt, first.MachineID), adminToken, api.ApprovalRequest{PendingID: held.PendingID})
	if r := checkin(held.Credential); r.PendingApproval {
		t.Errorf("check-in after the approval: %+v", r)
	}
	f.call("POST", fmt.Sprintf(api.PathCheckinFmt, first.MachineID), first.Credential, api.CheckinRequest{State: "registered"}, 401, nil)
	f.call("POST", fmt.Sprintf(api.PathRejectFmt, first.MachineID), adminToken, nil, 404, nil)

	var h api.History
	f.call("GET", fmt.Sprintf(api.PathHistoryFmt, first.MachineID), adminToken, nil, 200, &h)
	var got []string
	for _, c := range h.Changes {
		got = append(got, c.Kind)
	}
	want := "registered registration_held registration_held action_set action_delivered registration_approved inventory_changed"
	if strings.Join(got, " ") != want {
		t.Errorf("history kinds %q, want %q", got, want)
	}
	_, _, body = f.do("GET", api.PathConflicts, adminToken, nil)
	_, _, body = f.do("GET", "/metrics", "", nil)
	if !strings.Contains(string(body), `hwagent_server_registrations_total{result="held"} 2`) {
		t.Errorf("/metrics does not count the held registrations")
	}
}

// Under the default policy every credential rotation is in the history
// with the address it came from.
func TestAllowRecordsRotations(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	first := f.register(testinv.Machine(31))
	f.register(testinv.Machine(31))
	var h api.History
	f.call("GET", fmt.Sprintf(api.PathHistoryFmt, first.MachineID), adminToken, nil, 200, &h)
	if len(h.Changes) != 2 || strings.Join(h.Changes[1].Details, "; ") != "re-registered; from 127.0.0.1; credential rotated" ||
		strings.Join(h.Changes[0].Details, "; ") != "first registration; from 127.0.0.1" {
		t.Errorf("history: %+v", h.Changes)
	}
}
