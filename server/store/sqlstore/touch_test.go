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

// Two replicas on one PostgreSQL database: a check-in written behind by
// one shows on the other once written (docs/protocol.md: up to about a
// second later), never before and never over a newer write of the other;
// an action set through one is delivered by a check-in through the other,
// written under the row lock, and not written behind afterwards until it
// is acknowledged.
func TestCheckinsWrittenBehindTwoReplicas(t *testing.T) {
	t.Parallel()
	dsn := pg.NewDatabase(t, pgErr)
	a := openWith(t, dsn, Options{LastSeenEvery: time.Hour})
	b := openWith(t, dsn, Options{LastSeenEvery: time.Hour})
	ctx := context.Background()
	inv := testinv.Machine(71)
	id := register(t, a, inv, hash(71), 0).MachineID
	checkin := func(s *Store, minute int, ack string) store.CheckinResult {
		t.Helper()
		res, err := s.Checkin(ctx, store.Checkin{MachineID: id, CredentialHash: hash(71), State: api.StateRegistered,
			Digest: inventory.Digest(inv), UptimeSeconds: float64(60 * minute), AgentVersion: "v9", Now: at(minute), AcksActions: true, AckActionID: ack})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	seenBy := func(s *Store) time.Time {
		t.Helper()
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.LastSeen
	}
	checkin(a, 5, "")
	if got := seenBy(b); !got.Equal(at(0)) {
		t.Errorf("the other replica before the write: last seen %v, want %v (the registration)", got, at(0))
	}
	if err := a.flushTouches(ctx); err != nil {
		t.Fatal(err)
	}
	if got := seenBy(b); !got.Equal(at(5)) {
		t.Errorf("the other replica after the write: last seen %v, want %v", got, at(5))
	}
	// A's check-in at 7 is pending when B writes one at 8 (an action is
	// pending there: written before its answer); A's write then changes
	// nothing.
	checkin(a, 7, "")
	if err := b.SetAction(ctx, id, api.ActionReboot, at(7)); err != nil {
		t.Fatal(err)
	}
	res := checkin(b, 8, "")
	if res.Action != api.ActionReboot || res.ActionID == "" {
		t.Fatalf("check-in through the other replica with a reboot pending: %+v", res)
	}
	if err := a.flushTouches(ctx); err != nil {
		t.Fatal(err)
	}
	if got := seenBy(b); !got.Equal(at(8)) {
		t.Errorf("after the older write behind: last seen %v, want %v", got, at(8))
	}
	// Until acknowledged, every check-in through either replica answers
	// the action and is written at once; the acknowledgement through A
	// clears it, recorded delivered once.
	if again := checkin(a, 9, ""); again.ActionID != res.ActionID {
		t.Fatalf("check-in through the first replica before the acknowledgement: %+v", again)
	}
	if got := seenBy(b); !got.Equal(at(9)) {
		t.Errorf("a check-in answering a pending action: last seen %v on the other replica, want %v (written at once)", got, at(9))
	}
	if ack := checkin(a, 10, res.ActionID); ack.AckedActionID != res.ActionID || ack.Action != api.ActionNone {
		t.Fatalf("acknowledgement: %+v", ack)
	}
	h, err := b.History(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	delivered := 0
	for _, c := range h {
		if c.Kind == api.ChangeActionDelivered {
			delivered++
		}
	}
	if delivered != 1 {
		t.Errorf("%d action_delivered in the history, want 1", delivered)
	}
}
