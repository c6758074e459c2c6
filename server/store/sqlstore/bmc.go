package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

// PutBMCCredentials implements store.Store.
func (s *Store) PutBMCCredentials(ctx context.Context, in store.BMCReport) error {
	r := columnReport(in.Report)
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, _, _, err := s.lockMachine(ctx, tx, in.MachineID, in.CredentialHash); err != nil {
			return err
		}
		now := micros(in.Now)
		// A report without a password keeps the stored one (a failed
		// rotation leaves the BMC with the old password).
		q := `INSERT INTO machine_bmc_credentials (machine_id, username, privilege, slot, channel, status, error, reported_at, sealed, password_set_at, verification)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (machine_id) DO UPDATE SET username = excluded.username, privilege = excluded.privilege,
				slot = excluded.slot, channel = excluded.channel, status = excluded.status, error = excluded.error,
				reported_at = excluded.reported_at`
		var setAt int64
		verification := ""
		if in.Sealed != "" {
			setAt, verification = now, "pending"
			q += `, sealed = excluded.sealed, password_set_at = excluded.password_set_at, verification = excluded.verification,
				verified_at = 0, verify_error = '', verify_address = '', checked_at = 0`
		}
		if _, err := tx.ExecContext(ctx, q, in.MachineID, r.User, r.Privilege, r.Slot, r.Channel, r.Status, r.Error, now, in.Sealed, setAt, verification); err != nil {
			return fmt.Errorf("store BMC credentials of %s: %w", in.MachineID, err)
		}
		details := []string{fmt.Sprintf("user %q: %s", r.User, r.Status)}
		if r.Slot > 0 {
			details[0] += fmt.Sprintf(" (slot %d, channel %d)", r.Slot, r.Channel)
		}
		if r.Error != "" {
			details = append(details, r.Error)
		}
		details = append(details, r.Changes...)
		if in.Sealed != "" {
			details = append(details, "new password stored (sealed)")
		}
		return s.record(ctx, tx, in.MachineID, in.Now, api.ChangeBMCCredentials, details)
	})
}

// columnReport is an agent's report as the columns and the history keep
// it (store.ColumnText): an error quoting a NUL-padded IPMI user name
// would otherwise be refused by PostgreSQL.
func columnReport(r api.BMCCredentialsReport) api.BMCCredentialsReport {
	r.Status, r.Error = store.ColumnText(r.Status), store.ColumnText(r.Error)
	r.User, r.Privilege = store.ColumnText(r.User), store.ColumnText(r.Privilege)
	changes := make([]string, len(r.Changes))
	for i, c := range r.Changes {
		changes[i] = store.ColumnText(c)
	}
	r.Changes = changes
	return r
}

const bmcColumns = `machine_id, username, privilege, slot, channel, status, error, reported_at, sealed, password_set_at,
	verification, verified_at, verify_error, verify_address, checked_at`

func scanBMC(sc scanner) (string, store.BMCRecord, error) {
	var id string
	var rec store.BMCRecord
	st := &rec.Status
	var reported, setAt, verified, checked int64
	err := sc.Scan(&id, &st.User, &st.Privilege, &st.Slot, &st.Channel, &st.Status, &st.Error, &reported, &rec.Sealed, &setAt,
		&st.Verification, &verified, &st.VerifyError, &st.VerifyAddress, &checked)
	st.ReportedAt = fromMicros(reported)
	st.PasswordSetAt, st.VerifiedAt, st.CheckedAt = optTime(setAt), optTime(verified), optTime(checked)
	return id, rec, err
}

func optTime(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := fromMicros(us)
	return &t
}

