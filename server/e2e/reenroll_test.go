package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/testinv"
)

// `serve --reenroll approve`: a second registration of a known machine
// (anyone with the enrollment token and the machine's keys) is held; the
// machine keeps its credential and its record until an operator approves
// with `hwagent machines approve`.
func TestReenrollApprove(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		s := serve(t, dsn, "--reenroll", "approve")
		inv := testinv.Machine(40)
		var first api.RegisterResponse
		must(t, s, "POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv}, 200, &first)

		// The impostor: the same keys, another BIOS (say), the shared token.
		other := testinv.MachineWith(40, testinv.Options{BIOSVersion: "6.6.1"})
		var held api.RegisterResponse
		must(t, s, "POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: other}, 202, &held)
		if held.MachineID != first.MachineID || !held.PendingApproval || !strings.HasPrefix(held.PendingID, "p-") {
			t.Fatalf("held registration: %+v", held)
		}
		checkin := func(cred string, status int) api.CheckinResponse {
			t.Helper()
			var r api.CheckinResponse
			must(t, s, "POST", fmt.Sprintf(api.PathCheckinFmt, first.MachineID), cred,
				api.CheckinRequest{State: api.StateRegistered, InventoryDigest: inventory.Digest(inv)}, status, &r)
			return r
		}
		machines(t, s, nil, "action", first.MachineID, "release")
		if r := checkin(held.Credential, 200); r.Action != api.ActionNone || !r.PendingApproval {
			t.Errorf("held credential's check-in: %+v, want none and pending_approval", r)
		}
		// The held agent's first update completes its held request (same
		// keys): 204, and the machine's own record stays as it was.
		must(t, s, "PUT", fmt.Sprintf(api.PathInventoryFmt, first.MachineID), held.Credential, api.InventoryRequest{Inventory: other}, 204, nil)
		if r := checkin(first.Credential, 200); r.Action != api.ActionRelease || r.PendingApproval {
			t.Errorf("the machine's own check-in: %+v, want its release", r)
		}
		var m api.Machine
		machines(t, s, &m, "show", first.MachineID, "-o", "json")
		if m.InventoryDigest != inventory.Digest(inv) || len(m.Pending) != 1 || m.Pending[0].Peer != "127.0.0.1" ||
			strings.Join(m.Pending[0].Differences, "; ") != "bios.version 6.6.0 → 6.6.1" {
			t.Fatalf("machine while held: digest %s, held %+v", m.InventoryDigest, m.Pending)
		}
		if show := machines(t, s, nil, "show", first.MachineID); !strings.Contains(show, held.PendingID+" from 127.0.0.1 at ") ||
			!strings.Contains(show, "  bios.version 6.6.0 → 6.6.1") {
			t.Errorf("show table lacks the held registration:\n%s", show)
		}
		if table := machines(t, s, nil, "list"); !strings.Contains(table, " 1 held\n") {
			t.Errorf("list table lacks the held registration:\n%s", table)
		}

		if out := machines(t, s, nil, "approve", first.MachineID); out != first.MachineID+": held registration approved; the machine's credential rotated\n" {
			t.Errorf("approve printed %q", out)
		}
		checkin(first.Credential, 401)
		if r := checkin(held.Credential, 200); r.PendingApproval || r.Action != api.ActionSendInventory {
			t.Errorf("check-in after the approval: %+v, want send_inventory (its digest is the old inventory's)", r)
		}
		m = api.Machine{}
		machines(t, s, &m, "show", first.MachineID, "-o", "json")
		if m.InventoryDigest != inventory.Digest(other) || len(m.Pending) != 0 {
			t.Errorf("after approval: digest %s, held %+v", m.InventoryDigest, m.Pending)
		}
		var h api.History
		machines(t, s, &h, "history", first.MachineID, "-o", "json")
		var kinds []string
		for _, c := range h.Changes {
			kinds = append(kinds, c.Kind)
		}
		if want := "registered registration_held action_set action_delivered registration_approved inventory_changed"; strings.Join(kinds, " ") != want {
			t.Errorf("history %q, want %q", kinds, want)
		}
	})
}
