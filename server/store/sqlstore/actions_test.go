package sqlstore

import (
	"context"
	"regexp"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

// Issue 11 row 5 in the store: an operator's action stays pending, with the
// same ID, until the agent acknowledges that ID; a repeated acknowledgement
// (its answer was lost) is confirmed again; one of an action the operator
// replaced or cleared is not.
func TestActionAcknowledged(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		inv := testinv.Machine(5)
		id := register(t, s, inv, hash(1), 0).MachineID
		digest := inventory.Digest(inv)
		checkin := func(minute int, ack string) store.CheckinResult {
			t.Helper()
			res, err := s.Checkin(ctx, store.Checkin{MachineID: id, CredentialHash: hash(1), State: "registered", Digest: digest,
				AcksActions: true, AckActionID: ack, Now: at(minute)})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		pending := func() api.Machine {
			t.Helper()
			m, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		if err := s.SetAction(ctx, id, api.ActionReboot, at(1)); err != nil {
			t.Fatal(err)
		}
		reboot := pending().PendingActionID
		if !regexp.MustCompile(api.ActionIDPattern).MatchString(reboot) {
			t.Fatalf("pending action ID %q, want %s", reboot, api.ActionIDPattern)
		}
		want := store.CheckinResult{Action: api.ActionReboot, ActionID: reboot}
		for minute := 2; minute <= 3; minute++ { // the first answer was lost
			if got := checkin(minute, ""); got != want {
				t.Errorf("check-in %d: %+v, want %+v", minute, got, want)
			}
		}
		if got := checkin(4, "a-0000000000000000"); got != want {
			t.Errorf("acknowledging another ID: %+v, want %+v", got, want)
		}
		if m := pending(); m.PendingAction != api.ActionReboot || m.PendingActionID != reboot {
			t.Errorf("before the acknowledgement: pending %q %q", m.PendingAction, m.PendingActionID)
		}
		for minute := 5; minute <= 6; minute++ { // the acknowledgement's answer was lost once
			if got := checkin(minute, reboot); got != (store.CheckinResult{Action: api.ActionNone, AckedActionID: reboot}) {
				t.Errorf("acknowledgement %d: %+v", minute, got)
			}
		}
		if m := pending(); m.PendingAction != "" || m.PendingActionID != "" {
			t.Errorf("after the acknowledgement: pending %q %q", m.PendingAction, m.PendingActionID)
		}

		// The operator replaces poweroff by release before the agent
		// acknowledged: poweroff's acknowledgement is refused.
		if err := s.SetAction(ctx, id, api.ActionPowerOff, at(7)); err != nil {
			t.Fatal(err)
		}
		poweroff := checkin(7, "").ActionID
		if err := s.SetAction(ctx, id, api.ActionRelease, at(8)); err != nil {
			t.Fatal(err)
		}
		release := pending().PendingActionID
		if release == poweroff || release == reboot {
			t.Fatalf("action IDs repeat: %s %s %s", reboot, poweroff, release)
		}
		if got := checkin(8, poweroff); got != (store.CheckinResult{Action: api.ActionRelease, ActionID: release}) {
			t.Errorf("acknowledging the replaced poweroff: %+v", got)
		}
		// And a cleared action's acknowledgement too.
		if err := s.SetAction(ctx, id, api.ActionNone, at(9)); err != nil {
			t.Fatal(err)
		}
		if got := checkin(9, release); got != (store.CheckinResult{Action: api.ActionNone}) {
			t.Errorf("acknowledging the cleared release: %+v", got)
		}

		h, err := s.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wantHistory := []api.Change{
			{At: at(0), Kind: api.ChangeRegistered, Details: []string{"first registration"}},
			{At: at(1), Kind: api.ChangeActionSet, Details: []string{"reboot"}},
			{At: at(5), Kind: api.ChangeActionDelivered, Details: []string{"reboot"}},
			{At: at(7), Kind: api.ChangeActionSet, Details: []string{"poweroff"}},
			{At: at(8), Kind: api.ChangeActionSet, Details: []string{"release"}},
			{At: at(9), Kind: api.ChangeActionSet, Details: []string{"none"}},
		}
		if diff := cmp.Diff(wantHistory, h); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
	})
}

// Concurrent acknowledgements of one action (an agent's retry racing its
// first attempt, through two replicas) record one delivery.
func TestConcurrentAcknowledgements(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		inv := testinv.Machine(6)
		id := register(t, s, inv, hash(1), 0).MachineID
		if err := s.SetAction(ctx, id, api.ActionReboot, at(1)); err != nil {
			t.Fatal(err)
		}
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		acked := make(chan string, 16)
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Checkin(ctx, store.Checkin{MachineID: id, CredentialHash: hash(1), AcksActions: true, AckActionID: m.PendingActionID, Now: at(2)})
				if err != nil {
					t.Error(err)
					return
				}
				acked <- res.AckedActionID
			}()
		}
		wg.Wait()
		close(acked)
		for a := range acked {
			if a != m.PendingActionID {
				t.Errorf("an acknowledgement was not confirmed: %q", a)
			}
		}
		h, err := s.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range h {
			if c.Kind == api.ChangeActionDelivered {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d deliveries recorded, want 1", n)
		}
	})
}
