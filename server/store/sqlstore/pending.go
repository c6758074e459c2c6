package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/history"
	"github.com/hwagent/hwagent/server/store"
)

// maxPending bounds the registrations held per machine: a newer one pushes
// the oldest out (its agent gets 401 and registers again).
const maxPending = 16

// hold stores a registration that waits for an operator's approval and
// returns its ID. The machine itself is left as it is: its credential
// keeps working.
func (s *Store) hold(ctx context.Context, tx *sql.Tx, machine string, in store.Registration) (string, error) {
	id, err := s.keep(ctx, tx, machine, in)
	if err != nil {
		return "", err
	}
	details := append(nonEmpty(in.Decision.Reason), "request "+id)
	return id, s.record(ctx, tx, machine, in.Now, api.ChangeHeld, append(details, fromPeer(in.Peer)...))
}

// keep stores a registration for an operator's decision (held, or
// refused and approvable) and returns its ID; at most maxPending per
// machine are kept.
func (s *Store) keep(ctx context.Context, tx *sql.Tx, machine string, in store.Registration) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	id := "p-" + hex.EncodeToString(b[:])
	if _, err := tx.ExecContext(ctx, `INSERT INTO machine_pending (id, machine_id, credential_hash, peer, requested_at, reason, inventory)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, machine, in.CredentialHash, store.ColumnText(in.Peer), micros(in.Now),
		store.ColumnText(in.Decision.Reason), string(in.JSON)); err != nil {
		return "", fmt.Errorf("hold registration of %s: %w", machine, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM machine_pending WHERE machine_id = $1 AND id NOT IN (
		SELECT id FROM machine_pending WHERE machine_id = $1 ORDER BY requested_at DESC, id DESC LIMIT `+fmt.Sprint(maxPending)+`)`, machine); err != nil {
		return "", fmt.Errorf("hold registration of %s: %w", machine, err)
	}
	return id, nil
}

// pendingRow is a held registration as stored.
type pendingRow struct {
	id, credHash, peer, reason, inventory string
	at                                    int64
}

// pendingOf returns machine's held registrations, oldest first.
func (s *Store) pendingOf(ctx context.Context, q querier, machine string) ([]pendingRow, error) {
	rs, err := q.QueryContext(ctx, `SELECT id, credential_hash, peer, reason, inventory, requested_at FROM machine_pending
		WHERE machine_id = $1 ORDER BY requested_at, id`, machine)
	if err != nil {
		return nil, fmt.Errorf("held registrations of %s: %w", machine, err)
	}
	defer rs.Close()
	var out []pendingRow
	for rs.Next() {
		var p pendingRow
		if err := rs.Scan(&p.id, &p.credHash, &p.peer, &p.reason, &p.inventory, &p.at); err != nil {
			return nil, fmt.Errorf("held registrations of %s: %w", machine, err)
		}
		out = append(out, p)
	}
	return out, rs.Err()
}

// choosePending picks the held registration an operator named, or the
// only one.
func choosePending(rows []pendingRow, id string) (pendingRow, error) {
	if id != "" {
		for _, p := range rows {
			if p.id == id {
				return p, nil
			}
		}
		return pendingRow{}, fmt.Errorf("%w: %s", store.ErrNoPending, id)
	}
	switch len(rows) {
	case 0:
		return pendingRow{}, store.ErrNoPending
	case 1:
		return rows[0], nil
	}
	ids := make([]string, len(rows))
	for i, p := range rows {
		ids[i] = p.id + " (" + p.peer + ")"
	}
	return pendingRow{}, fmt.Errorf("%w: %v", store.ErrAmbiguous, ids)
}

// Approve implements store.Store.
func (s *Store) Approve(ctx context.Context, id, pendingID string, now time.Time) (string, error) {
	var approved string
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		approved = ""
		if err := s.lockRow(ctx, tx, id); err != nil {
			return err
		}
		rows, err := s.pendingOf(ctx, tx, id)
		if err != nil {
			return err
		}
		p, err := choosePending(rows, pendingID)
		if err != nil {
			return err
		}
		var inv inventory.Inventory
		if err := json.Unmarshal([]byte(p.inventory), &inv); err != nil {
			return fmt.Errorf("held registration %s: stored inventory: %w", p.id, err)
		}
		doc, err := store.NewDocument(&inv)
		if err != nil {
			return fmt.Errorf("held registration %s: %w", p.id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM machine_pending WHERE machine_id = $1`, id); err != nil {
			return fmt.Errorf("approve %s: %w", p.id, err)
		}
		details := append([]string{"request " + p.id + " approved"}, fromPeer(p.peer)...)
		details = append(details, "requested "+fromMicros(p.at).Format(time.RFC3339), "credential rotated")
		if len(rows) > 1 {
			details = append(details, fmt.Sprintf("%d other held registrations dropped", len(rows)-1))
		}
		// The operator vouched for this registration: what policies pinned
		// from earlier evidence (a replaced TPM's endorsement key) no
		// longer speaks for the machine. They pin again from the approved
		// inventory (its TPM is challenged at the next registration).
		pins, err := s.pins(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(pins) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM machine_pins WHERE machine_id = $1`, id); err != nil {
				return fmt.Errorf("approve %s: unpin: %w", p.id, err)
			}
			names := make([]string, 0, len(pins))
			for k := range pins {
				names = append(names, k)
			}
			slices.Sort(names)
			details = append(details, "unpinned "+strings.Join(names, ", "))
		}
		e, err := s.evaluate(ctx, tx, doc)
		if err != nil {
			return err
		}
		if _, err := s.takeOver(ctx, tx, id, doc, e.ownKeys(id), p.credHash, now, api.ChangeApproved, details); err != nil {
			return err
		}
		if err := s.recordConflicts(ctx, tx, id, e.conflictsFor(id), store.Registration{Now: now}); err != nil {
			return err
		}
		approved = p.id
		return nil
	})
	return approved, err
}

