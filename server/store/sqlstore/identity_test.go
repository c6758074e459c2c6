package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

func get(t *testing.T, s *Store, id string) api.Machine {
	t.Helper()
	m, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func hasKind(t *testing.T, s *Store, id, kind string) []string {
	t.Helper()
	h, err := s.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range h {
		if c.Kind == kind {
			return c.Details
		}
	}
	return nil
}

// Two boxes with AMI's template UUID (two Beelink mini-PCs,
// timmo001/system-bridge#3532) are two machines: the UUID is no key.
func TestPlaceholderUUIDIsNoKey(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		a := register(t, s, testinv.WithUUID(testinv.Machine(50), testinv.AMIUUID), hash(1), 0)
		b := register(t, s, testinv.WithUUID(testinv.Machine(51), testinv.AMIUUID), hash(2), 1)
		if !a.Created || !b.Created || a.MachineID == b.MachineID || len(a.Conflicts)+len(b.Conflicts) != 0 {
			t.Fatalf("registrations %+v and %+v, want two machines without conflict", a, b)
		}
		for _, id := range []string{a.MachineID, b.MachineID} {
			for _, k := range get(t, s, id).IdentityKeys {
				if strings.Contains(k, testinv.AMIUUID) {
					t.Errorf("%s holds the placeholder key %s", id, k)
				}
			}
		}
	})
}

// One real UUID on two machines whose serials and NICs differ (cloned
// firmware settings): two machines, the conflict recorded on both, the
// UUID key staying with the first. Registering both again changes nothing
// but the conflict's count.
func TestClonedUUIDIsTwoMachines(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		first := testinv.Machine(52)
		clone := testinv.WithUUID(testinv.Machine(53), first.System.Product.UUID)
		a := register(t, s, first, hash(1), 0)
		b := register(t, s, clone, hash(2), 1)
		if !b.Created || b.MachineID == a.MachineID || !cmp.Equal(b.Conflicts, []string{a.MachineID}) {
			t.Fatalf("the clone's registration = %+v, want a new machine in conflict with %s", b, a.MachineID)
		}
		uuidKey := "system_uuid:" + first.Identity.SystemUUID
		if !contains(get(t, s, a.MachineID).IdentityKeys, uuidKey) || contains(get(t, s, b.MachineID).IdentityKeys, uuidKey) {
			t.Errorf("the UUID key should stay with %s only", a.MachineID)
		}
		for _, pair := range [][2]string{{a.MachineID, b.MachineID}, {b.MachineID, a.MachineID}} {
			m := get(t, s, pair[0])
			if !cmp.Equal(m.Conflicts, []string{pair[1]}) {
				t.Errorf("%s: conflicts %v, want %s", pair[0], m.Conflicts, pair[1])
			}
			if d := hasKind(t, s, pair[0], api.ChangeIdentityConflict); len(d) != 2 || !strings.HasPrefix(d[0], "with "+pair[1]+": system serial ") ||
				d[1] != "shared key "+uuidKey {
				t.Errorf("%s: identity_conflict history %q", pair[0], d)
			}
		}
		// Both boot again: the clone meets the conflict again (the first
		// machine's keys are all its own).
		if again := register(t, s, testinv.Machine(52), hash(3), 2); again.MachineID != a.MachineID || again.Created {
			t.Errorf("the first machine again: %+v", again)
		}
		if again := register(t, s, testinv.WithUUID(testinv.Machine(53), first.System.Product.UUID), hash(4), 3); again.MachineID != b.MachineID || again.Created {
			t.Errorf("the clone again: %+v", again)
		}
		cs, err := s.Conflicts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []api.Conflict{{Machines: sortedPair(a.MachineID, b.MachineID), Keys: []string{uuidKey},
			Reason: cs[0].Reason, Reasons: []string{cs[0].Reason}, FirstSeen: at(1), LastSeen: at(3), Count: 2}}
		if diff := cmp.Diff(want, cs); diff != "" || !strings.Contains(cs[0].Reason, "system serial") {
			t.Errorf("conflicts (-want +got):\n%s%s", diff, cs[0].Reason)
		}
		if ms, _ := s.List(ctx, store.Filter{}); len(ms) != 2 || len(ms[0].Conflicts) != 1 || len(ms[1].Conflicts) != 1 {
			t.Errorf("list: %+v", ms)
		}
		// Deleting one clears the conflict.
		if err := s.Delete(ctx, b.MachineID); err != nil {
			t.Fatal(err)
		}
		if cs, _ := s.Conflicts(ctx); len(cs) != 0 || len(get(t, s, a.MachineID).Conflicts) != 0 {
			t.Errorf("conflicts after deleting one machine: %+v", cs)
		}
	})
}

