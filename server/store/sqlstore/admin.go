package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

// machineColumns are the columns scanMachine reads, in order.
const machineColumns = `id, state, first_seen, last_seen, pending_action, inventory_digest, manufacturer,
	product, serial, bmc_ip, hostname, worker_id, hw_addr, switches, agent_version, uptime_seconds,
	pending_action_id`

type scanner interface{ Scan(dest ...any) error }

func scanMachine(sc scanner) (api.Machine, error) {
	var m api.Machine
	var first, last int64
	var switches string
	if err := sc.Scan(&m.ID, &m.State, &first, &last, &m.PendingAction, &m.InventoryDigest, &m.Manufacturer,
		&m.Product, &m.Serial, &m.BMCIP, &m.Hostname, &m.WorkerID, &m.HWAddr, &switches, &m.AgentVersion,
		&m.UptimeSeconds, &m.PendingActionID); err != nil {
		return m, err
	}
	m.FirstSeen, m.LastSeen = fromMicros(first), fromMicros(last)
	if m.PendingAction == "" {
		m.PendingActionID = "" // cleared by a server older than action IDs
	}
	m.SerialPlaceholder = m.Serial != "" && inventory.IsPlaceholder(m.Serial)
	if err := json.Unmarshal([]byte(switches), &m.Switches); err != nil {
		return m, fmt.Errorf("machine %s: switches column: %w", m.ID, err)
	}
	if len(m.Switches) == 0 {
		m.Switches = nil
	}
	return m, nil
}

