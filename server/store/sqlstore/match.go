package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/identity"
	"github.com/hwagent/hwagent/server/store"
)

// evaluation is how a document's identity relates to the known machines:
// who holds each of its keys, and the identity decision (docs/protocol.md,
// "Identity") against every machine that holds one.
type evaluation struct {
	keys     []string                    // the document's keys, strongest first
	holders  map[string]string           // key → machine holding it
	verdicts map[string]identity.Verdict // machine → decision
}

// conflictFound is a known machine a document contradicts although they
// share keys.
type conflictFound struct {
	other  string
	keys   []string
	reason string
}

// evaluate reads the machines holding any of doc's keys and decides, for
// each, whether doc is that machine.
func (s *Store) evaluate(ctx context.Context, q querier, doc store.Document) (evaluation, error) {
	e := evaluation{keys: doc.Keys, holders: map[string]string{}, verdicts: map[string]identity.Verdict{}}
	if len(doc.Keys) == 0 {
		return e, nil
	}
	args := make([]any, 0, 1+len(doc.Keys))
	if s.d.postgres {
		// Planned for these keys every time, never by a generic plan
		// PostgreSQL caches for the prepared statement: one made while
		// machine_keys was small scans the whole table, and in three of
		// four 10,000-machine bursts on a new database the key lookups
		// read 9.1–24.0 million rows (0.1 million with this).
		args = append(args, pgx.QueryExecModeExec)
	}
	for _, k := range doc.Keys {
		args = append(args, k)
	}
	rs, err := q.QueryContext(ctx, `SELECT key, machine_id FROM machine_keys WHERE key IN (`+placeholders(1, len(doc.Keys))+`)`, args...)
	if err != nil {
		return e, fmt.Errorf("find machines by identity: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var k, id string
		if err := rs.Scan(&k, &id); err != nil {
			return e, fmt.Errorf("find machines by identity: %w", err)
		}
		e.holders[k] = id
	}
	if err := rs.Err(); err != nil {
		return e, fmt.Errorf("find machines by identity: %w", err)
	}
	rs.Close()
	for _, id := range e.machines() {
		known, err := s.identityOf(ctx, q, id)
		if err != nil {
			return e, err
		}
		v := identity.Compare(known, doc.Identity)
		if v.Outcome == identity.Unrelated {
			// It holds one of the keys, so they share it: the stored
			// identity lags behind its keys (written by an older server).
			v = identity.Verdict{Outcome: identity.Same, Shared: e.heldBy(id)}
		}
		e.verdicts[id] = v
	}
	return e, nil
}

// machines lists the holders, in the order of the keys they hold.
func (e evaluation) machines() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range e.keys {
		if id, ok := e.holders[k]; ok && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// heldBy lists the document's keys machine id holds.
func (e evaluation) heldBy(id string) []string {
	var out []string
	for _, k := range e.keys {
		if e.holders[k] == id {
			out = append(out, k)
		}
	}
	return out
}

// choose returns the machine the document is: of the machines it is the
// same as, the one sharing its strongest key that the others do not share,
// then the one sharing its strongest key; "" for a new machine. A key
// several of them share (one UUID two machines were found to share) tells
// none of them apart, so it cannot decide between them: only a key of one
// of them can (its NICs).
func (e evaluation) choose() string {
	same := map[string][]string{} // machine → the keys it shares with the document
	for id, v := range e.verdicts {
		if v.Outcome == identity.Same {
			same[id] = v.Shared
		}
	}
	best, bestOwn, bestShared := "", 0, 0
	for id, shared := range same {
		own, all := strength(e.keys, exclusive(id, shared, same)), strength(e.keys, shared)
		if best == "" || own < bestOwn || own == bestOwn && (all < bestShared || all == bestShared && id < best) {
			best, bestOwn, bestShared = id, own, all
		}
	}
	return best
}

// exclusive lists the keys of shared that no other machine of same shares.
func exclusive(id string, shared []string, same map[string][]string) []string {
	var out []string
	for _, k := range shared {
		alone := true
		for other, theirs := range same {
			if other != id && slices.Contains(theirs, k) {
				alone = false
				break
			}
		}
		if alone {
			out = append(out, k)
		}
	}
	return out
}

// strength is the position of the strongest shared key in keys.
func strength(keys, shared []string) int {
	for i, k := range keys {
		for _, x := range shared {
			if k == x {
				return i
			}
		}
	}
	return len(keys)
}

// conflictsFor lists the machines other than machine that the document
// shares keys with: those it contradicts, and those it also matches (one
// machine with two records).
func (e evaluation) conflictsFor(machine string) []conflictFound {
	var out []conflictFound
	for _, id := range e.machines() {
		if id == machine {
			continue
		}
		v := e.verdicts[id]
		c := conflictFound{other: id, keys: v.Shared, reason: v.Reason}
		if v.Outcome == identity.Same {
			c.reason = "both match one registration: one machine with two records? (shared " + strings.Join(v.Shared, ", ") + ")"
		}
		out = append(out, c)
	}
	return out
}

// ownKeys are the document's keys machine may hold: those nobody holds and
// those it holds already. A key another machine holds stays with it.
func (e evaluation) ownKeys(machine string) []string {
	var out []string
	for _, k := range e.keys {
		if h, ok := e.holders[k]; !ok || h == machine {
			out = append(out, k)
		}
	}
	return out
}

// identityOf is the identity machine id was last matched by: the
// identity column, or for a machine stored before it existed, derived from
// its inventory.
func (s *Store) identityOf(ctx context.Context, q querier, id string) (inventory.Identity, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT identity FROM machines WHERE id = $1`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return inventory.Identity{}, nil // deleted meanwhile: its keys go with it
	}
	if err != nil {
		return inventory.Identity{}, fmt.Errorf("identity of %s: %w", id, err)
	}
	var ident inventory.Identity
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &ident); err != nil {
			return ident, fmt.Errorf("identity of %s: %w", id, err)
		}
		return ident, nil
	}
	if err := q.QueryRowContext(ctx, `SELECT inventory FROM machine_inventories WHERE machine_id = $1`, id).Scan(&raw); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ident, nil
		}
		return ident, fmt.Errorf("inventory of %s: %w", id, err)
	}
	var inv inventory.Inventory
	if err := decodeStored(raw, &inv); err != nil {
		return ident, fmt.Errorf("inventory of %s: %w", id, err)
	}
	doc, err := store.NewDocument(&inv)
	if err != nil {
		return ident, nil // no usable identity: only its keys speak for it
	}
	return doc.Identity, nil
}

// identityJSON is the identity column's value.
func identityJSON(id inventory.Identity) string {
	id.MachineID, id.Basis = "", ""
	b, _ := json.Marshal(id)
	return string(b)
}

// recordConflicts records what a registration found on machine id.
func (s *Store) recordConflicts(ctx context.Context, tx *sql.Tx, id string, found []conflictFound, in store.Registration) error {
	for _, c := range found {
		if err := s.recordConflict(ctx, tx, id, c.other, c.keys, c.reason, in.Now); err != nil {
			return err
		}
	}
	return nil
}

// conflictIDs lists the other machines of conflicts, sorted.
func conflictIDs(found []conflictFound) []string {
	var out []string
	for _, c := range found {
		out = append(out, c.other)
	}
	sort.Strings(out)
	return out
}
