package sqlstore

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

// TestRegistrationWithPendingCollectors: `hwagent run` registers with the
// Identity collectors' sections, the other collectors pending, and sends
// the rest as its first update. A known machine keeps its last complete
// inventory (digest, summary, neighbours) until that update, which is
// compared with it as any update is; the registration itself rotates the
// credential and takes the identity keys as a complete one would.
func TestRegistrationWithPendingCollectors(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		boot1 := testinv.Machine(5)
		id := register(t, s, boot1, hash(1), 0).MachineID
		before, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}

		// The next boot: the BIOS was updated meanwhile.
		boot2 := testinv.MachineWith(5, testinv.Options{BIOSVersion: "6.6.1"})
		boot2.Host.UptimeSeconds = 12.5
		res := register(t, s, testinv.Registration(boot2), hash(2), 1)
		if res.MachineID != id || res.Created || res.InventoryChanged {
			t.Fatalf("registration with pending collectors = %+v, want machine %s, inventory unchanged", res, id)
		}
		kept, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if kept.InventoryDigest != before.InventoryDigest || inventory.Digest(kept.Inventory) != inventory.Digest(boot1) ||
			kept.BMCIP != before.BMCIP || !cmp.Equal(kept.Switches, before.Switches) {
			t.Errorf("the last complete inventory was not kept: digest %s (was %s), BMC %q, switches %v", kept.InventoryDigest, before.InventoryDigest, kept.BMCIP, kept.Switches)
		}
		if kept.UptimeSeconds != 12.5 || !kept.LastSeen.Equal(at(1)) || !cmp.Equal(kept.IdentityKeys, before.IdentityKeys) {
			t.Errorf("registration columns: uptime %v, last seen %v, keys %v", kept.UptimeSeconds, kept.LastSeen, kept.IdentityKeys)
		}
		if got, err := s.MachineForCredential(ctx, hash(2)); err != nil || got != id {
			t.Errorf("the new credential finds %q, %v", got, err)
		}

		// The first update completes it: compared with boot 1's.
		if err := s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, boot2), MachineID: id, CredentialHash: hash(2), Now: at(2)}); err != nil {
			t.Fatal(err)
		}
		after, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if after.InventoryDigest != inventory.Digest(boot2) {
			t.Errorf("digest after the first update %s, want boot 2's", after.InventoryDigest)
		}
		pending := "collectors pending: cpu, memory, storage, pci, firmware, bmc"
		wantH := []api.Change{
			{At: at(0), Kind: api.ChangeRegistered, Details: []string{"first registration"}},
			{At: at(1), Kind: api.ChangeRegistered, Details: []string{"re-registered", pending, "the last complete inventory kept until they report"}},
			{At: at(2), Kind: api.ChangeInventory, Details: []string{"bios.version 6.6.0 → 6.6.1"}},
		}
		h, err := s.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantH, h); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}

		// A new machine registering that way has only that to store; its
		// first update says what reported since.
		newcomer := testinv.Machine(6)
		nid := register(t, s, testinv.Registration(newcomer), hash(3), 3).MachineID
		m, err := s.Get(ctx, nid)
		if err != nil {
			t.Fatal(err)
		}
		if m.Inventory.CPU != nil || m.Serial != newcomer.System.Product.Serial || !cmp.Equal(m.IdentityKeys, sorted(newcomer.Identity.Keys())) {
			t.Errorf("new machine: cpu %v, serial %q, keys %v", m.Inventory.CPU, m.Serial, m.IdentityKeys)
		}
		if err := s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, newcomer), MachineID: nid, CredentialHash: hash(3), Now: at(4)}); err != nil {
			t.Fatal(err)
		}
		h, err = s.History(ctx, nid)
		if err != nil {
			t.Fatal(err)
		}
		wantH = []api.Change{
			{At: at(3), Kind: api.ChangeRegistered, Details: []string{"first registration", pending}},
			{At: at(4), Kind: api.ChangeInventory, Details: []string{
				"nic eno1 (00:26:b9:00:00:30) neighbour (none) → leaf-r000-a Ethernet7",
				"nic eno2 (00:26:b9:00:00:31) neighbour (none) → leaf-r000-b Ethernet7",
				"reported after the registration: cpu, memory, storage, pci, firmware, bmc",
			}},
		}
		if diff := cmp.Diff(wantH, h); diff != "" {
			t.Errorf("new machine's history (-want +got):\n%s", diff)
		}
	})
}

// TestPendingRegistrationKubeOutbox: a new machine's registration with
// pending collectors goes to the cluster with its first update, not
// before; a known machine's stays as it was.
func TestPendingRegistrationKubeOutbox(t *testing.T) {
	eachKube(t, func(t *testing.T, s *Store, _ func(bool) *Store) {
		ctx := context.Background()
		inv := testinv.Machine(7)
		id := register(t, s, testinv.Registration(inv), hash(1), 0).MachineID
		if k := kubeOf(t, s, id); k != nil {
			t.Errorf("marked for the cluster before the first update: %+v", k)
		}
		if err := s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, inv), MachineID: id, CredentialHash: hash(1), Now: at(1)}); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(&api.KubeSync{State: api.KubePending}, kubeOf(t, s, id)); d != "" {
			t.Errorf("after the first update (-want +got):\n%s", d)
		}
	})
}

// TestUpdateHeld: the agent of a registration held for approval completes
// it with its first update; the held request, not the machine, takes it,
// and only with the identity keys it was held for. Approving it then
// takes the machine over with the complete inventory.
func TestUpdateHeld(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := decide(t, s, testinv.Machine(23), hash(1), 0, "", reenroll.Decision{Verdict: reenroll.Allow}).MachineID
		boot := testinv.MachineWith(23, testinv.Options{BIOSVersion: "6.6.1"})
		pid := decide(t, s, testinv.Registration(boot), hash(2), 1, "192.0.2.23", reenroll.Decision{Verdict: reenroll.Hold, Reason: "test"}).PendingID

		other := testinv.WithNIC(testinv.MachineWith(23, testinv.Options{BIOSVersion: "6.6.1"}), 1, "02:00:00:00:23:02")
		var ce *store.ConflictError
		if err := s.UpdateHeld(ctx, store.InventoryUpdate{Document: doc(t, other), MachineID: id, CredentialHash: hash(2), Now: at(2)}); !errors.As(err, &ce) {
			t.Errorf("held update with other identity keys: %v, want a ConflictError", err)
		}
		if err := s.UpdateHeld(ctx, store.InventoryUpdate{Document: doc(t, boot), MachineID: id, CredentialHash: hash(9), Now: at(2)}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("held update with a credential nothing holds: %v, want ErrNotFound", err)
		}
		if err := s.UpdateHeld(ctx, store.InventoryUpdate{Document: doc(t, boot), MachineID: id, CredentialHash: hash(2), Now: at(2)}); err != nil {
			t.Fatal(err)
		}
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if inventory.Digest(m.Inventory) != inventory.Digest(testinv.Machine(23)) {
			t.Errorf("a held update changed the machine's inventory")
		}
		if len(m.Pending) != 1 || !cmp.Equal(m.Pending[0].Differences, []string{"bios.version 6.6.0 → 6.6.1"}) {
			t.Errorf("held registrations %+v, want one differing by its BIOS only", m.Pending)
		}
		if got, err := s.Approve(ctx, id, pid, at(3)); err != nil || got != pid {
			t.Fatalf("approve = %q, %v", got, err)
		}
		m, err = s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.InventoryDigest != inventory.Digest(boot) {
			t.Errorf("approved: digest %s, want the completed held inventory's", m.InventoryDigest)
		}
	})
}
