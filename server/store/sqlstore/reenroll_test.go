package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

// decide registers inv the way the server does: match, then carry out
// the decision for that match.
func decide(t *testing.T, s *Store, inv *inventory.Inventory, cred string, minute int, peer string, d reenroll.Decision) store.RegisterResult {
	t.Helper()
	ctx := context.Background()
	dc := doc(t, inv)
	m, err := s.Match(ctx, dc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Register(ctx, store.Registration{Document: dc, CredentialHash: cred, Now: at(minute), Peer: peer, Matched: m.MachineID, Decision: d})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func credentialOf(t *testing.T, s *Store, hash string) (string, error) {
	t.Helper()
	return s.MachineForCredential(context.Background(), hash)
}

func kinds(h []api.Change) []string {
	var out []string
	for _, c := range h {
		out = append(out, c.Kind+": "+strings.Join(c.Details, "; "))
	}
	return out
}

// A held takeover leaves the machine and its credential alone until an
// operator approves it; then the held inventory and credential win.
func TestHoldThenApprove(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		allow := reenroll.Decision{Verdict: reenroll.Allow}
		id := decide(t, s, testinv.Machine(20), hash(1), 0, "10.0.0.20", allow).MachineID
		newBIOS := testinv.MachineWith(20, testinv.Options{BIOSVersion: "6.6.1"})
		res := decide(t, s, newBIOS, hash(2), 1, "192.0.2.66", reenroll.Decision{Verdict: reenroll.Hold, Reason: reenroll.ReasonApproval})
		if res.MachineID != id || res.Verdict != reenroll.Hold || !strings.HasPrefix(res.PendingID, "p-") || res.Created {
			t.Fatalf("held registration = %+v", res)
		}
		if got, err := credentialOf(t, s, hash(1)); got != id || err != nil {
			t.Errorf("the machine's credential while a takeover is held: %q, %v", got, err)
		}
		var pe *store.PendingError
		if _, err := credentialOf(t, s, hash(2)); !errors.As(err, &pe) || pe.MachineID != id || pe.PendingID != res.PendingID {
			t.Errorf("the held registration's credential: %v, want a PendingError for %s %s", err, id, res.PendingID)
		}
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := []api.PendingRegistration{{ID: res.PendingID, Peer: "192.0.2.66", RequestedAt: at(1), Reason: reenroll.ReasonApproval,
			Differences: []string{"bios.version 6.6.0 → 6.6.1"}}}
		if diff := cmp.Diff(want, m.Pending); diff != "" {
			t.Errorf("held registrations (-want +got):\n%s", diff)
		}
		if m.InventoryDigest != inventory.Digest(testinv.Machine(20)) || m.PendingRegistrations != 1 {
			t.Errorf("machine while held: digest %s, %d held", m.InventoryDigest, m.PendingRegistrations)
		}
		if ms, err := s.List(ctx, store.Filter{}); err != nil || len(ms) != 1 || ms[0].PendingRegistrations != 1 {
			t.Errorf("list while held: %+v, %v", ms, err)
		}

		pid, err := s.Approve(ctx, id, "", at(2))
		if err != nil || pid != res.PendingID {
			t.Fatalf("approve = %q, %v", pid, err)
		}
		if _, err := credentialOf(t, s, hash(1)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old credential after the approval: %v, want ErrNotFound", err)
		}
		if got, err := credentialOf(t, s, hash(2)); got != id || err != nil {
			t.Errorf("approved credential: %q, %v", got, err)
		}
		m, err = s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.InventoryDigest != inventory.Digest(newBIOS) || m.Inventory.System.BIOS.Version != "6.6.1" || len(m.Pending) != 0 || m.PendingRegistrations != 0 {
			t.Errorf("after approval: digest %s, BIOS %s, held %v", m.InventoryDigest, m.Inventory.System.BIOS.Version, m.Pending)
		}
		h, err := s.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wantH := []string{
			"registered: first registration; from 10.0.0.20",
			"registration_held: " + reenroll.ReasonApproval + "; request " + res.PendingID + "; from 192.0.2.66",
			"registration_approved: request " + res.PendingID + " approved; from 192.0.2.66; requested 2025-06-01T12:01:00Z; credential rotated",
			"inventory_changed: bios.version 6.6.0 → 6.6.1",
		}
		if diff := cmp.Diff(wantH, kinds(h)); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		if _, err := s.Approve(ctx, id, "", at(3)); !errors.Is(err, store.ErrNoPending) {
			t.Errorf("approving again: %v, want ErrNoPending", err)
		}
		if _, err := s.Approve(ctx, "m-000000000000000000000000", "", at(3)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("approving an unknown machine: %v, want ErrNotFound", err)
		}
	})
}