func sortedPair(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// A NIC swap (same UUID and serials, one MAC changed) is the same machine,
// which lets go of the old MAC.
func TestNICSwapIsOneMachine(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		a := register(t, s, testinv.Machine(54), hash(1), 0)
		swapped := testinv.WithNIC(testinv.Machine(54), 4, "a0:36:9f:00:00:54")
		b := register(t, s, swapped, hash(2), 1)
		if b.MachineID != a.MachineID || b.Created || !b.InventoryChanged || len(b.Conflicts) != 0 {
			t.Fatalf("after the NIC swap: %+v", b)
		}
		keys := get(t, s, a.MachineID).IdentityKeys
		if contains(keys, "mac:"+testinv.MAC(54, 4)) || !contains(keys, "mac:a0:36:9f:00:00:54") {
			t.Errorf("keys after the swap: %q", keys)
		}
	})
}

// A motherboard replaced with a new service tag (new UUID and serials) is
// another machine now; the NICs it kept stay with the old record, and the
// conflict says so.
func TestBoardReplacedIsAnotherMachine(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		first := register(t, s, testinv.Machine(55), hash(1), 0)
		board := testinv.Machine(55)
		board.System = testinv.Machine(56).System
		board.Identity = inventory.DeriveIdentity(board)
		res := register(t, s, board, hash(2), 1)
		if res.MachineID == first.MachineID || !res.Created || !cmp.Equal(res.Conflicts, []string{first.MachineID}) {
			t.Fatalf("registration with the same MACs on another board = %+v", res)
		}
		if keys := get(t, s, res.MachineID).IdentityKeys; len(keys) != 4 || contains(keys, "mac:"+testinv.MAC(55, 0)) {
			t.Errorf("the new machine's keys: %q, want its UUID and serials only", keys)
		}
	})
}

// An upload carrying another machine's key is refused and changes
// nothing; so is one contradicting the machine's own identity.
func TestUploadNeverTakesAKey(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := register(t, s, testinv.Machine(57), hash(1), 0).MachineID
		b := register(t, s, testinv.Machine(58), hash(2), 0).MachineID
		before := get(t, s, a)
		stolen := testinv.WithNIC(testinv.Machine(57), 5, testinv.MAC(58, 1))
		err := s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, stolen), MachineID: a, CredentialHash: hash(1), Now: at(1)})
		var ce *store.ConflictError
		if !errors.As(err, &ce) || ce.Other != b || ce.Key != "mac:"+testinv.MAC(58, 1) {
			t.Fatalf("upload with %s's MAC: %v", b, err)
		}
		other := testinv.Machine(57)
		other.System.Product.Serial = "HZZZZZZ"
		other.Identity = inventory.DeriveIdentity(other)
		err = s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, other), MachineID: a, CredentialHash: hash(1), Now: at(2)})
		if !errors.As(err, &ce) || ce.Other != "" || !strings.Contains(err.Error(), "system serial") {
			t.Fatalf("upload with another system serial: %v", err)
		}
		after := get(t, s, a)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("refused uploads changed the machine (-before +after):\n%s", diff)
		}
		if h, _ := s.History(ctx, a); len(h) != 1 {
			t.Errorf("refused uploads are in the history: %+v", h)
		}
		if !contains(get(t, s, b).IdentityKeys, "mac:"+testinv.MAC(58, 1)) {
			t.Errorf("%s lost its MAC", b)
		}
	})
}

