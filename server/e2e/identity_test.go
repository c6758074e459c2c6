package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/testinv"
)

// Machine identity through a real `hwagent serve` (docs/protocol.md,
// "Identity"): placeholders are no keys, a cloned UUID is two machines in
// conflict, a NIC swap is one machine, an upload never takes another
// machine's key, and concurrency changes none of it.
func TestIdentity(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		s := serve(t, dsn)
		reg := func(inv *inventory.Inventory) api.RegisterResponse {
			t.Helper()
			var r api.RegisterResponse
			must(t, s, "POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv}, 200, &r)
			return r
		}

		// Two mini-PCs with AMI's template UUID: two machines, no conflict.
		p1 := reg(testinv.WithUUID(testinv.Machine(70), testinv.AMIUUID))
		p2 := reg(testinv.WithUUID(testinv.Machine(71), testinv.AMIUUID))
		if p1.MachineID == p2.MachineID {
			t.Fatalf("two machines with the placeholder UUID got one ID %s", p1.MachineID)
		}

		// One real UUID, other serials and NICs: two machines, in conflict.
		first := testinv.Machine(72)
		a := reg(first)
		b := reg(testinv.WithUUID(testinv.Machine(73), first.System.Product.UUID))
		if a.MachineID == b.MachineID {
			t.Fatalf("a cloned UUID merged two machines into %s", a.MachineID)
		}
		var cl api.ConflictList
		machines(t, s, &cl, "conflicts", "-o", "json")
		pair := [2]string{min(a.MachineID, b.MachineID), max(a.MachineID, b.MachineID)}
		if len(cl.Conflicts) != 1 || cl.Conflicts[0].Machines != pair ||
			!cmp.Equal(cl.Conflicts[0].Keys, []string{"system_uuid:" + first.Identity.SystemUUID}) ||
			!strings.HasPrefix(cl.Conflicts[0].Reason, "system serial ") {
			t.Fatalf("conflicts: %+v", cl.Conflicts)
		}
		table := machines(t, s, nil, "conflicts")
		if !regexp.MustCompile(`(?m)^MACHINE +MACHINE +REASON +SHARED KEYS +COUNT +LAST SEEN\n` + pair[0] + ` +` + pair[1] +
			` +system serial "Dell Inc\./PowerEdge R610/\w+" ≠ "Dell Inc\./PowerEdge R610/\w+" +system_uuid:` + first.Identity.SystemUUID + ` +1 +\d+s\n$`).MatchString(table) {
			t.Errorf("conflicts table:\n%s", table)
		}
		list := machines(t, s, nil, "list")
		for _, line := range []string{a.MachineID, b.MachineID} {
			other := map[string]string{a.MachineID: b.MachineID, b.MachineID: a.MachineID}[line]
			if !regexp.MustCompile(`(?m)^` + line + ` .* conflict ` + other + `$`).MatchString(list) {
				t.Errorf("list does not show %s in conflict with %s:\n%s", line, other, list)
			}
		}
		var h api.History
		machines(t, s, &h, "history", a.MachineID, "-o", "json")
		if last := h.Changes[len(h.Changes)-1]; last.Kind != api.ChangeIdentityConflict || !strings.HasPrefix(last.Details[0], "with "+b.MachineID+": ") {
			t.Errorf("history of %s ends with %+v", a.MachineID, last)
		}
		// Placeholders are shown as such.
		var m api.Machine
		super := testinv.Machine(74)
		super.System.Product.Serial = "0123456789"
		super.Identity = inventory.DeriveIdentity(super)
		sp := reg(super)
		machines(t, s, &m, "show", sp.MachineID, "-o", "json")
		if !m.SerialPlaceholder {
			t.Errorf("serial 0123456789 not flagged as a placeholder: %+v", m)
		}
		if show := machines(t, s, nil, "show", sp.MachineID); !strings.Contains(show, "Serial:            0123456789 (placeholder)\n") ||
			!strings.Contains(show, "  Serial        0123456789 (placeholder)\n") {
			t.Errorf("show does not flag the placeholder serial:\n%s", show)
		}

		// A NIC swap: the same machine.
		swap := reg(testinv.WithNIC(testinv.Machine(72), 3, "a0:36:9f:00:00:72"))
		if swap.MachineID != a.MachineID {
			t.Errorf("a NIC swap made machine %s, want %s", swap.MachineID, a.MachineID)
		}
		a = swap

		// An upload carrying another machine's key: 409, nothing changes.
		var before, after api.Machine
		var hb, ha api.History
		must(t, s, "GET", fmt.Sprintf(api.PathMachineFmt, a.MachineID), adminToken, nil, 200, &before)
		must(t, s, "GET", fmt.Sprintf(api.PathHistoryFmt, a.MachineID), adminToken, nil, 200, &hb)
		stolen := testinv.WithNIC(testinv.WithNIC(testinv.Machine(72), 3, "a0:36:9f:00:00:72"), 5, testinv.MAC(73, 0))
		e := must(t, s, "PUT", fmt.Sprintf(api.PathInventoryFmt, a.MachineID), a.Credential, api.InventoryRequest{Inventory: stolen}, 409, nil)
		if e.Code != api.CodeIdentityConflict || !strings.Contains(e.Message, "mac:"+testinv.MAC(73, 0)) || !strings.Contains(e.Message, b.MachineID) {
			t.Errorf("409 answer: %+v", e)
		}
		must(t, s, "GET", fmt.Sprintf(api.PathMachineFmt, a.MachineID), adminToken, nil, 200, &after)
		must(t, s, "GET", fmt.Sprintf(api.PathHistoryFmt, a.MachineID), adminToken, nil, 200, &ha)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("a refused upload changed the machine (-before +after):\n%s", diff)
		}
		if len(ha.Changes) != len(hb.Changes) {
			t.Errorf("a refused upload is in the history: %+v", ha.Changes[len(hb.Changes):])
		}
		var mb api.Machine
		must(t, s, "GET", fmt.Sprintf(api.PathMachineFmt, b.MachineID), adminToken, nil, 200, &mb)
		if !contains(mb.IdentityKeys, "mac:"+testinv.MAC(73, 0)) {
			t.Errorf("%s lost its MAC to an upload", b.MachineID)
		}
		// The other machine's registration still finds its own record.
		if again := reg(testinv.WithUUID(testinv.Machine(73), first.System.Product.UUID)); again.MachineID != b.MachineID {
			t.Errorf("%s registering again got %s", b.MachineID, again.MachineID)
		}

		status, _, body, err := call(s.URL, "GET", "/metrics", "", nil)
		if err != nil || status != 200 {
			t.Fatalf("/metrics: %d %v", status, err)
		}
		for _, line := range []string{
			`hwagent_server_identity_conflicts_total{source="registration"} 2`,
			`hwagent_server_identity_conflicts_total{source="upload"} 1`,
		} {
			if !strings.Contains(string(body), line+"\n") {
				t.Errorf("/metrics lacks %s", line)
			}
		}

		// The other machine back with its serials cleared (a firmware
		// reset): its NICs make it itself, its UUID matches the first
		// too. The conflict keeps the serials that tell them apart
		// first, and lists the new reason under it.
		cleared := testinv.WithUUID(testinv.Machine(73), first.System.Product.UUID)
		cleared.System.Product.Serial, cleared.System.Baseboard.Serial, cleared.System.Chassis.Serial = "To Be Filled By O.E.M.", "", ""
		cleared.Identity = inventory.DeriveIdentity(cleared)
		if again := reg(cleared); again.MachineID != b.MachineID {
			t.Errorf("%s with its serials cleared got %s", b.MachineID, again.MachineID)
		}
		machines(t, s, &cl, "conflicts", "-o", "json")
		if len(cl.Conflicts) != 1 || len(cl.Conflicts[0].Reasons) != 2 || !strings.HasPrefix(cl.Conflicts[0].Reason, "system serial ") ||
			cl.Conflicts[0].Reasons[0] != cl.Conflicts[0].Reason || !strings.HasPrefix(cl.Conflicts[0].Reasons[1], "both match one registration") {
			t.Errorf("conflicts after a second reason: %+v", cl.Conflicts)
		}
		table = machines(t, s, nil, "conflicts")
		if !regexp.MustCompile(`(?m)^` + pair[0] + ` +` + pair[1] + ` +system serial "[^"]+" ≠ "[^"]+" +system_uuid:\S+ +\d+ +\d+s\n +both match one registration: `).MatchString(table) {
			t.Errorf("conflicts table with two reasons:\n%s", table)
		}
	})
}

// Both machines of a cloned UUID booting at once, each several times, from
// 16 concurrent clients: still two machines, one conflict.
func TestConcurrentConflictingRegistrations(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		s := serve(t, dsn)
		uuid := testinv.Machine(80).System.Product.UUID
		const n = 16
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := register(s.URL, testinv.WithUUID(testinv.Machine(80+i%2), uuid))
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = r.MachineID
			}()
		}
		wg.Wait()
		var l api.MachineList
		machines(t, s, &l, "list", "-o", "json")
		if len(l.Machines) != 2 {
			b, _ := json.Marshal(l.Machines)
			t.Fatalf("%d machines, want 2: %s", len(l.Machines), b)
		}
		for i, id := range ids {
			if id != ids[i%2] || id == ids[1-i%2] {
				t.Errorf("registration %d: machine %s; machine %d's first went to %s", i, id, i%2, ids[i%2])
			}
		}
		var cl api.ConflictList
		machines(t, s, &cl, "conflicts", "-o", "json")
		if len(cl.Conflicts) != 1 {
			t.Errorf("conflicts: %+v", cl.Conflicts)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
