package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

// A check-in that changes nothing but the last-seen time, uptime and
// agent version is answered before it is written; written behind it
// (before the store's own reads of machines, at the latest within a
// second, and at Close), it never goes back over a later write. Any other
// check-in is written before its answer: a state change, one that finds an
// action pending (delivered under the row lock, never from a read) and an
// acknowledgement.
func TestCheckinsWrittenBehind(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			_, dsn := b.open(t)
			// Written behind only when the test says (an hour between
			// the store's own writes).
			s := openWith(t, dsn, Options{LastSeenEvery: time.Hour})
			ctx := context.Background()
			inv := testinv.Machine(70)
			id := register(t, s, inv, hash(70), 0).MachineID
			stored := func(s *Store) (lastSeen int64, uptime float64, version, state string) {
				t.Helper()
				if err := s.read.QueryRowContext(ctx, `SELECT last_seen, uptime_seconds, agent_version, state FROM machines WHERE id = $1`, id).
					Scan(&lastSeen, &uptime, &version, &state); err != nil {
					t.Fatal(err)
				}
				return
			}
			checkin := func(minute int, state string, uptime float64, ack string) store.CheckinResult {
				t.Helper()
				res, err := s.Checkin(ctx, store.Checkin{MachineID: id, CredentialHash: hash(70), State: state, Digest: inventory.Digest(inv),
					UptimeSeconds: uptime, AgentVersion: "v9", Now: at(minute), AcksActions: true, AckActionID: ack})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			if res := checkin(5, api.StateRegistered, 300, ""); res.Action != api.ActionNone {
				t.Fatalf("check-in: %+v", res)
			}
			if seen, _, _, _ := stored(s); seen != micros(at(0)) {
				t.Errorf("last seen %v written before the flush, want it written behind", fromMicros(seen))
			}
			m, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !m.LastSeen.Equal(at(5)) || m.UptimeSeconds != 300 || m.AgentVersion != "v9" {
				t.Errorf("read after the check-in: last seen %v, uptime %v, version %q", m.LastSeen, m.UptimeSeconds, m.AgentVersion)
			}
			// A state change is written before the answer.
			checkin(6, api.StateReleased, 360, "")
			if seen, uptime, _, state := stored(s); seen != micros(at(6)) || uptime != 360 || state != api.StateReleased {
				t.Errorf("after a state change: last seen %v, uptime %v, state %q; want written", fromMicros(seen), uptime, state)
			}
			// So is a check-in that finds an action pending, and the
			// acknowledgement.
			if err := s.SetAction(ctx, id, api.ActionReboot, at(6)); err != nil {
				t.Fatal(err)
			}
			res := checkin(7, "", 420, "")
			if res.Action != api.ActionReboot || res.ActionID == "" {
				t.Fatalf("check-in with a reboot pending: %+v", res)
			}
			if seen, uptime, _, _ := stored(s); seen != micros(at(7)) || uptime != 420 {
				t.Errorf("after a check-in that found an action pending: last seen %v, uptime %v; want written", fromMicros(seen), uptime)
			}
			if ack := checkin(8, "", 480, res.ActionID); ack.AckedActionID != res.ActionID || ack.Action != api.ActionNone {
				t.Fatalf("acknowledgement: %+v", ack)
			}
			if seen, uptime, _, _ := stored(s); seen != micros(at(8)) || uptime != 480 {
				t.Errorf("after an acknowledgement: last seen %v, uptime %v; want written", fromMicros(seen), uptime)
			}
			if m, err := s.Get(ctx, id); err != nil || m.PendingAction != "" {
				t.Fatalf("after the acknowledgement: pending %q, %v", m.PendingAction, err)
			}
			// An older check-in written behind a newer write changes nothing.
			s.touches.add(touch{id: id, credHash: hash(70), at: micros(at(4)), uptime: 1, version: "old"})
			if err := s.flushTouches(ctx); err != nil {
				t.Fatal(err)
			}
			if seen, uptime, version, _ := stored(s); seen != micros(at(8)) || uptime != 480 || version != "v9" {
				t.Errorf("an older check-in went over a newer one: %v %v %q", fromMicros(seen), uptime, version)
			}
			// Close writes what is pending.
			checkin(9, "", 540, "")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			again := openWith(t, dsn, Options{LastSeenEvery: time.Hour})
			if seen, uptime, _, state := stored(again); seen != micros(at(9)) || uptime != 540 || state != api.StateReleased {
				t.Errorf("after Close: last seen %v, uptime %v, state %q", fromMicros(seen), uptime, state)
			}
		})
	}
}

func openWith(t *testing.T, dsn string, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