// Machines stored before identities were kept (empty identity column)
// are compared by their stored inventory.
func TestIdentityOfOlderRows(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		first := testinv.Machine(59)
		a := register(t, s, first, hash(1), 0).MachineID
		if _, err := s.write.ExecContext(context.Background(), `UPDATE machines SET identity = ''`); err != nil {
			t.Fatal(err)
		}
		clone := testinv.WithUUID(testinv.Machine(60), first.System.Product.UUID)
		if b := register(t, s, clone, hash(2), 1); b.MachineID == a || !cmp.Equal(b.Conflicts, []string{a}) {
			t.Errorf("clone of an older row: %+v", b)
		}
	})
}

// Both machines of a cloned UUID registering at once, many times over: two
// machines, never one.
func TestConcurrentConflictingRegistrations(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		uuid := testinv.Machine(61).System.Product.UUID
		const n = 20
		var wg sync.WaitGroup
		ids := make([]string, 2*n)
		for i := range 2 * n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				inv := testinv.WithUUID(testinv.Machine(61+i%2), uuid)
				res, err := s.Register(ctx, store.Registration{Document: doc(t, inv), CredentialHash: hash(1000 + i), Now: at(0)})
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
		if len(ms) != 2 {
			t.Fatalf("%d machines after concurrent registrations of two, want 2", len(ms))
		}
		for i, id := range ids {
			if id != ids[i%2] {
				t.Errorf("registration %d of machine %d went to %s, earlier ones to %s", i, i%2, id, ids[i%2])
			}
		}
		if cs, _ := s.Conflicts(ctx); len(cs) != 1 {
			t.Errorf("conflicts: %+v, want the one pair", cs)
		}
	})
}

// withoutSerials is inv after a firmware reset that cleared its serials
// (a BIOS update or a board swap leaves "To Be Filled By O.E.M."): only
// its UUID and its NICs identify it.
func withoutSerials(inv *inventory.Inventory) *inventory.Inventory {
	const p = "To Be Filled By O.E.M."
	inv.System.Product.Serial, inv.System.Baseboard.Serial, inv.System.Chassis.Serial = p, p, p
	inv.Identity = inventory.DeriveIdentity(inv)
	return inv
}

// Two machines known to share one UUID (cloned firmware settings) are told
// apart by what they do not share: when one of them comes back with its
// serials cleared, its NICs say which it is. The UUID both hold says
// nothing, so the choice must not fall to the order of their IDs (it did:
// the machine whose ID sorted first took the other's registration, its
// credential and its record). Both orders of the IDs are tried: the
// second machine's derived ID (the UUID's) is taken, and it is given one
// sorting before the first's, then one sorting after.
func TestSharedUUIDDoesNotDecideBetweenItsMachines(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		for n, second := range []string{"m-000000000000000000000001", "m-ffffffffffffffffffffff01"} {
			s.randomID = func() string { return second }
			first := testinv.Machine(70 + 2*n)
			uuid := first.System.Product.UUID
			a := register(t, s, first, hash(10*n+1), 0)
			b := register(t, s, testinv.WithUUID(testinv.Machine(71+2*n), uuid), hash(10*n+2), 1)
			ids := [2]string{first.Identity.MachineID, second}
			if a.MachineID != ids[0] || b.MachineID != ids[1] {
				t.Fatalf("registered as %s and %s, want %v", a.MachineID, b.MachineID, ids)
			}
			for i, want := range ids {
				inv := withoutSerials(testinv.WithUUID(testinv.Machine(70+2*n+i), uuid))
				res := register(t, s, inv, hash(10*n+3+i), 2+i)
				if res.MachineID != want || res.Created {
					t.Errorf("machine %d with its serials cleared (its own MACs, the shared UUID) went to %s (created %v), want its own record %s",
						70+2*n+i, res.MachineID, res.Created, want)
				}
			}
		}
	})
}

