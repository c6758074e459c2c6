package sqlstore

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

// MachineForCredential implements store.Store. The lookup is by the
// credential's SHA-256: the hash of a 256-bit random secret reveals nothing
// useful through the index's timing.
func (s *Store) MachineForCredential(ctx context.Context, hash string) (string, error) {
	var id string
	err := s.read.QueryRowContext(ctx, `SELECT id FROM machines WHERE credential_hash = $1`, hash).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", store.ErrNotFound
	case err != nil:
		return "", unavailable(err)
	}
	return id, nil
}

// lockMachine reads a machine's credential hash and state for a
// read-modify-write, checking the credential in constant time.
func (s *Store) lockMachine(ctx context.Context, tx *sql.Tx, id, credHash string) (state, pending, digest string, err error) {
	var stored string
	err = tx.QueryRowContext(ctx, `SELECT credential_hash, state, pending_action, inventory_digest FROM machines WHERE id = $1`+s.d.forUpdate, id).
		Scan(&stored, &state, &pending, &digest)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", store.ErrNotFound
	}
	if err != nil {
		return "", "", "", fmt.Errorf("read machine %s: %w", id, err)
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(credHash)) != 1 {
		return "", "", "", store.ErrBadCredential
	}
	return state, pending, digest, nil
}

// Checkin implements store.Store.
func (s *Store) Checkin(ctx context.Context, in store.Checkin) (store.CheckinResult, error) {
	if s.d.postgres {
		return s.checkinPostgres(ctx, in)
	}
	var res store.CheckinResult
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res = store.CheckinResult{}
		state, pending, digest, err := s.lockMachine(ctx, tx, in.MachineID, in.CredentialHash)
		if err != nil {
			return err
		}
		switch {
		case pending != "":
			res.Action = pending
		case in.Digest != digest:
			res.Action = api.ActionSendInventory
		default:
			res.Action = api.ActionNone
		}
		newState := in.State
		if newState == "" {
			newState = state
		}
		if _, err := tx.ExecContext(ctx, `UPDATE machines SET last_seen = $2, state = $3, uptime_seconds = $4,
			agent_version = $5, pending_action = '' WHERE id = $1`,
			in.MachineID, micros(in.Now), newState, in.UptimeSeconds, in.AgentVersion); err != nil {
			return fmt.Errorf("update machine %s: %w", in.MachineID, err)
		}
		if newState != state {
			if err := s.record(ctx, tx, in.MachineID, in.Now, api.ChangeState, []string{state + " → " + newState}); err != nil {
				return err
			}
		}
		if pending != "" {
			return s.record(ctx, tx, in.MachineID, in.Now, api.ChangeActionDelivered, []string{pending})
		}
		return nil
	})
	if err != nil {
		return store.CheckinResult{}, err
	}
	return res, nil
}

// UpdateInventory implements store.Store.
func (s *Store) UpdateInventory(ctx context.Context, in store.InventoryUpdate) error {
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, _, digest, err := s.lockMachine(ctx, tx, in.MachineID, in.CredentialHash)
		if err != nil {
			return err
		}
		if digest != in.Digest {
			if err := s.recordDiff(ctx, tx, in.MachineID, in.Now, in.Inventory); err != nil {
				return err
			}
		}
		sum := in.Summary
		if _, err := tx.ExecContext(ctx, `UPDATE machines SET last_seen = $2, inventory_digest = $3,
			manufacturer = $4, product = $5, serial = $6, bmc_ip = $7, hostname = $8, worker_id = $9,
			hw_addr = $10, switches = $11 WHERE id = $1`,
			in.MachineID, micros(in.Now), in.Digest, sum.Manufacturer, sum.Product, sum.Serial, sum.BMCIP,
			sum.Hostname, sum.WorkerID, sum.HWAddr, switchesJSON(sum)); err != nil {
			return fmt.Errorf("update machine %s: %w", in.MachineID, err)
		}
		return s.replaceDocument(ctx, tx, in.MachineID, in.Document)
	})
}

// checkinPostgresSQL is a whole check-in in one statement, so in one round
// trip and one implicit transaction: lock the row, check the credential,
// update it, record a state change and a delivered action (in that order),
// and return the previous state, pending action and digest.
const checkinPostgresSQL = `WITH old AS (
	SELECT id, state, pending_action, inventory_digest, credential_hash FROM machines WHERE id = $1 FOR UPDATE
), upd AS (
	UPDATE machines m SET last_seen = $2, state = CASE WHEN $3 = '' THEN old.state ELSE $3 END,
		uptime_seconds = $4, agent_version = $5, pending_action = ''
	FROM old WHERE m.id = old.id AND old.credential_hash = $6
	RETURNING old.state AS old_state, m.state AS new_state, old.pending_action AS pending, old.inventory_digest AS digest
), hist AS (
	INSERT INTO machine_history (machine_id, at, kind, details)
	SELECT $1, $2, kind, details FROM (
		SELECT 1 AS o, 'state' AS kind, json_build_array(old_state || ' → ' || new_state)::text AS details FROM upd WHERE old_state <> new_state
		UNION ALL
		SELECT 2, 'action_delivered', json_build_array(pending)::text FROM upd WHERE pending <> ''
	) x ORDER BY o
)
SELECT pending, digest FROM upd`

// checkinPostgres is Checkin in one statement (the same effects as the
// SQLite path, which runs them one by one under its single writer).
func (s *Store) checkinPostgres(ctx context.Context, in store.Checkin) (store.CheckinResult, error) {
	var pending, digest string
	err := s.write.QueryRowContext(ctx, checkinPostgresSQL, in.MachineID, micros(in.Now), in.State,
		in.UptimeSeconds, in.AgentVersion, in.CredentialHash).Scan(&pending, &digest)
	if errors.Is(err, sql.ErrNoRows) {
		// Tell an unknown machine from a wrong credential.
		var one int
		switch err := s.write.QueryRowContext(ctx, `SELECT 1 FROM machines WHERE id = $1`, in.MachineID).Scan(&one); {
		case errors.Is(err, sql.ErrNoRows):
			return store.CheckinResult{}, store.ErrNotFound
		case err != nil:
			return store.CheckinResult{}, unavailable(err)
		}
		return store.CheckinResult{}, store.ErrBadCredential
	}
	if err != nil {
		return store.CheckinResult{}, unavailable(err)
	}
	switch {
	case pending != "":
		return store.CheckinResult{Action: pending}, nil
	case in.Digest != digest:
		return store.CheckinResult{Action: api.ActionSendInventory}, nil
	}
	return store.CheckinResult{Action: api.ActionNone}, nil
}
