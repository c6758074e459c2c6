package sqlstore

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

func doc(t *testing.T, inv *inventory.Inventory) store.Document {
	t.Helper()
	d, err := store.NewDocument(inv)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func register(t *testing.T, s *Store, inv *inventory.Inventory, cred string, minute int) store.RegisterResult {
	t.Helper()
	res, err := s.Register(context.Background(), store.Registration{Document: doc(t, inv), CredentialHash: cred, Now: at(minute)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRegisterIsIdempotent(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		inv := testinv.Machine(1)
		first := register(t, s, inv, hash(1), 0)
		if !first.Created || first.MachineID != inv.Identity.MachineID {
			t.Fatalf("first registration = %+v, want created with the agent's ID %s", first, inv.Identity.MachineID)
		}
		again := register(t, s, testinv.Machine(1), hash(2), 5)
		if diff := cmp.Diff(store.RegisterResult{MachineID: first.MachineID, Verdict: reenroll.Allow}, again); diff != "" {
			t.Errorf("second registration (-want +got):\n%s", diff)
		}
		// The credential rotated: the old one no longer finds the machine.
		if _, err := s.MachineForCredential(ctx, hash(1)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old credential: err = %v, want ErrNotFound", err)
		}
		if id, err := s.MachineForCredential(ctx, hash(2)); err != nil || id != first.MachineID {
			t.Errorf("new credential: %q, %v", id, err)
		}
		m, err := s.Get(ctx, first.MachineID)
		if err != nil {
			t.Fatal(err)
		}
		want := api.Machine{
			ID: first.MachineID, State: api.StateRegistered, FirstSeen: at(0), LastSeen: at(5),
			InventoryDigest: inventory.Digest(inv), Manufacturer: "Dell Inc.", Product: "PowerEdge R610",
			Serial: inv.System.Product.Serial, BMCIP: "10.30.1.2",
			Switches:     []string{"leaf-r000-a Ethernet2", "leaf-r000-b Ethernet2"},
			AgentVersion: "v0.3.0", UptimeSeconds: 41.7, Hostname: inv.Host.Hostname,
			WorkerID: "00:26:b9:00:00:08", HWAddr: "00:26:b9:00:00:08",
			IdentityKeys: sorted(inv.Identity.Keys()),
		}
		if diff := cmp.Diff(want, m, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Inventory" }, cmp.Ignore())); diff != "" {
			t.Errorf("machine (-want +got):\n%s", diff)
		}
		if got := inventory.Digest(m.Inventory); got != inventory.Digest(inv) {
			t.Errorf("stored inventory digest %s, want %s", got, inventory.Digest(inv))
		}
		h, err := s.History(ctx, first.MachineID)
		if err != nil {
			t.Fatal(err)
		}
		wantH := []api.Change{
			{At: at(0), Kind: api.ChangeRegistered, Details: []string{"first registration"}},
			{At: at(5), Kind: api.ChangeRegistered, Details: []string{"re-registered"}},
		}
		if diff := cmp.Diff(wantH, h); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
	})
}

func sorted(keys []string) []string {
	out := append([]string(nil), keys...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestConcurrentDuplicateRegistrations(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		const n = 50
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Register(ctx, store.Registration{Document: doc(t, testinv.Machine(7)), CredentialHash: hash(100 + i), Now: at(0)})
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = res.MachineID
			}()
		}
		wg.Wait()
		ms, err := s.List(ctx, store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 {
			t.Fatalf("%d machines after %d concurrent registrations of one machine, want 1", len(ms), n)
		}
		for i, id := range ids {
			if id != ms[0].ID {
				t.Errorf("registration %d got machine %q, want %q", i, id, ms[0].ID)
			}
		}
		h, err := s.History(ctx, ms[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != n || h[0].Details[0] != "first registration" {
			t.Errorf("history has %d entries starting %+v, want %d starting with the first registration", len(h), h[0], n)
		}
	})
}

func TestCheckin(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		inv := testinv.Machine(4)
		id := register(t, s, inv, hash(1), 0).MachineID
		digest := inventory.Digest(inv)
		checkin := func(minute int, state, digest string) string {
			t.Helper()
			res, err := s.Checkin(ctx, store.Checkin{MachineID: id, CredentialHash: hash(1), State: state, Digest: digest, UptimeSeconds: float64(60 * minute), AgentVersion: "v0.3.1", Now: at(minute)})
			if err != nil {
				t.Fatal(err)
			}
			return res.Action
		}
		steps := []struct {
			name    string
			set     string // pending action set before the check-in
			digest  string
			state   string
			want    string
			comment string
		}{
			{name: "same digest", digest: digest, state: "registered", want: api.ActionNone},
			{name: "other digest", digest: hash(9), state: "registered", want: api.ActionSendInventory},
			{name: "no digest", digest: "", state: "registered", want: api.ActionSendInventory},
			{name: "pending reboot wins over digest", set: api.ActionReboot, digest: hash(9), state: "registered", want: api.ActionReboot},
			{name: "delivered once", digest: digest, state: "registered", want: api.ActionNone},
			{name: "release", set: api.ActionRelease, digest: digest, state: "registered", want: api.ActionRelease},
			{name: "released", digest: digest, state: "released", want: api.ActionNone},
			{name: "cleared action", set: api.ActionPowerOff, digest: digest, want: api.ActionNone},
		}
		for i, st := range steps {
			if st.set != "" {
				if err := s.SetAction(ctx, id, st.set, at(i+1)); err != nil {
					t.Fatal(err)
				}
			}
			if st.name == "cleared action" {
				if err := s.SetAction(ctx, id, api.ActionNone, at(i+1)); err != nil {
					t.Fatal(err)
				}
			}
			if got := checkin(i+1, st.state, st.digest); got != st.want {
				t.Errorf("step %q: action %q, want %q", st.name, got, st.want)
			}
		}
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.State != api.StateReleased || m.AgentVersion != "v0.3.1" || m.UptimeSeconds != 480 || !m.LastSeen.Equal(at(8)) || m.PendingAction != "" {
			t.Errorf("after check-ins: state %q, agent %q, uptime %v, last seen %v, pending %q", m.State, m.AgentVersion, m.UptimeSeconds, m.LastSeen, m.PendingAction)
		}
		h, err := s.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := []api.Change{
			{At: at(0), Kind: api.ChangeRegistered, Details: []string{"first registration"}},
			{At: at(4), Kind: api.ChangeActionSet, Details: []string{"reboot"}},
			{At: at(4), Kind: api.ChangeActionDelivered, Details: []string{"reboot"}},
			{At: at(6), Kind: api.ChangeActionSet, Details: []string{"release"}},
			{At: at(6), Kind: api.ChangeActionDelivered, Details: []string{"release"}},
			{At: at(7), Kind: api.ChangeState, Details: []string{"registered → released"}},
			{At: at(8), Kind: api.ChangeActionSet, Details: []string{"poweroff"}},
			{At: at(8), Kind: api.ChangeActionSet, Details: []string{"none"}},
		}
		if diff := cmp.Diff(want, h); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
	})
}

func TestWrongCredential(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := register(t, s, testinv.Machine(5), hash(1), 0).MachineID
		b := register(t, s, testinv.Machine(6), hash(2), 0).MachineID
		_, err := s.Checkin(ctx, store.Checkin{MachineID: a, CredentialHash: hash(2), State: "registered", Now: at(1)})
		if !errors.Is(err, store.ErrBadCredential) {
			t.Errorf("check-in of %s with %s's credential: %v, want ErrBadCredential", a, b, err)
		}
		err = s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, testinv.Machine(6)), MachineID: a, CredentialHash: hash(2), Now: at(1)})
		if !errors.Is(err, store.ErrBadCredential) {
			t.Errorf("inventory of %s with %s's credential: %v, want ErrBadCredential", a, b, err)
		}
		if _, err := s.Checkin(ctx, store.Checkin{MachineID: "m-000000000000000000000000", CredentialHash: hash(1), Now: at(1)}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("check-in of an unknown machine: %v, want ErrNotFound", err)
		}
		m, err := s.Get(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if !m.LastSeen.Equal(at(0)) || m.InventoryDigest != inventory.Digest(testinv.Machine(5)) {
			t.Errorf("rejected calls changed machine %s: last seen %v, digest %s", a, m.LastSeen, m.InventoryDigest)
		}
	})
}

