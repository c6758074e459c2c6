package sqlstore

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hwagent/hwagent/server/store"
)

// Most check-ins change nothing but a machine's last-seen time, uptime and
// agent version: 10,000 machines checking in every 30 s make 333 a second.
// Such a check-in is answered from a read, and those three columns are
// written behind it: every machine's latest, in one transaction a second
// (Options.LastSeenEvery), and before this store's own reads of machines
// (so that what an operator lists through this replica after a check-in
// shows it). Written before the answer, each check-in waited for a commit,
// and a commit's fsync on a busy disk took hundreds of milliseconds
// (bench/load: check-in p99 of 250–750 ms on both stores with the disk
// shared).
//
// Only a check-in that carries nothing to act on goes this way: no state
// change, no acknowledgement, and no pending action on the machine. Any
// other is written, under the machine's row lock, before it is answered,
// as before: an action is delivered and acknowledged only by a write, so
// "exactly once" across replicas does not depend on this path. The
// costs, documented in docs/protocol.md: another replica's reads of a
// machine's last-seen time, uptime and agent version lag up to
// LastSeenEvery (plus the write's own time), and a replica killed with
// SIGKILL loses at most that much of them (the next check-in writes them
// again). The write never goes back over a later one (a registration, an
// upload, a written check-in, another replica's flush: last_seen only
// moves forward) nor survives a credential rotated or a machine deleted
// meanwhile.

// DefaultLastSeenEvery is how often the last-seen times are written.
const DefaultLastSeenEvery = time.Second

// touchChunk bounds the machines of one PostgreSQL statement.
const touchChunk = 500

// touch is a machine's latest check-in that changed nothing else.
type touch struct {
	id, credHash string
	at           int64 // Unix microseconds
	uptime       float64
	version      string
}

// touches are the check-ins not written yet.
type touches struct {
	mu      sync.Mutex
	pending map[string]touch
	flushMu sync.Mutex // one flush at a time
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func newTouches() *touches {
	return &touches{pending: map[string]touch{}, stop: make(chan struct{}), done: make(chan struct{})}
}

// add keeps t, unless a later check-in of the machine is kept already.
func (t *touches) add(x touch) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur, ok := t.pending[x.id]; !ok || cur.at <= x.at {
		t.pending[x.id] = x
	}
}

// take empties the pending check-ins and returns them, by machine.
func (t *touches) take() []touch {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) == 0 {
		return nil
	}
	out := make([]touch, 0, len(t.pending))
	for _, x := range t.pending {
		out = append(out, x)
	}
	clear(t.pending)
	slices.SortFunc(out, func(a, b touch) int { return strings.Compare(a.id, b.id) })
	return out
}

// startTouches writes the pending check-ins every so often until Close.
func (s *Store) startTouches(every time.Duration) {
	s.touches = newTouches()
	go func() {
		defer close(s.touches.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-s.touches.stop:
				return
			case <-tick.C:
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				s.flushTouches(ctx) //nolint:errcheck // noted in the store's health, tried again next time
				cancel()
			}
		}
	}()
}

// stopTouches writes what is pending and stops.
func (s *Store) stopTouches() error {
	s.touches.once.Do(func() { close(s.touches.stop) })
	<-s.touches.done
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return s.flushTouches(ctx)
}

// flushTouches writes the pending check-ins in one transaction. A
// check-in older than what the row holds (a registration since), or of a
// credential rotated or a machine deleted since, changes nothing. On
// failure they stay pending, unless a later check-in of the machine came.
func (s *Store) flushTouches(ctx context.Context) error {
	s.touches.flushMu.Lock()
	defer s.touches.flushMu.Unlock()
	batch := s.touches.take()
	if len(batch) == 0 {
		return nil
	}
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if !s.d.postgres {
			for _, x := range batch {
				if _, err := tx.ExecContext(ctx, `UPDATE machines SET last_seen = $2, uptime_seconds = $3, agent_version = $4
					WHERE id = $1 AND credential_hash = $5 AND last_seen <= $2`, x.id, x.at, x.uptime, x.version, x.credHash); err != nil {
					return fmt.Errorf("write last-seen times: %w", err)
				}
			}
			return nil
		}
		for chunk := range slices.Chunk(batch, touchChunk) {
			args := make([]any, 0, 5*len(chunk))
			var values strings.Builder
			for i, x := range chunk {
				if i > 0 {
					values.WriteString(", ")
				}
				n := 5 * i
				fmt.Fprintf(&values, "($%d::text, $%d::bigint, $%d::double precision, $%d::text, $%d::text)", n+1, n+2, n+3, n+4, n+5)
				args = append(args, x.id, x.at, x.uptime, x.version, x.credHash)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE machines AS m SET last_seen = v.at, uptime_seconds = v.up, agent_version = v.ver
				FROM (VALUES `+values.String()+`) AS v (id, at, up, ver, cred)
				WHERE m.id = v.id AND m.credential_hash = v.cred AND m.last_seen <= v.at`, args...); err != nil {
				return fmt.Errorf("write last-seen times: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		for _, x := range batch {
			s.touches.add(x)
		}
	}
	return err
}

// checkinTouch answers a check-in that changes nothing but the last-seen
// time, uptime and agent version from a read, and keeps it to write
// behind; ok is false for any other (the caller writes it before
// answering): one that changes the state, acknowledges an action, or
// finds an action pending (to be delivered, or delivered and not yet
// acknowledged).
func (s *Store) checkinTouch(ctx context.Context, in store.Checkin) (store.CheckinResult, bool) {
	var cur actionRow
	var stored string
	err := s.read.QueryRowContext(ctx, `SELECT credential_hash, state, pending_action, pending_action_id, acked_action_id,
		inventory_digest FROM machines WHERE id = $1`, in.MachineID).
		Scan(&stored, &cur.state, &cur.pending, &cur.pendingID, &cur.ackedID, &cur.digest)
	if err != nil || subtle.ConstantTimeCompare([]byte(stored), []byte(in.CredentialHash)) != 1 {
		// Not found, a wrong credential, the database failing: the
		// written path says which.
		return store.CheckinResult{}, false
	}
	if cur.pending != "" || in.AckActionID != "" || in.State != "" && in.State != cur.state {
		return store.CheckinResult{}, false
	}
	// No action pending: the answer is send_inventory or none.
	d := decideCheckin(in, cur)
	s.touches.add(touch{id: in.MachineID, credHash: in.CredentialHash, at: micros(in.Now), uptime: in.UptimeSeconds, version: in.AgentVersion})
	return d.res, true
}

// seenBeforeReads writes the pending check-ins before a read of machines,
// so that it shows them. A failure does not fail the read (the store's
// health notes it, and the next flush tries again).
func (s *Store) seenBeforeReads(ctx context.Context) {
	s.flushTouches(ctx) //nolint:errcheck // see above
}
