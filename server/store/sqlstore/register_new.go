package sqlstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
)

// registerNew registers a machine nobody knows on PostgreSQL in two
// statements and two round trips, where the general path (a transaction:
// BEGIN, the key lookup, the two ID checks, the insert, COMMIT) takes six:
//
//  1. one read says whether any of its keys is held, or its derived ID
//     names a machine or a deleted one;
//  2. if none, newMachineInsert, one statement, so atomic without a
//     transaction around it.
//
// The read guarantees what the general path's reads do at PostgreSQL's
// READ COMMITTED, where they lock nothing either: a registration that
// takes a key or the ID in between makes the insert fail on the unique
// key, as it makes the general path's, and the general path then runs
// with its retries and meets that machine. ok is false whenever the
// general path has to decide (a key held, the ID taken or retired, a lost
// race); then nothing was written.
func (s *Store) registerNew(ctx context.Context, in store.Registration) (res store.RegisterResult, ok bool, err error) {
	id := inventory.MachineIDOf(in.Keys[0])
	args := make([]any, 0, 2+len(in.Keys))
	// Planned for these keys every time (evaluate says why).
	args = append(args, pgx.QueryExecModeExec, id)
	for _, k := range in.Keys {
		args = append(args, k)
	}
	// Counted, not EXISTS: the planner expects an EXISTS to stop at its
	// first row and scanned machine_keys more (TestKeyLookupUsesTheIndex:
	// 0.21 million rows read by sequential scans in a run with EXISTS,
	// 0–0.07 million in three counted).
	var known int
	if err := s.write.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM machine_keys WHERE key IN (`+placeholders(2, len(in.Keys))+`))
		+ (SELECT count(*) FROM machines WHERE id = $1) + (SELECT count(*) FROM retired_machines WHERE id = $1)`,
		args...).Scan(&known); err != nil {
		return res, true, fmt.Errorf("find machines by identity: %w", err)
	}
	if known > 0 {
		return res, false, nil
	}
	q, qargs, err := s.newMachineInsert(id, in, in.Keys)
	if err != nil {
		return res, true, err
	}
	if _, err := s.write.ExecContext(ctx, q, qargs...); err != nil {
		if retryable(err) {
			return res, false, nil
		}
		return res, true, fmt.Errorf("insert machine %s: %w", id, err)
	}
	return store.RegisterResult{MachineID: id, Created: true, Verdict: reenroll.Allow}, true, nil
}
