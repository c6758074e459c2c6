package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/store"
)

// maxTPMChallenges bounds the challenges in flight per machine: a newer
// one pushes the oldest out (its answer is then refused and the agent
// registers again).
const maxTPMChallenges = 32

// PutTPMChallenge stores an issued challenge, drops expired ones, and
// keeps at most maxTPMChallenges per machine.
func (s *Store) PutTPMChallenge(ctx context.Context, c store.TPMChallenge) error {
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM tpm_challenges WHERE expires_at < $1`, micros(c.IssuedAt)); err != nil {
			return fmt.Errorf("drop expired TPM challenges: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tpm_challenges (id, machine_id, ek_sha256, ak_name, secret_sha256, issued_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			c.ID, c.MachineID, c.EKSHA256, c.AKName, c.SecretSHA256, micros(c.IssuedAt), micros(c.ExpiresAt)); err != nil {
			return fmt.Errorf("store TPM challenge for %s: %w", c.MachineID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tpm_challenges WHERE machine_id = $1 AND id NOT IN (
			SELECT id FROM tpm_challenges WHERE machine_id = $1 ORDER BY issued_at DESC, id DESC LIMIT `+fmt.Sprint(maxTPMChallenges)+`)`, c.MachineID); err != nil {
			return fmt.Errorf("bound TPM challenges of %s: %w", c.MachineID, err)
		}
		return nil
	})
}

// TPMChallenge returns the challenge with that ID; store.ErrNotFound when
// there is none (never issued, expired and dropped, or pushed out).
func (s *Store) TPMChallenge(ctx context.Context, id string) (store.TPMChallenge, error) {
	c := store.TPMChallenge{ID: id}
	var issued, expires int64
	err := s.read.QueryRowContext(ctx, `SELECT machine_id, ek_sha256, ak_name, secret_sha256, issued_at, expires_at
		FROM tpm_challenges WHERE id = $1`, id).Scan(&c.MachineID, &c.EKSHA256, &c.AKName, &c.SecretSHA256, &issued, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return store.TPMChallenge{}, store.ErrNotFound
	}
	if err != nil {
		return store.TPMChallenge{}, unavailable(err)
	}
	c.IssuedAt, c.ExpiresAt = fromMicros(issued), fromMicros(expires)
	return c, nil
}

// RecordedEK returns the endorsement key fingerprint in the machine's
// stored inventory (firmware.tpm.endorsement_key.public_key_sha256), ""
// when it has none: the key an operator saw, or approved, for a machine
// no policy pinned a TPM on yet.
func (s *Store) RecordedEK(ctx context.Context, machineID string) (string, error) {
	var raw string
	err := s.read.QueryRowContext(ctx, `SELECT inventory FROM machine_inventories WHERE machine_id = $1`, machineID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.ErrNotFound
	}
	if err != nil {
		return "", unavailable(err)
	}
	var inv struct {
		Firmware *struct {
			TPM *struct {
				EndorsementKey *inventory.TPMEndorsementKey `json:"endorsement_key"`
			} `json:"tpm"`
		} `json:"firmware"`
	}
	if err := json.Unmarshal([]byte(raw), &inv); err != nil {
		return "", fmt.Errorf("inventory of %s: %w", machineID, err)
	}
	if inv.Firmware == nil || inv.Firmware.TPM == nil || inv.Firmware.TPM.EndorsementKey == nil {
		return "", nil
	}
	return inv.Firmware.TPM.EndorsementKey.PublicKeySHA256, nil
}