// With several held registrations the operator must name one; approving it
// drops the others, whose credentials stop working.
func TestApproveNamesOneOfSeveral(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := decide(t, s, testinv.Machine(21), hash(1), 0, "", reenroll.Decision{Verdict: reenroll.Allow}).MachineID
		hold := reenroll.Decision{Verdict: reenroll.Hold, Reason: "test"}
		a := decide(t, s, testinv.Machine(21), hash(2), 1, "192.0.2.1", hold).PendingID
		b := decide(t, s, testinv.Machine(21), hash(3), 2, "192.0.2.2", hold).PendingID
		if _, err := s.Approve(ctx, id, "", at(3)); !errors.Is(err, store.ErrAmbiguous) || !strings.Contains(err.Error(), a+" (192.0.2.1)") {
			t.Errorf("approve without a name: %v, want ErrAmbiguous naming %s", err, a)
		}
		if _, err := s.Approve(ctx, id, "p-0000", at(3)); !errors.Is(err, store.ErrNoPending) {
			t.Errorf("approve of an unknown request: %v, want ErrNoPending", err)
		}
		if pid, err := s.Approve(ctx, id, b, at(3)); err != nil || pid != b {
			t.Fatalf("approve %s = %q, %v", b, pid, err)
		}
		if _, err := credentialOf(t, s, hash(2)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the dropped request's credential: %v, want ErrNotFound", err)
		}
		if got, _ := credentialOf(t, s, hash(3)); got != id {
			t.Errorf("the approved credential finds %q, want %s", got, id)
		}
	})
}

func TestRejectAndRefuse(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := decide(t, s, testinv.Machine(22), hash(1), 0, "", reenroll.Decision{Verdict: reenroll.Allow}).MachineID
		if err := s.Reject(ctx, id, "", at(1)); !errors.Is(err, store.ErrNoPending) {
			t.Errorf("reject without a held registration: %v", err)
		}
		pid := decide(t, s, testinv.Machine(22), hash(2), 1, "192.0.2.9", reenroll.Decision{Verdict: reenroll.Hold}).PendingID
		if err := s.Reject(ctx, id, "", at(2)); err != nil {
			t.Fatal(err)
		}
		if _, err := credentialOf(t, s, hash(2)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a rejected request's credential: %v, want ErrNotFound", err)
		}
		res := decide(t, s, testinv.MachineWith(22, testinv.Options{BIOSVersion: "9.9.9"}), hash(3), 3, "192.0.2.10",
			reenroll.Decision{Verdict: reenroll.Refuse, Reason: "tpm: no answer to the challenge"})
		if res.Verdict != reenroll.Refuse || res.MachineID != id {
			t.Errorf("refused registration = %+v", res)
		}
		if _, err := credentialOf(t, s, hash(3)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused registration's credential: %v, want ErrNotFound", err)
		}
		if got, _ := credentialOf(t, s, hash(1)); got != id {
			t.Errorf("the machine's credential after a refusal finds %q, want %s", got, id)
		}
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.InventoryDigest != inventory.Digest(testinv.Machine(22)) {
			t.Error("a refused registration changed the inventory")
		}
		h, err := s.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"registered: first registration",
			"registration_held: request " + pid + "; from 192.0.2.9",
			"registration_rejected: request " + pid + " rejected from 192.0.2.9",
			"registration_refused: tpm: no answer to the challenge; from 192.0.2.10",
		}
		if diff := cmp.Diff(want, kinds(h)); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
	})
}

// Pins are kept with the machine the decision was for, and a decision
// made for another match than the current one writes nothing.
func TestPinsAndMatchChanged(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		inv := testinv.Machine(23)
		id := decide(t, s, inv, hash(1), 0, "", reenroll.Decision{Verdict: reenroll.Allow, Pins: map[string]string{"tpm.ek": "abc", "tpm.issuer": "CN=x"}}).MachineID
		m, err := s.Match(ctx, doc(t, inv))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(store.Match{MachineID: id, Pins: map[string]string{"tpm.ek": "abc", "tpm.issuer": "CN=x"}}, m); diff != "" {
			t.Errorf("match (-want +got):\n%s", diff)
		}
		decide(t, s, inv, hash(2), 1, "", reenroll.Decision{Verdict: reenroll.Allow, Pins: map[string]string{"tpm.issuer": ""}})
		if m, _ := s.Match(ctx, doc(t, inv)); !cmp.Equal(m.Pins, map[string]string{"tpm.ek": "abc"}) {
			t.Errorf("pins after removing one: %v", m.Pins)
		}
		// Decided as a new machine, but it is known by now.
		_, err = s.Register(ctx, store.Registration{Document: doc(t, inv), CredentialHash: hash(3), Now: at(2),
			Matched: "", Decision: reenroll.Decision{Verdict: reenroll.Allow}})
		if !errors.Is(err, store.ErrMatchChanged) {
			t.Errorf("stale decision: %v, want ErrMatchChanged", err)
		}
		if got, _ := credentialOf(t, s, hash(2)); got != id {
			t.Errorf("a stale decision changed the credential")
		}
		if m, _ := s.Match(ctx, doc(t, testinv.Machine(24))); m.MachineID != "" || m.Pins != nil {
			t.Errorf("match of an unknown machine: %+v", m)
		}
	})
}

// A machine keeps at most maxPending held registrations, the newest.
func TestHeldRegistrationsAreBounded(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := decide(t, s, testinv.Machine(25), hash(1), 0, "", reenroll.Decision{Verdict: reenroll.Allow}).MachineID
		for i := range maxPending + 3 {
			decide(t, s, testinv.Machine(25), hash(100+i), 1+i, "", reenroll.Decision{Verdict: reenroll.Hold})
		}
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Pending) != maxPending || !m.Pending[0].RequestedAt.Equal(at(4)) {
			t.Errorf("%d held registrations, oldest at %v; want %d from %v", len(m.Pending), m.Pending[0].RequestedAt, maxPending, at(4))
		}
		if _, err := credentialOf(t, s, hash(100)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the oldest held registration's credential: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := credentialOf(t, s, hash(110)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a held credential of a deleted machine: %v, want ErrNotFound", err)
		}
	})
}
