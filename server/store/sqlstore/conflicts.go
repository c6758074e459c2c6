package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

// Conflicts implements store.Store.
func (s *Store) Conflicts(ctx context.Context) ([]api.Conflict, error) {
	rs, err := s.read.QueryContext(ctx, `SELECT machine_a, machine_b, reason, reasons, keys, first_seen, last_seen, count
		FROM machine_conflicts ORDER BY machine_a, machine_b`)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rs.Close()
	out := []api.Conflict{}
	for rs.Next() {
		var c api.Conflict
		var latest, reasons, keys string
		var first, last int64
		if err := rs.Scan(&c.Machines[0], &c.Machines[1], &latest, &reasons, &keys, &first, &last, &c.Count); err != nil {
			return nil, unavailable(err)
		}
		if err := json.Unmarshal([]byte(keys), &c.Keys); err != nil {
			return nil, fmt.Errorf("conflict %s/%s: keys: %w", c.Machines[0], c.Machines[1], err)
		}
		c.Reasons = conflictReasons(reasons, latest)
		c.Reason = c.Reasons[0]
		c.FirstSeen, c.LastSeen = fromMicros(first), fromMicros(last)
		out = append(out, c)
	}
	return out, rs.Err()
}

// conflictReasons is a conflict's reasons as stored: the list, and the
// latest reason, which a replica of the version before the list (or a
// conflict recorded before it) wrote alone.
func conflictReasons(list, latest string) []string {
	var out []string
	if list != "" && json.Unmarshal([]byte(list), &out) != nil {
		out = nil
	}
	return withReason(out, latest)
}

// withReason adds reason to the list when it is not there, keeping at
// most api.MaxConflictReasons: the first and the latest.
func withReason(list []string, reason string) []string {
	if reason == "" || slices.Contains(list, reason) {
		return list
	}
	if len(list) >= api.MaxConflictReasons {
		list = append(list[:1], list[len(list)-api.MaxConflictReasons+2:]...)
	}
	return append(list, reason)
}

// recordConflict records (or counts again) an identity conflict between
// two machines, and the history entry on both when it is new or its reason
// changed. Every distinct reason is kept (reasons), the first first.
func (s *Store) recordConflict(ctx context.Context, tx *sql.Tx, a, b string, keys []string, reason string, now time.Time) error {
	if a > b {
		a, b = b, a
	}
	reason = store.ColumnText(reason) // it quotes the machines' serials
	keys = append([]string(nil), keys...)
	sort.Strings(keys)
	kj, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	var oldReason, oldReasons, oldKeys string
	err = tx.QueryRowContext(ctx, `SELECT reason, reasons, keys FROM machine_conflicts WHERE machine_a = $1 AND machine_b = $2`+s.d.forUpdate, a, b).Scan(&oldReason, &oldReasons, &oldKeys)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		rj, _ := json.Marshal([]string{reason})
		if _, err := tx.ExecContext(ctx, `INSERT INTO machine_conflicts (machine_a, machine_b, reason, reasons, keys, first_seen, last_seen, count)
			VALUES ($1, $2, $3, $4, $5, $6, $6, 1)`, a, b, reason, string(rj), string(kj), micros(now)); err != nil {
			return fmt.Errorf("record conflict %s/%s: %w", a, b, err)
		}
	case err != nil:
		return fmt.Errorf("read conflict %s/%s: %w", a, b, err)
	default:
		rj, _ := json.Marshal(withReason(conflictReasons(oldReasons, oldReason), reason))
		if _, err := tx.ExecContext(ctx, `UPDATE machine_conflicts SET reason = $3, reasons = $4, keys = $5, last_seen = $6, count = count + 1
			WHERE machine_a = $1 AND machine_b = $2`, a, b, reason, string(rj), string(kj), micros(now)); err != nil {
			return fmt.Errorf("record conflict %s/%s: %w", a, b, err)
		}
		if oldReason == reason && oldKeys == string(kj) {
			return nil // already in both histories
		}
	}
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		details := append([]string{"with " + pair[1] + ": " + reason}, keysLines(keys)...)
		if err := s.record(ctx, tx, pair[0], now, api.ChangeIdentityConflict, details); err != nil {
			return err
		}
	}
	return nil
}

func keysLines(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = "shared key " + k
	}
	return out
}
