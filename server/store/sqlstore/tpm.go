package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/store"
)

// Bounds of the challenges kept per machine: a newer one pushes the
// oldest out (its answer is then refused and the agent registers again).
// A challenge is sent again while outstanding (tpmverify), so one pair of
// keys needs at most maxTPMChallengesPerKeys; the attestation key the
// machine's TPM answered with (keepAK) is never pushed out by challenges
// for other keys, of which at most maxTPMChallenges are kept.
const (
	maxTPMChallenges        = 32
	maxTPMChallengesPerKeys = 2
)

// PutTPMChallenge stores an issued challenge, drops expired ones, keeps
// at most maxTPMChallengesPerKeys for its keys and at most
// maxTPMChallenges of the machine's for attestation keys other than
// keepAK.
func (s *Store) PutTPMChallenge(ctx context.Context, c store.TPMChallenge, keepAK string) error {
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM tpm_challenges WHERE expires_at < $1`, micros(c.IssuedAt)); err != nil {
			return fmt.Errorf("drop expired TPM challenges: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tpm_challenges (id, machine_id, ek_sha256, ak_name, secret_sha256, issued_at, expires_at, credential_blob, encrypted_secret)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, c.MachineID, c.EKSHA256, c.AKName, c.SecretSHA256, micros(c.IssuedAt), micros(c.ExpiresAt),
			base64.StdEncoding.EncodeToString(c.CredentialBlob), base64.StdEncoding.EncodeToString(c.EncryptedSecret)); err != nil {
			return fmt.Errorf("store TPM challenge for %s: %w", c.MachineID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tpm_challenges WHERE machine_id = $1 AND ek_sha256 = $2 AND ak_name = $3 AND id NOT IN (
			SELECT id FROM tpm_challenges WHERE machine_id = $1 AND ek_sha256 = $2 AND ak_name = $3
			ORDER BY issued_at DESC, id DESC LIMIT `+fmt.Sprint(maxTPMChallengesPerKeys)+`)`, c.MachineID, c.EKSHA256, c.AKName); err != nil {
			return fmt.Errorf("bound TPM challenges of %s: %w", c.MachineID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tpm_challenges WHERE machine_id = $1 AND ak_name <> $2 AND id NOT IN (
			SELECT id FROM tpm_challenges WHERE machine_id = $1 AND ak_name <> $2
			ORDER BY issued_at DESC, id DESC LIMIT `+fmt.Sprint(maxTPMChallenges)+`)`, c.MachineID, keepAK); err != nil {
			return fmt.Errorf("bound TPM challenges of %s: %w", c.MachineID, err)
		}
		return nil
	})
}

const tpmChallengeColumns = `id, machine_id, ek_sha256, ak_name, secret_sha256, issued_at, expires_at, credential_blob, encrypted_secret`

func scanTPMChallenge(sc scanner) (store.TPMChallenge, error) {
	var c store.TPMChallenge
	var issued, expires int64
	var blob, enc string
	if err := sc.Scan(&c.ID, &c.MachineID, &c.EKSHA256, &c.AKName, &c.SecretSHA256, &issued, &expires, &blob, &enc); err != nil {
		return store.TPMChallenge{}, err
	}
	c.IssuedAt, c.ExpiresAt = fromMicros(issued), fromMicros(expires)
	var err error
	if c.CredentialBlob, err = base64.StdEncoding.DecodeString(blob); err != nil {
		return store.TPMChallenge{}, fmt.Errorf("TPM challenge %s: credential blob: %w", c.ID, err)
	}
	if c.EncryptedSecret, err = base64.StdEncoding.DecodeString(enc); err != nil {
		return store.TPMChallenge{}, fmt.Errorf("TPM challenge %s: encrypted secret: %w", c.ID, err)
	}
	return c, nil
}

// TPMChallenge returns the challenge with that ID; store.ErrNotFound when
// there is none (never issued, expired and dropped, or pushed out).
func (s *Store) TPMChallenge(ctx context.Context, id string) (store.TPMChallenge, error) {
	c, err := scanTPMChallenge(s.read.QueryRowContext(ctx, `SELECT `+tpmChallengeColumns+` FROM tpm_challenges WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.TPMChallenge{}, store.ErrNotFound
	}
	if err != nil {
		return store.TPMChallenge{}, unavailable(err)
	}
	return c, nil
}

// OutstandingTPMChallenge returns the newest challenge issued to machine
// for these keys that can be sent again (kept with what was sent) and
// expires after validUntil; store.ErrNotFound when there is none.
func (s *Store) OutstandingTPMChallenge(ctx context.Context, machine, ekSHA256, akName string, validUntil time.Time) (store.TPMChallenge, error) {
	c, err := scanTPMChallenge(s.read.QueryRowContext(ctx, `SELECT `+tpmChallengeColumns+` FROM tpm_challenges
		WHERE machine_id = $1 AND ek_sha256 = $2 AND ak_name = $3 AND expires_at > $4 AND credential_blob <> ''
		ORDER BY issued_at DESC, id DESC LIMIT 1`, machine, ekSHA256, akName, micros(validUntil)))
	if errors.Is(err, sql.ErrNoRows) {
		return store.TPMChallenge{}, store.ErrNotFound
	}
	if err != nil {
		return store.TPMChallenge{}, unavailable(err)
	}
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