func TestInventoryHistory(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := register(t, s, testinv.MachineWith(8, testinv.Options{NoNeighbours: true}), hash(1), 0).MachineID
		update := func(minute int, inv *inventory.Inventory) {
			t.Helper()
			if err := s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, inv), MachineID: id, CredentialHash: hash(1), Now: at(minute)}); err != nil {
				t.Fatal(err)
			}
		}
		update(1, testinv.Machine(8)) // the neighbours arrive
		update(2, testinv.Machine(8)) // nothing changed: no history entry
		update(3, testinv.MachineWith(8, testinv.Options{RemoveDIMM: "DIMM_B2", BIOSVersion: "6.6.1", Switch: "leaf-r099-a", SwitchPort: "Ethernet7"}))
		h, err := s.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		inv := testinv.Machine(8)
		dimm := inv.Memory.Modules[10]
		want := []api.Change{
			{At: at(0), Kind: api.ChangeRegistered, Details: []string{"first registration"}},
			{At: at(1), Kind: api.ChangeInventory, Details: []string{
				"nic eno1 (00:26:b9:00:00:40) neighbour (none) → leaf-r000-a Ethernet9",
				"nic eno2 (00:26:b9:00:00:41) neighbour (none) → leaf-r000-b Ethernet9",
			}},
			{At: at(3), Kind: api.ChangeInventory, Details: []string{
				"bios.version 6.6.0 → 6.6.1",
				"memory.installed 96 GiB → 88 GiB",
				"dimm DIMM_B2 removed (8 GiB 00CE00B300CE M393B1K70DH0-YH9, serial " + dimm.Serial + ")",
				"nic eno1 (00:26:b9:00:00:40) neighbour leaf-r000-a Ethernet9 → leaf-r099-a Ethernet7",
			}},
		}
		if diff := cmp.Diff(want, h); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"leaf-r099-a Ethernet7", "leaf-r000-b Ethernet9"}, m.Switches); diff != "" {
			t.Errorf("switches (-want +got):\n%s", diff)
		}
	})
}

func TestDelete(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := register(t, s, testinv.Machine(9), hash(1), 0).MachineID
		if err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: %v, want ErrNotFound", err)
		}
		if _, err := s.Get(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("get after delete: %v, want ErrNotFound", err)
		}
		if _, err := s.History(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("history after delete: %v, want ErrNotFound", err)
		}
		if err := s.SetAction(ctx, id, api.ActionReboot, at(1)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("action after delete: %v, want ErrNotFound", err)
		}
		if _, err := s.MachineForCredential(ctx, hash(1)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("credential after delete: %v, want ErrNotFound", err)
		}
		// Its keys are free again: registering creates it anew.
		if res := register(t, s, testinv.Machine(9), hash(2), 2); !res.Created {
			t.Errorf("registration after delete = %+v, want a new machine", res)
		}
	})
}