// Another machine's MAC spelt otherwise ("00-26-B9-…") is still its key:
// the upload is refused as with the plain spelling (it was stored, 204,
// under a key of its own), and so is a registration that sends only an
// agent identity; group addresses there are no keys.
func TestMACSpellingTakesNoKey(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := register(t, s, testinv.Machine(80), hash(1), 0).MachineID
		b := register(t, s, testinv.Machine(81), hash(2), 0).MachineID
		theirs := strings.ToUpper(strings.ReplaceAll(testinv.MAC(81, 1), ":", "-"))
		stolen := testinv.WithNIC(testinv.Machine(80), 5, theirs)
		err := s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, stolen), MachineID: a, CredentialHash: hash(1), Now: at(1)})
		var ce *store.ConflictError
		if !errors.As(err, &ce) || ce.Other != b || ce.Key != "mac:"+testinv.MAC(81, 1) {
			t.Fatalf("upload with %s's MAC spelt %s: %v", b, theirs, err)
		}
		if d := doc(t, &inventory.Inventory{SchemaVersion: inventory.SchemaVersion,
			Identity: inventory.Identity{MACs: []string{theirs, "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:fb"}}}); !cmp.Equal(d.Keys, []string{"mac:" + testinv.MAC(81, 1)}) {
			t.Errorf("keys of an agent identity %q", d.Keys)
		}
	})
}

// Two nodes of two multi-node enclosures whose firmware carries one UUID
// (a cloned BIOS configuration), their own serials blank (Supermicro's
// placeholders) and their chassis serials the enclosures': the second
// node was taken for the first (UUID agrees, nothing else contradicted),
// its registration rotating the first's credential and taking its record.
// A differing chassis serial with no NIC in common contradicts: two
// machines in conflict.
func TestClonedUUIDInAnotherEnclosure(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		node := func(i int, enclosure string) *inventory.Inventory {
			inv := testinv.Machine(i)
			inv.System.Product.Manufacturer, inv.System.Product.Name, inv.System.Product.Serial = "Supermicro", "SYS-2029BT-HNR", "0123456789"
			inv.System.Baseboard.Manufacturer, inv.System.Baseboard.Serial = "Supermicro", "To be filled by O.E.M."
			inv.System.Chassis.Manufacturer, inv.System.Chassis.Serial = "Supermicro", enclosure
			inv.System.Product.UUID = "00000000-0000-0000-0000-ac1f6b4c3d10"
			inv.Identity = inventory.DeriveIdentity(inv)
			return inv
		}
		first, second := node(54, "C2160AH17PA0001"), node(55, "C2160AH17PA0002")
		if first.Identity.SystemSerial != "" || first.Identity.BaseboardSerial != "" || first.Identity.ChassisSerial == "" {
			t.Fatalf("identity %+v: want the UUID, the chassis serial and MACs only", first.Identity)
		}
		a := register(t, s, first, hash(1), 0)
		b := register(t, s, second, hash(2), 1)
		if !b.Created || b.MachineID == a.MachineID || !cmp.Equal(b.Conflicts, []string{a.MachineID}) {
			t.Fatalf("the second node's registration = %+v, want a new machine in conflict with %s", b, a.MachineID)
		}
		cs, err := s.Conflicts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || !strings.HasPrefix(cs[0].Reason, `chassis serial "Supermicro/C2160AH17PA0001" ≠ "Supermicro/C2160AH17PA0002"`) {
			t.Errorf("conflicts %+v", cs)
		}
	})
}