// BMCCredentials implements store.Store.
func (s *Store) BMCCredentials(ctx context.Context, id string) (store.BMCRecord, error) {
	_, rec, err := scanBMC(s.read.QueryRowContext(ctx, `SELECT `+bmcColumns+` FROM machine_bmc_credentials WHERE machine_id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.BMCRecord{}, store.ErrNotFound
	}
	if err != nil {
		return store.BMCRecord{}, unavailable(err)
	}
	return rec, nil
}

// SetBMCVerification implements store.Store.
func (s *Store) SetBMCVerification(ctx context.Context, id string, v store.BMCVerification) error {
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// The machine's row first, as uploads and registrations lock it
		// (then this row): its BMC IP cannot change until this commits.
		var bmcIP string
		err := tx.QueryRowContext(ctx, `SELECT bmc_ip FROM machines WHERE id = $1`+s.d.forUpdate, id).Scan(&bmcIP)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return fmt.Errorf("read machine %s: %w", id, err)
		}
		if bmcIP != v.BMCIP {
			return nil // the machine reports another BMC address now: checked again for it
		}
		var prev string
		err = tx.QueryRowContext(ctx, `SELECT verification FROM machine_bmc_credentials WHERE machine_id = $1 AND sealed = $2`+s.d.forUpdate, id, v.Sealed).Scan(&prev)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // rotated (or deleted) meanwhile: this check is moot
		}
		if err != nil {
			return fmt.Errorf("read BMC credentials of %s: %w", id, err)
		}
		now := micros(v.Now)
		q := `UPDATE machine_bmc_credentials SET verification = $3, verify_error = $4, verify_address = $5, checked_at = $6`
		if v.Result == "verified" {
			q += `, verified_at = $6`
		}
		v.Result, v.Error, v.Address = store.ColumnText(v.Result), store.ColumnText(v.Error), store.ColumnText(v.Address)
		if _, err := tx.ExecContext(ctx, q+` WHERE machine_id = $1 AND sealed = $2`, id, v.Sealed, v.Result, v.Error, v.Address, now); err != nil {
			return fmt.Errorf("record BMC verification of %s: %w", id, err)
		}
		if prev == v.Result {
			return nil
		}
		// Which login the machine's Rufio Secret carries depends on the
		// verification (kubesync.StoredBMCLogin): apply it again.
		if err := s.markKube(ctx, tx, id, v.Now); err != nil {
			return err
		}
		details := []string{v.Result + " at " + v.Address}
		if v.Error != "" {
			details = append(details, v.Error)
		}
		return s.record(ctx, tx, id, v.Now, api.ChangeBMCVerified, details)
	})
}

// addBMCStatus fills the BMC credentials status of listed machines with
// one query over their ID range.
func (s *Store) addBMCStatus(ctx context.Context, ms []api.Machine) error {
	if len(ms) == 0 {
		return nil
	}
	rs, err := s.read.QueryContext(ctx, `SELECT `+bmcColumns+` FROM machine_bmc_credentials WHERE machine_id >= $1 AND machine_id <= $2`,
		ms[0].ID, ms[len(ms)-1].ID)
	if err != nil {
		return unavailable(err)
	}
	defer rs.Close()
	byID := map[string]*api.BMCCredentialsStatus{}
	for rs.Next() {
		id, rec, err := scanBMC(rs)
		if err != nil {
			return unavailable(err)
		}
		st := rec.Status
		byID[id] = &st
	}
	if err := rs.Err(); err != nil {
		return unavailable(err)
	}
	for i := range ms {
		ms[i].BMCCredentials = byID[ms[i].ID]
	}
	return nil
}

// bmcStatus is one machine's status, nil when it has none.
func (s *Store) bmcStatus(ctx context.Context, id string) (*api.BMCCredentialsStatus, error) {
	rec, err := s.BMCCredentials(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &rec.Status, nil
}

// bmcAddressChanged sets the verification of machine id's stored BMC
// password back to "pending" when the BMC IP its new inventory reports
// (bmcIP) is not the one its row held (old): the check was made at the
// old address. Callers hold the machine's row (lockMachine, takeOver) and
// apply kube changes themselves.
func (s *Store) bmcAddressChanged(ctx context.Context, tx *sql.Tx, id, old, bmcIP string, now time.Time) error {
	if old == bmcIP {
		return nil
	}
	why := fmt.Sprintf("the BMC address changed from %q to %q since the last check", old, bmcIP)
	res, err := tx.ExecContext(ctx, `UPDATE machine_bmc_credentials SET verification = 'pending', verify_error = $2
		WHERE machine_id = $1 AND sealed <> ''`, id, why)
	if err != nil {
		return fmt.Errorf("reset BMC verification of %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return s.record(ctx, tx, id, now, api.ChangeBMCVerified, []string{"pending: " + why + "; the stored password is checked again"})
}

// MachinesWithBMCIP implements store.Store.
func (s *Store) MachinesWithBMCIP(ctx context.Context, ip, except string) ([]string, error) {
	rs, err := s.read.QueryContext(ctx, `SELECT id FROM machines WHERE bmc_ip = $1 AND id <> $2 ORDER BY id LIMIT 8`, ip, except)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rs.Close()
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, unavailable(err)
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		return nil, unavailable(err)
	}
	return ids, nil
}