// List implements store.Store.
func (s *Store) List(ctx context.Context, f store.Filter) ([]api.Machine, error) {
	s.seenBeforeReads(ctx)
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Vendor != "" {
		where = append(where, `lower(manufacturer) LIKE `+arg(likePattern(f.Vendor))+` ESCAPE '\'`)
	}
	if f.Product != "" {
		where = append(where, `lower(product) LIKE `+arg(likePattern(f.Product))+` ESCAPE '\'`)
	}
	if f.State != "" {
		where = append(where, `state = `+arg(f.State))
	}
	if f.Switch != "" {
		p := arg(strings.ToLower(f.Switch))
		where = append(where, `EXISTS (SELECT 1 FROM machine_neighbours n WHERE n.machine_id = machines.id AND (n.switch = `+p+` OR n.chassis_id = `+p+`))`)
	}
	if !f.SeenSince.IsZero() {
		where = append(where, `last_seen >= `+arg(micros(f.SeenSince)))
	}
	if !f.SeenBefore.IsZero() {
		where = append(where, `last_seen < `+arg(micros(f.SeenBefore)))
	}
	if f.After != "" {
		where = append(where, `id > `+arg(f.After))
	}
	q := `SELECT ` + machineColumns + ` FROM machines`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += ` LIMIT ` + arg(f.Limit)
	}
	rs, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rs.Close()
	out := []api.Machine{}
	for rs.Next() {
		m, err := scanMachine(rs)
		if err != nil {
			return nil, fmt.Errorf("list machines: %w", err)
		}
		out = append(out, m)
	}
	if err := rs.Err(); err != nil {
		return nil, unavailable(err)
	}
	rs.Close()
	if err := s.annotate(ctx, out); err != nil {
		return nil, err
	}
	if err := s.addBMCStatus(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// annotate fills the identity conflicts and held registrations of a page
// of machines ordered by ID.
func (s *Store) annotate(ctx context.Context, ms []api.Machine) error {
	if len(ms) == 0 {
		return nil
	}
	idx := make(map[string]int, len(ms))
	for i, m := range ms {
		idx[m.ID] = i
	}
	first, last := ms[0].ID, ms[len(ms)-1].ID
	rs, err := s.read.QueryContext(ctx, `SELECT machine_a, machine_b FROM machine_conflicts
		WHERE (machine_a >= $1 AND machine_a <= $2) OR (machine_b >= $1 AND machine_b <= $2) ORDER BY machine_a, machine_b`, first, last)
	if err != nil {
		return unavailable(err)
	}
	defer rs.Close()
	for rs.Next() {
		var a, b string
		if err := rs.Scan(&a, &b); err != nil {
			return unavailable(err)
		}
		if i, ok := idx[a]; ok {
			ms[i].Conflicts = append(ms[i].Conflicts, b)
		}
		if i, ok := idx[b]; ok {
			ms[i].Conflicts = append(ms[i].Conflicts, a)
		}
	}
	if err := rs.Err(); err != nil {
		return unavailable(err)
	}
	rs.Close()
	ps, err := s.read.QueryContext(ctx, `SELECT machine_id, count(*) FROM machine_pending
		WHERE machine_id >= $1 AND machine_id <= $2 GROUP BY machine_id`, first, last)
	if err != nil {
		return unavailable(err)
	}
	defer ps.Close()
	for ps.Next() {
		var id string
		var n int
		if err := ps.Scan(&id, &n); err != nil {
			return unavailable(err)
		}
		if i, ok := idx[id]; ok {
			ms[i].PendingRegistrations = n
		}
	}
	return ps.Err()
}

// likePattern is a LIKE pattern matching s (lower-cased) as a substring.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, id string) (api.Machine, error) {
	s.seenBeforeReads(ctx)
	m, err := scanMachine(s.read.QueryRowContext(ctx, `SELECT `+machineColumns+` FROM machines WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return api.Machine{}, store.ErrNotFound
	}
	if err != nil {
		return api.Machine{}, unavailable(err)
	}
	var raw string
	if err := s.read.QueryRowContext(ctx, `SELECT inventory FROM machine_inventories WHERE machine_id = $1`, id).Scan(&raw); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return api.Machine{}, store.ErrNotFound // deleted between the two reads
		}
		return api.Machine{}, unavailable(err)
	}
	m.Inventory = &inventory.Inventory{}
	if err := decodeStored(raw, m.Inventory); err != nil {
		return api.Machine{}, fmt.Errorf("machine %s: stored inventory: %w", id, err)
	}
	one := []api.Machine{m}
	if err := s.annotate(ctx, one); err != nil {
		return api.Machine{}, err
	}
	m = one[0]
	if m.Pending, err = s.pendingForShow(ctx, id, m.Inventory); err != nil {
		return api.Machine{}, err
	}
	if m.Pins, err = s.pins(ctx, s.read, id); err != nil {
		return api.Machine{}, unavailable(err)
	}
	rs, err := s.read.QueryContext(ctx, `SELECT key FROM machine_keys WHERE machine_id = $1 ORDER BY key`, id)
	if err != nil {
		return api.Machine{}, unavailable(err)
	}
	defer rs.Close()
	for rs.Next() {
		var k string
		if err := rs.Scan(&k); err != nil {
			return api.Machine{}, unavailable(err)
		}
		m.IdentityKeys = append(m.IdentityKeys, k)
	}
	if err := rs.Err(); err != nil {
		return api.Machine{}, unavailable(err)
	}
	if m.Kube, err = s.kubeSync(ctx, id); err != nil {
		return api.Machine{}, err
	}
	m.BMCCredentials, err = s.bmcStatus(ctx, id)
	return m, err
}

// History implements store.Store.
func (s *Store) History(ctx context.Context, id string) ([]api.Change, error) {
	var one int
	err := s.read.QueryRowContext(ctx, `SELECT 1 FROM machines WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, unavailable(err)
	}
	rs, err := s.read.QueryContext(ctx, `SELECT at, kind, details FROM machine_history WHERE machine_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rs.Close()
	out := []api.Change{}
	for rs.Next() {
		var at int64
		var c api.Change
		var details string
		if err := rs.Scan(&at, &c.Kind, &details); err != nil {
			return nil, unavailable(err)
		}
		c.At = fromMicros(at)
		if err := json.Unmarshal([]byte(details), &c.Details); err != nil {
			return nil, fmt.Errorf("machine %s: history details: %w", id, err)
		}
		out = append(out, c)
	}
	return out, rs.Err()
}

// HistoryPage implements store.Store. The cursor is the history row ID
// of the page's last change.
func (s *Store) HistoryPage(ctx context.Context, id, after string, limit int) ([]api.Change, string, error) {
	var from int64
	if after != "" {
		v, err := strconv.ParseInt(after, 10, 64)
		if err != nil || v < 0 {
			return nil, "", store.ErrBadCursor
		}
		from = v
	}
	var one int
	err := s.read.QueryRowContext(ctx, `SELECT 1 FROM machines WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", store.ErrNotFound
	}
	if err != nil {
		return nil, "", unavailable(err)
	}
	rs, err := s.read.QueryContext(ctx, `SELECT id, at, kind, details FROM machine_history WHERE machine_id = $1 AND id > $2
		ORDER BY id LIMIT $3`, id, from, limit+1)
	if err != nil {
		return nil, "", unavailable(err)
	}
	defer rs.Close()
	out := []api.Change{}
	var last int64
	next := ""
	for rs.Next() {
		if len(out) == limit {
			next = strconv.FormatInt(last, 10)
			break
		}
		var at int64
		var c api.Change
		var details string
		if err := rs.Scan(&last, &at, &c.Kind, &details); err != nil {
			return nil, "", unavailable(err)
		}
		c.At = fromMicros(at)
		if err := json.Unmarshal([]byte(details), &c.Details); err != nil {
			return nil, "", fmt.Errorf("machine %s: history details: %w", id, err)
		}
		out = append(out, c)
	}
	if err := rs.Err(); err != nil {
		return nil, "", unavailable(err)
	}
	return out, next, nil
}

// SetAction implements store.Store; the action must already be valid.
func (s *Store) SetAction(ctx context.Context, id, action string, now time.Time) error {
	pending, pendingID := action, ""
	if action == api.ActionNone {
		pending = ""
	} else {
		// A new ID every time: an acknowledgement of the action this one
		// replaces is not one of this one.
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		pendingID = "a-" + hex.EncodeToString(b[:])
	}
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE machines SET pending_action = $2, pending_action_id = $3 WHERE id = $1`, id, pending, pendingID)
		if err != nil {
			return fmt.Errorf("set action of %s: %w", id, err)
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		return s.record(ctx, tx, id, now, api.ChangeActionSet, []string{action})
	})
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Its ID is retired with the identity it had: it goes to no
		// other machine (Store.newID).
		ident, err := s.identityOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO retired_machines (id, identity, deleted_at) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET identity = excluded.identity, deleted_at = excluded.deleted_at`,
			id, identityJSON(ident), micros(time.Now())); err != nil {
			return fmt.Errorf("retire machine id %s: %w", id, err)
		}
		// Children first: the foreign keys cascade too, but explicit
		// deletes do not depend on SQLite's foreign_keys pragma.
		for _, q := range []string{
			`DELETE FROM machine_conflicts WHERE machine_a = $1 OR machine_b = $1`,
			`DELETE FROM machine_pending WHERE machine_id = $1`,
			`DELETE FROM machine_pins WHERE machine_id = $1`,
			`DELETE FROM machine_bmc_credentials WHERE machine_id = $1`,
			`DELETE FROM machine_history WHERE machine_id = $1`,
			`DELETE FROM machine_neighbours WHERE machine_id = $1`,
			`DELETE FROM machine_keys WHERE machine_id = $1`,
			`DELETE FROM machine_inventories WHERE machine_id = $1`,
			`DELETE FROM kube_names WHERE machine_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("delete machine %s: %w", id, err)
			}
		}
		r, err := tx.ExecContext(ctx, `DELETE FROM machines WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete machine %s: %w", id, err)
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// CountByState implements store.Store.
func (s *Store) CountByState(ctx context.Context) (map[string]int, error) {
	rs, err := s.read.QueryContext(ctx, `SELECT state, count(*) FROM machines GROUP BY state`)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rs.Close()
	out := map[string]int{}
	for rs.Next() {
		var state string
		var n int
		if err := rs.Scan(&state, &n); err != nil {
			return nil, unavailable(err)
		}
		out[state] = n
	}
	return out, rs.Err()
}

var _ store.Store = (*Store)(nil)