// A conflict keeps every reason it was met for, the first first: two
// machines sharing a UUID were kept apart for their system serials; when
// the second came back with its serials cleared, matching both, the
// conflict said only "both match one registration", and the serials that
// tell them apart were gone from hwagent machines conflicts.
func TestConflictKeepsEveryReason(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		first := testinv.Machine(56)
		uuid := first.System.Product.UUID
		a := register(t, s, first, hash(1), 0)
		b := register(t, s, testinv.WithUUID(testinv.Machine(57), uuid), hash(2), 1)
		serials := fmt.Sprintf("system serial %q ≠ %q", first.Identity.SystemSerial, testinv.WithUUID(testinv.Machine(57), uuid).Identity.SystemSerial)
		if res := register(t, s, withoutSerials(testinv.WithUUID(testinv.Machine(57), uuid)), hash(3), 2); res.MachineID != b.MachineID {
			t.Fatalf("the second machine with its serials cleared went to %s, want %s", res.MachineID, b.MachineID)
		}
		register(t, s, withoutSerials(testinv.WithUUID(testinv.Machine(57), uuid)), hash(4), 3) // the same reason again
		cs, err := s.Conflicts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		both := "both match one registration: one machine with two records? (shared system_uuid:" + first.Identity.SystemUUID + ")"
		want := []api.Conflict{{Machines: [2]string{min(a.MachineID, b.MachineID), max(a.MachineID, b.MachineID)},
			Keys: []string{"system_uuid:" + first.Identity.SystemUUID}, Reason: serials, Reasons: []string{serials, both},
			FirstSeen: at(1), LastSeen: at(3), Count: 3}}
		if d := cmp.Diff(want, cs); d != "" {
			t.Errorf("conflicts (-want +got):\n%s", d)
		}
	})
}

func TestConflictReasonsBounded(t *testing.T) {
	t.Parallel()
	var list []string
	for i := range 20 {
		list = withReason(list, fmt.Sprint("reason ", i))
		list = withReason(list, "reason 0") // met again: not repeated
	}
	want := []string{"reason 0", "reason 13", "reason 14", "reason 15", "reason 16", "reason 17", "reason 18", "reason 19"}
	if d := cmp.Diff(want, list); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := conflictReasons(`["a","b"]`, "c"); !cmp.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("a latest reason an older replica wrote alone: %q", got)
	}
	if got := conflictReasons("", "a"); !cmp.Equal(got, []string{"a"}) {
		t.Errorf("a conflict recorded before the list: %q", got)
	}
}

// The server names machines itself. An agent's identity.machine_id was
// taken when free: a hostile agent could pick any free ID, a deleted
// machine's included, and whatever operators, plans (maps keyed by machine
// ID) and Hardware annotations said about that machine went to it. The
// ID is now derived from the identity the server derived (the agents'
// derivation: honest agents get the ID they derive), and a deleted
// machine's ID goes only to a registration the same as that machine.
func TestMachineIDIsTheServers(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		victim := testinv.Machine(60)
		v := register(t, s, victim, hash(1), 0)
		if v.MachineID != victim.Identity.MachineID {
			t.Fatalf("machine %s, want the ID its agent derives, %s", v.MachineID, victim.Identity.MachineID)
		}
		if err := s.Delete(ctx, v.MachineID); err != nil {
			t.Fatal(err)
		}
		// Another machine whose agent claims the deleted machine's ID.
		hostile := testinv.Machine(61)
		hostile.Identity.MachineID = v.MachineID
		h := register(t, s, hostile, hash(2), 1)
		if h.MachineID == v.MachineID || h.MachineID != inventory.DeriveIdentity(testinv.Machine(61)).MachineID {
			t.Errorf("an agent claiming %s got %s, want the ID the server derives, %s", v.MachineID, h.MachineID, inventory.DeriveIdentity(testinv.Machine(61)).MachineID)
		}
		// Another machine with the deleted machine's UUID (cloned
		// firmware settings) derives its ID: not given it.
		clone := register(t, s, testinv.WithUUID(testinv.Machine(62), victim.System.Product.UUID), hash(3), 2)
		if !clone.Created || clone.MachineID == v.MachineID || !machineIDRe.MatchString(clone.MachineID) {
			t.Errorf("a clone of the deleted machine's UUID: %+v, want a new machine with another ID than %s", clone, v.MachineID)
		}
		// The deleted machine itself, booting again, gets its ID back.
		back := register(t, s, testinv.Machine(60), hash(4), 3)
		if !back.Created || back.MachineID != v.MachineID {
			t.Errorf("the deleted machine registering again: %+v, want its ID %s", back, v.MachineID)
		}
	})
}
