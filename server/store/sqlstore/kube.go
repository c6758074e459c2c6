package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

var _ store.KubeOutbox = (*Store)(nil)

// markKube marks a machine for applying, inside a registration or an
// inventory upload (Options.KubeOutbox).
func (s *Store) markKube(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	if !s.kube {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kube_sync (machine_id, generation, state, next_attempt) VALUES ($1, 1, $2, $3)
		ON CONFLICT (machine_id) DO UPDATE SET generation = kube_sync.generation + 1, state = $2, attempts = 0, next_attempt = $3`,
		id, api.KubePending, micros(now)); err != nil {
		return fmt.Errorf("mark %s for kubernetes: %w", id, err)
	}
	return nil
}

// KubeClaim implements store.KubeOutbox. On PostgreSQL, SKIP LOCKED lets
// replicas claim side by side without waiting for each other.
func (s *Store) KubeClaim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.KubeTask, error) {
	skip := ""
	if s.d.postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	var tasks []store.KubeTask
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		tasks = tasks[:0]
		rs, err := tx.QueryContext(ctx, `UPDATE kube_sync SET lease_owner = $1, lease_until = $2
			WHERE machine_id IN (SELECT machine_id FROM kube_sync
				WHERE state IN ($3, $4) AND next_attempt <= $5 AND lease_until <= $5
				ORDER BY next_attempt, machine_id LIMIT $6`+skip+`)
			RETURNING machine_id, generation, attempts`,
			owner, micros(now.Add(lease)), api.KubePending, api.KubeFailed, micros(now), limit)
		if err != nil {
			return fmt.Errorf("claim kubernetes work: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var t store.KubeTask
			if err := rs.Scan(&t.MachineID, &t.Generation, &t.Attempts); err != nil {
				return fmt.Errorf("claim kubernetes work: %w", err)
			}
			tasks = append(tasks, t)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, err
	}
	return tasks, nil
}

// KubeFinish implements store.KubeOutbox.
func (s *Store) KubeFinish(ctx context.Context, o store.KubeOutcome) error {
	objects, err := json.Marshal(o.Objects)
	if err != nil {
		return err
	}
	if o.Objects == nil {
		objects = nil
	}
	// The message quotes the machine's strings and the API server's.
	o.Message = store.ColumnText(o.Message)
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var gen int64
		var leased string
		err := tx.QueryRowContext(ctx, `SELECT generation, lease_owner FROM kube_sync WHERE machine_id = $1`+s.d.forUpdate, o.MachineID).Scan(&gen, &leased)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the machine was deleted meanwhile
		}
		if err != nil {
			return fmt.Errorf("finish kubernetes work of %s: %w", o.MachineID, err)
		}
		if leased != o.Owner {
			return nil // the lease ran out and another applier took over
		}
		applied := o.State == api.KubeApplied || o.State == api.KubeConflict
		state, attempts, next := o.State, o.Attempts, o.NextAttempt
		if applied {
			attempts = 0
		}
		if gen != o.Generation {
			// Marked again while being applied: apply the newer inventory.
			state, attempts, next = api.KubePending, 0, o.Now
		}
		q := `UPDATE kube_sync SET state = $2, attempts = $3, next_attempt = $4, last_attempt = $5, message = $6,
			lease_owner = '', lease_until = 0`
		args := []any{o.MachineID, state, attempts, micros(next), micros(o.Now), o.Message}
		if applied {
			q += `, applied_at = $7, config = $8`
			args = append(args, micros(o.Now), o.Config)
		}
		if objects != nil {
			q += fmt.Sprintf(`, objects = $%d`, len(args)+1)
			args = append(args, string(objects))
		}
		if _, err := tx.ExecContext(ctx, q+` WHERE machine_id = $1`, args...); err != nil {
			return fmt.Errorf("finish kubernetes work of %s: %w", o.MachineID, err)
		}
		return nil
	})
}

// KubeResync implements store.KubeOutbox.
func (s *Store) KubeResync(ctx context.Context, config string, now time.Time) (int, error) {
	var n int
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		n = 0
		res, err := tx.ExecContext(ctx, `INSERT INTO kube_sync (machine_id, state, next_attempt)
			SELECT id, $1, $2 FROM machines WHERE NOT EXISTS (SELECT 1 FROM kube_sync k WHERE k.machine_id = machines.id)
			ON CONFLICT (machine_id) DO NOTHING`, api.KubePending, micros(now))
		if err != nil {
			return fmt.Errorf("kubernetes resync: %w", err)
		}
		added, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `UPDATE kube_sync SET state = $1, attempts = 0, next_attempt = $2
			WHERE state IN ($3, $4) AND config <> $5`, api.KubePending, micros(now), api.KubeApplied, api.KubeConflict, config)
		if err != nil {
			return fmt.Errorf("kubernetes resync: %w", err)
		}
		changed, _ := res.RowsAffected()
		n = int(added + changed)
		// A (re)started applier retries failed machines at once: a restart
		// often follows a fixed kubeconfig or an installed CRD.
		if _, err := tx.ExecContext(ctx, `UPDATE kube_sync SET next_attempt = $1 WHERE state = $2 AND next_attempt > $1`,
			micros(now), api.KubeFailed); err != nil {
			return fmt.Errorf("kubernetes resync: %w", err)
		}
		return nil
	})
	return n, err
}

// KubeCounts implements store.KubeOutbox.
func (s *Store) KubeCounts(ctx context.Context) (map[string]int, error) {
	rs, err := s.read.QueryContext(ctx, `SELECT state, count(*) FROM kube_sync GROUP BY state`)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rs.Close()
	out := map[string]int{}
	for rs.Next() {
		var st string
		var n int
		if err := rs.Scan(&st, &n); err != nil {
			return nil, unavailable(err)
		}
		out[st] = n
	}
	return out, unavailableOrNil(rs.Err())
}

func unavailableOrNil(err error) error {
	if err == nil {
		return nil
	}
	return unavailable(err)
}

// kubeSync reads a machine's outbox row for Get; nil when it has none.
func (s *Store) kubeSync(ctx context.Context, id string) (*api.KubeSync, error) {
	var k api.KubeSync
	var next, last, applied int64
	var objects string
	err := s.read.QueryRowContext(ctx, `SELECT state, attempts, next_attempt, last_attempt, applied_at, objects, message
		FROM kube_sync WHERE machine_id = $1`, id).Scan(&k.State, &k.Attempts, &next, &last, &applied, &objects, &k.Message)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(err)
	}
	if err := json.Unmarshal([]byte(objects), &k.Objects); err != nil {
		return nil, fmt.Errorf("machine %s: kube_sync objects: %w", id, err)
	}
	if len(k.Objects) == 0 {
		k.Objects = nil
	}
	at := func(us int64) *time.Time {
		if us == 0 {
			return nil
		}
		t := fromMicros(us)
		return &t
	}
	k.LastAttempt, k.AppliedAt = at(last), at(applied)
	if k.State == api.KubeFailed {
		k.NextAttempt = at(next)
	}
	return &k, nil
}

// KubeAddress implements store.KubeOutbox. On PostgreSQL two replicas
// choosing the same free address collide on its primary key, and the
// loser's transaction is retried with the address taken.
func (s *Store) KubeAddress(ctx context.Context, id string, pool store.AddressPool) (netip.Addr, error) {
	if !pool.Start.IsValid() || !pool.End.IsValid() || pool.End.Less(pool.Start) {
		return netip.Addr{}, fmt.Errorf("address pool %s-%s: empty", pool.Start, pool.End)
	}
	reserved := make(map[netip.Addr]bool, len(pool.Reserved))
	for _, a := range pool.Reserved {
		reserved[a] = true
	}
	usable := func(a netip.Addr) bool {
		return a.IsValid() && !a.Less(pool.Start) && !pool.End.Less(a) && !reserved[a]
	}
	var got netip.Addr
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		got = netip.Addr{}
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT address FROM kube_addresses WHERE machine_id = $1`, id).Scan(&cur)
		switch {
		case err == nil:
			if a, perr := netip.ParseAddr(cur); perr == nil && usable(a) {
				got = a
				return nil
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM kube_addresses WHERE machine_id = $1`, id); err != nil {
				return fmt.Errorf("release the pool address of %s: %w", id, err)
			}
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("pool address of %s: %w", id, err)
		}
		taken := map[netip.Addr]bool{}
		rs, err := tx.QueryContext(ctx, `SELECT address FROM kube_addresses UNION SELECT bmc_ip FROM machines WHERE bmc_ip <> ''`)
		if err != nil {
			return fmt.Errorf("pool addresses: %w", err)
		}
		for rs.Next() {
			var a string
			if err := rs.Scan(&a); err != nil {
				rs.Close()
				return fmt.Errorf("pool addresses: %w", err)
			}
			if ip, err := netip.ParseAddr(a); err == nil {
				taken[ip] = true
			}
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return fmt.Errorf("pool addresses: %w", err)
		}
		for a := pool.Start; a.IsValid() && !pool.End.Less(a); a = a.Next() {
			if reserved[a] || taken[a] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO kube_addresses (address, machine_id) VALUES ($1, $2)`, a.String(), id); err != nil {
				return fmt.Errorf("hand out %s to %s: %w", a, id, err)
			}
			got = a
			return nil
		}
		return fmt.Errorf("%w: %s-%s, %d addresses taken or reserved", store.ErrPoolExhausted, pool.Start, pool.End, len(taken)+len(reserved))
	})
	return got, err
}

// KubeName implements store.KubeOutbox. On PostgreSQL two replicas
// claiming the same free name collide on its primary key, and the loser's
// transaction is retried and finds the winner's claim.
func (s *Store) KubeName(ctx context.Context, id, name string) (string, error) {
	var holder string
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		holder = ""
		err := tx.QueryRowContext(ctx, `SELECT machine_id FROM kube_names WHERE name = $1`, name).Scan(&holder)
		switch {
		case err == nil:
			return nil // this machine's already, or another's
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("kubernetes name %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kube_names WHERE machine_id = $1`, id); err != nil {
			return fmt.Errorf("give up the kubernetes name of %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kube_names (name, machine_id) VALUES ($1, $2)`, name, id); err != nil {
			return fmt.Errorf("claim kubernetes name %s for %s: %w", name, id, err)
		}
		holder = id
		return nil
	})
	return holder, err
}
