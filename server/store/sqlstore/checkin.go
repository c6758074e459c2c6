package sqlstore

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/identity"
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
		// The credential of a registration held for approval?
		return "", s.pendingForCredential(ctx, hash)
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

// actionRow is what a check-in reads of a machine's actions.
type actionRow struct {
	state, pending, pendingID, ackedID, digest string
}

// checkinDecision is what a check-in does to a machine's action and tells
// the agent; SQLite runs it in Go, PostgreSQL in checkinPostgresSQL (the
// same rules), and both derive the answer here.
type checkinDecision struct {
	res store.CheckinResult
	// clear: the pending action is cleared; acked: the acked_action_id
	// afterwards; delivered: the action recorded as delivered ("": none).
	clear            bool
	acked, delivered string
}

// decideCheckin applies the action rules: an acknowledgement of the
// pending action's ID clears it (delivered); a pending action is answered
// with its ID and, for agents that do not acknowledge, cleared at once
// (delivered, the v1 behaviour before action IDs); else send_inventory
// when the digests differ, else none.
func decideCheckin(in store.Checkin, cur actionRow) checkinDecision {
	d := checkinDecision{acked: cur.ackedID}
	pending, pendingID := cur.pending, cur.pendingID
	if in.AckActionID != "" && pending != "" && in.AckActionID == pendingID {
		d.clear, d.delivered, d.acked = true, pending, pendingID
		pending, pendingID = "", ""
	}
	if in.AckActionID != "" && in.AckActionID == d.acked {
		d.res.AckedActionID = in.AckActionID
	}
	switch {
	case pending != "":
		d.res.Action, d.res.ActionID = pending, pendingID
		if !in.AcksActions {
			d.clear, d.delivered = true, pending
		}
	case in.Digest != cur.digest:
		d.res.Action = api.ActionSendInventory
	default:
		d.res.Action = api.ActionNone
	}
	return d
}