// Reject implements store.Store.
func (s *Store) Reject(ctx context.Context, id, pendingID string, now time.Time) error {
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := s.lockRow(ctx, tx, id); err != nil {
			return err
		}
		rows, err := s.pendingOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return store.ErrNoPending
		}
		if pendingID != "" {
			p, err := choosePending(rows, pendingID)
			if err != nil {
				return err
			}
			rows = []pendingRow{p}
		}
		var details []string
		for _, p := range rows {
			if _, err := tx.ExecContext(ctx, `DELETE FROM machine_pending WHERE id = $1`, p.id); err != nil {
				return fmt.Errorf("reject %s: %w", p.id, err)
			}
			details = append(details, "request "+p.id+" rejected"+prefixed(" from ", p.peer))
		}
		return s.record(ctx, tx, id, now, api.ChangeRejected, details)
	})
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// lockRow locks machine id for a read-modify-write, or says it is not there.
func (s *Store) lockRow(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM machines WHERE id = $1`+s.d.forUpdate, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("read machine %s: %w", id, err)
	}
	return nil
}

// pendingForCredential finds the held registration a credential belongs
// to: store.PendingError, or store.ErrNotFound.
func (s *Store) pendingForCredential(ctx context.Context, hash string) error {
	var machine, id string
	err := s.read.QueryRowContext(ctx, `SELECT machine_id, id FROM machine_pending WHERE credential_hash = $1`, hash).Scan(&machine, &id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case err != nil:
		return unavailable(err)
	}
	return &store.PendingError{MachineID: machine, PendingID: id}
}

// pendingForShow lists a machine's held registrations with what differs
// from its inventory.
func (s *Store) pendingForShow(ctx context.Context, id string, current *inventory.Inventory) ([]api.PendingRegistration, error) {
	rows, err := s.pendingOf(ctx, s.read, id)
	if err != nil {
		return nil, unavailable(err)
	}
	var out []api.PendingRegistration
	for _, p := range rows {
		pr := api.PendingRegistration{ID: p.id, Peer: p.peer, RequestedAt: fromMicros(p.at), Reason: p.reason}
		var inv inventory.Inventory
		if err := json.Unmarshal([]byte(p.inventory), &inv); err != nil {
			pr.Differences = []string{"held inventory unreadable: " + err.Error()}
		} else if current != nil {
			pr.Differences = history.Diff(current, &inv)
		}
		out = append(out, pr)
	}
	return out, nil
}

// pins returns what re-enrolment policies pinned on a machine.
func (s *Store) pins(ctx context.Context, q querier, id string) (map[string]string, error) {
	rs, err := q.QueryContext(ctx, `SELECT name, value FROM machine_pins WHERE machine_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("pins of %s: %w", id, err)
	}
	defer rs.Close()
	var out map[string]string
	for rs.Next() {
		var k, v string
		if err := rs.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("pins of %s: %w", id, err)
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out, rs.Err()
}

// setPins stores a decision's pins on machine id ("" values remove).
func (s *Store) setPins(ctx context.Context, tx *sql.Tx, id string, pins map[string]string) error {
	if id == "" || len(pins) == 0 {
		return nil
	}
	for k, v := range pins {
		if _, err := tx.ExecContext(ctx, `DELETE FROM machine_pins WHERE machine_id = $1 AND name = $2`, id, k); err != nil {
			return fmt.Errorf("pin %s on %s: %w", k, id, err)
		}
		if v == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO machine_pins (machine_id, name, value) VALUES ($1, $2, $3)`, id, k, store.ColumnText(v)); err != nil {
			return fmt.Errorf("pin %s on %s: %w", k, id, err)
		}
	}
	return nil
}

// UpdateHeld implements store.Store.
func (s *Store) UpdateHeld(ctx context.Context, in store.InventoryUpdate) error {
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var id, raw string
		err := tx.QueryRowContext(ctx, `SELECT id, inventory FROM machine_pending WHERE machine_id = $1 AND credential_hash = $2`+s.d.forUpdate,
			in.MachineID, in.CredentialHash).Scan(&id, &raw)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("held registration of %s: %w", in.MachineID, err)
		}
		var inv inventory.Inventory
		if err := decodeStored(raw, &inv); err != nil {
			return fmt.Errorf("held registration %s: stored inventory: %w", id, err)
		}
		held, err := store.NewDocument(&inv)
		if err != nil {
			return fmt.Errorf("held registration %s: %w", id, err)
		}
		// The operator approves what the policy held: the identity it
		// was held for. Anything else registers again.
		if !slices.Equal(sortedKeys(held.Keys), sortedKeys(in.Keys)) {
			return &store.ConflictError{MachineID: in.MachineID, Reason: fmt.Sprintf("identity keys %v, the held registration %s's are %v; register instead", in.Keys, id, held.Keys)}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE machine_pending SET inventory = $2 WHERE id = $1`, id, string(in.JSON)); err != nil {
			return fmt.Errorf("update held registration %s: %w", id, err)
		}
		return nil
	})
}

func sortedKeys(keys []string) []string {
	out := slices.Clone(keys)
	slices.Sort(out)
	return out
}