// Checkin implements store.Store.
func (s *Store) Checkin(ctx context.Context, in store.Checkin) (store.CheckinResult, error) {
	if res, ok := s.checkinTouch(ctx, in); ok {
		return res, nil
	}
	if s.d.postgres {
		return s.checkinPostgres(ctx, in)
	}
	var res store.CheckinResult
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res = store.CheckinResult{}
		var cur actionRow
		var stored string
		err := tx.QueryRowContext(ctx, `SELECT credential_hash, state, pending_action, pending_action_id, acked_action_id,
			inventory_digest FROM machines WHERE id = $1`, in.MachineID).
			Scan(&stored, &cur.state, &cur.pending, &cur.pendingID, &cur.ackedID, &cur.digest)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("read machine %s: %w", in.MachineID, err)
		}
		if subtle.ConstantTimeCompare([]byte(stored), []byte(in.CredentialHash)) != 1 {
			return store.ErrBadCredential
		}
		d := decideCheckin(in, cur)
		res = d.res
		newState := in.State
		if newState == "" {
			newState = cur.state
		}
		pending, pendingID := cur.pending, cur.pendingID
		if d.clear {
			pending, pendingID = "", ""
		}
		if _, err := tx.ExecContext(ctx, `UPDATE machines SET last_seen = $2, state = $3, uptime_seconds = $4,
			agent_version = $5, pending_action = $6, pending_action_id = $7, acked_action_id = $8 WHERE id = $1`,
			in.MachineID, micros(in.Now), newState, in.UptimeSeconds, in.AgentVersion, pending, pendingID, d.acked); err != nil {
			return fmt.Errorf("update machine %s: %w", in.MachineID, err)
		}
		if newState != cur.state {
			if err := s.record(ctx, tx, in.MachineID, in.Now, api.ChangeState, []string{cur.state + " → " + newState}); err != nil {
				return err
			}
		}
		if d.delivered != "" {
			return s.record(ctx, tx, in.MachineID, in.Now, api.ChangeActionDelivered, []string{d.delivered})
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
		keys, err := s.checkOwnKeys(ctx, tx, in.MachineID, in.Document)
		if err != nil {
			return err
		}
		if digest != in.Digest {
			if err := s.recordDiff(ctx, tx, in.MachineID, in.Now, in.Inventory); err != nil {
				return err
			}
		}
		sum := in.Summary
		var oldBMCIP string
		if err := tx.QueryRowContext(ctx, `SELECT bmc_ip FROM machines WHERE id = $1`, in.MachineID).Scan(&oldBMCIP); err != nil {
			return fmt.Errorf("read machine %s: %w", in.MachineID, err)
		}
		if err := s.bmcAddressChanged(ctx, tx, in.MachineID, oldBMCIP, sum.BMCIP, in.Now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE machines SET last_seen = $2, inventory_digest = $3,
			manufacturer = $4, product = $5, serial = $6, bmc_ip = $7, hostname = $8, worker_id = $9,
			hw_addr = $10, switches = $11, identity = $12 WHERE id = $1`,
			in.MachineID, micros(in.Now), in.Digest, sum.Manufacturer, sum.Product, sum.Serial, sum.BMCIP,
			sum.Hostname, sum.WorkerID, sum.HWAddr, switchesJSON(sum), identityJSON(in.Identity)); err != nil {
			return fmt.Errorf("update machine %s: %w", in.MachineID, err)
		}
		if err := s.markKube(ctx, tx, in.MachineID, in.Now); err != nil {
			return err
		}
		return s.replaceDocument(ctx, tx, in.MachineID, in.Document, keys)
	})
}

// checkinPostgresSQL is a whole check-in in one statement, so in one round
// trip and one implicit transaction: lock the row, check the credential,
// apply decideCheckin's rules to the action ($7 the acknowledged ID, $8
// whether the agent acknowledges actions), update the row, record a state
// change and a delivered action (in that order), and return what the row
// held before. The row lock makes a check-in and an acknowledgement
// atomic across replicas sharing the database.
const checkinPostgresSQL = `WITH old AS (
	SELECT id, state, pending_action, pending_action_id, acked_action_id, inventory_digest, credential_hash
	FROM machines WHERE id = $1 FOR UPDATE
), ok AS (
	SELECT old.*, ($7 <> '' AND pending_action <> '' AND $7 = pending_action_id) AS ack_now
	FROM old WHERE credential_hash = $6
), upd AS (
	UPDATE machines m SET last_seen = $2, state = CASE WHEN $3 = '' THEN ok.state ELSE $3 END,
		uptime_seconds = $4, agent_version = $5,
		pending_action = CASE WHEN ok.ack_now OR NOT $8 THEN '' ELSE ok.pending_action END,
		pending_action_id = CASE WHEN ok.ack_now OR NOT $8 THEN '' ELSE ok.pending_action_id END,
		acked_action_id = CASE WHEN ok.ack_now THEN ok.pending_action_id ELSE ok.acked_action_id END
	FROM ok WHERE m.id = ok.id
	RETURNING ok.state AS old_state, m.state AS new_state, ok.pending_action AS pending, ok.pending_action_id AS pending_id,
		ok.acked_action_id AS acked, ok.inventory_digest AS digest, ok.ack_now
), hist AS (
	INSERT INTO machine_history (machine_id, at, kind, details)
	SELECT $1, $2, kind, details FROM (
		SELECT 1 AS o, 'state' AS kind, json_build_array(old_state || ' → ' || new_state)::text AS details FROM upd WHERE old_state <> new_state
		UNION ALL
		SELECT 2, 'action_delivered', json_build_array(pending)::text FROM upd WHERE pending <> '' AND (ack_now OR NOT $8)
	) x ORDER BY o
)
SELECT pending, pending_id, acked, digest FROM upd`

// checkinPostgres is Checkin in one statement (the same effects as the
// SQLite path, which runs them one by one under its single writer).
func (s *Store) checkinPostgres(ctx context.Context, in store.Checkin) (store.CheckinResult, error) {
	var cur actionRow
	err := s.write.QueryRowContext(ctx, checkinPostgresSQL, in.MachineID, micros(in.Now), in.State,
		in.UptimeSeconds, in.AgentVersion, in.CredentialHash, in.AckActionID, in.AcksActions).
		Scan(&cur.pending, &cur.pendingID, &cur.ackedID, &cur.digest)
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
		s.health.note(err)
		return store.CheckinResult{}, unavailable(err)
	}
	return decideCheckin(in, cur).res, nil
}

// checkOwnKeys returns the keys an upload gives machine id, or a
// *store.ConflictError when the inventory carries a key another machine
// holds or contradicts the machine's own identity (docs/protocol.md,
// "Identity"): an upload never moves a key, and never turns a machine
// into another.
func (s *Store) checkOwnKeys(ctx context.Context, tx *sql.Tx, id string, doc store.Document) ([]string, error) {
	e, err := s.evaluate(ctx, tx, doc)
	if err != nil {
		return nil, err
	}
	for _, k := range doc.Keys {
		if h, ok := e.holders[k]; ok && h != id {
			reason := "an upload never takes another machine's key"
			if v := e.verdicts[h]; v.Outcome == identity.Different {
				reason = v.Reason
			}
			return nil, &store.ConflictError{MachineID: id, Other: h, Key: k, Reason: reason}
		}
	}
	known, err := s.identityOf(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	switch v := identity.Compare(known, doc.Identity); {
	case v.Outcome == identity.Different:
		return nil, &store.ConflictError{MachineID: id, Reason: v.Reason + "; register instead"}
	case v.Outcome == identity.Unrelated && len(known.Keys()) > 0:
		return nil, &store.ConflictError{MachineID: id, Reason: "no identity key in common with the machine; register instead"}
	}
	return e.ownKeys(id), nil
}
