package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/history"
	"github.com/hwagent/hwagent/server/identity"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
)

// machineIDRe is the shape of the IDs the store hands out.
var machineIDRe = regexp.MustCompile(`^m-[0-9a-f]{24}$`)

// querier is what reads need of a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Match implements store.Store.
func (s *Store) Match(ctx context.Context, doc store.Document) (store.Match, error) {
	if len(doc.Keys) == 0 {
		return store.Match{}, store.ErrNoIdentity
	}
	e, err := s.evaluate(ctx, s.read, doc)
	if err != nil {
		return store.Match{}, unavailable(err)
	}
	id := e.choose()
	if id == "" {
		return store.Match{}, nil
	}
	pins, err := s.pins(ctx, s.read, id)
	if err != nil {
		return store.Match{}, unavailable(err)
	}
	return store.Match{MachineID: id, Pins: pins}, nil
}

// Register implements store.Store.
func (s *Store) Register(ctx context.Context, in store.Registration) (store.RegisterResult, error) {
	if len(in.Keys) == 0 {
		return store.RegisterResult{}, store.ErrNoIdentity
	}
	verdict := in.Decision.Verdict
	if verdict == "" {
		verdict = reenroll.Allow
	}
	if s.news != nil && verdict == reenroll.Allow && in.Matched == "" && len(in.Decision.Pins) == 0 {
		// A machine nobody knows is registered with others (register_new.go).
		if res, handled, err := s.news.register(ctx, in); handled {
			return res, s.health.outcome(err)
		}
	}
	var res store.RegisterResult
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res = store.RegisterResult{Verdict: verdict}
		e, err := s.evaluate(ctx, tx, in.Document)
		if err != nil {
			return err
		}
		owner := e.choose()
		if in.Decision.Verdict != "" && owner != in.Matched {
			return store.ErrMatchChanged
		}
		res.MachineID = owner
		switch verdict {
		case reenroll.Allow:
			if owner == "" {
				if len(e.ownKeys("")) == 0 {
					return allKeysContested(e)
				}
				if res.MachineID, err = s.newID(ctx, tx, in); err != nil {
					return err
				}
				res.Created = true
				err = s.create(ctx, tx, res.MachineID, in, e)
			} else {
				res.InventoryChanged, err = s.reregister(ctx, tx, owner, in, e)
			}
			if err != nil {
				return err
			}
			found := e.conflictsFor(res.MachineID)
			if err := s.recordConflicts(ctx, tx, res.MachineID, found, in); err != nil {
				return err
			}
			res.Conflicts = conflictIDs(found)
		case reenroll.Hold:
			if owner == "" {
				return errors.New("re-enrolment policy held the registration of a new machine: only takeovers can be held")
			}
			if res.PendingID, err = s.hold(ctx, tx, owner, in); err != nil {
				return err
			}
		case reenroll.Refuse:
			if owner == "" {
				return nil // nothing to record it on
			}
			details := nonEmpty(in.Decision.Reason)
			if in.Decision.Approvable {
				if res.PendingID, err = s.keep(ctx, tx, owner, in); err != nil {
					return err
				}
				details = append(details, "request "+res.PendingID+" kept: if this is the machine (its TPM replaced), hwagent machines approve "+owner+" --pending "+res.PendingID)
			}
			if err := s.record(ctx, tx, owner, in.Now, api.ChangeRefused, append(details, fromPeer(in.Peer)...)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("re-enrolment verdict %q cannot be stored", verdict)
		}
		return s.setPins(ctx, tx, res.MachineID, in.Decision.Pins)
	})
	if err != nil {
		return store.RegisterResult{}, err
	}
	return res, nil
}

// allKeysContested refuses a new machine whose every key another machine
// holds while contradicting it: created without a key, it could never be
// found again, and every boot would add one more.
func allKeysContested(e evaluation) error {
	var parts []string
	for _, c := range e.conflictsFor("") {
		parts = append(parts, c.other+" ("+c.reason+")")
	}
	return &store.ConflictError{Other: e.holders[e.keys[0]], Key: e.keys[0],
		Reason: "every identity key of this machine belongs to a machine it contradicts: " + strings.Join(parts, "; ") +
			"; resolve with hwagent machines conflicts / delete"}
}

// fromPeer is the history line naming where a registration came from.
func fromPeer(peer string) []string {
	if peer == "" {
		return nil
	}
	return []string{"from " + peer}
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// newID names a new machine: the ID derived from the strongest key of the
// identity the server derived (inventory.MachineIDOf, as agents derive
// theirs, so that an honest agent's ID and the server's agree), unless a
// machine holds it, or a deleted machine held it and this registration is
// not the same machine (identity.Compare with the identity it had); then
// a random one. The agent's own identity.machine_id is never taken: an
// agent could pick any ID, a deleted machine's too.
func (s *Store) newID(ctx context.Context, tx *sql.Tx, in store.Registration) (string, error) {
	if len(in.Keys) > 0 {
		id := inventory.MachineIDOf(in.Keys[0])
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM machines WHERE id = $1`, id).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			ok, err := s.unretire(ctx, tx, id, in.Identity)
			if err != nil || ok {
				return id, err
			}
		case err != nil:
			return "", fmt.Errorf("check machine id: %w", err)
		}
	}
	if s.randomID != nil {
		return s.randomID(), nil
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "m-" + hex.EncodeToString(b[:]), nil
}

// unretire says whether id may name a machine of identity ident: it never
// named a machine, or it named a deleted one that ident is the same as
// (which gives up the record of the deleted machine).
func (s *Store) unretire(ctx context.Context, tx *sql.Tx, id string, ident inventory.Identity) (bool, error) {
	var raw string
	err := tx.QueryRowContext(ctx, `SELECT identity FROM retired_machines WHERE id = $1`, id).Scan(&raw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("check retired machine id: %w", err)
	}
	var retired inventory.Identity
	if err := json.Unmarshal([]byte(raw), &retired); err != nil || identity.Compare(retired, ident).Outcome != identity.Same {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM retired_machines WHERE id = $1`, id); err != nil {
		return false, fmt.Errorf("reuse retired machine id %s: %w", id, err)
	}
	return true, nil
}

func (s *Store) create(ctx context.Context, tx *sql.Tx, id string, in store.Registration, e evaluation) error {
	if s.d.postgres {
		return s.createPostgres(ctx, tx, id, in, e)
	}
	now := micros(in.Now)
	sum := in.Summary
	if _, err := tx.ExecContext(ctx, `INSERT INTO machines (id, state, first_seen, last_seen, credential_hash,
		inventory_digest, manufacturer, product, serial, bmc_ip, hostname, worker_id, hw_addr, switches,
		agent_version, uptime_seconds, identity)
		VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		id, api.StateRegistered, now, in.CredentialHash, in.Digest,
		sum.Manufacturer, sum.Product, sum.Serial, sum.BMCIP, sum.Hostname, sum.WorkerID, sum.HWAddr,
		switchesJSON(sum), agentVersion(in.Inventory), uptime(in.Inventory), identityJSON(in.Identity)); err != nil {
		return fmt.Errorf("insert machine %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO machine_inventories (machine_id, inventory) VALUES ($1, $2)`, id, string(in.JSON)); err != nil {
		return fmt.Errorf("insert inventory of %s: %w", id, err)
	}
	// A plain insert of the keys nobody holds: a concurrent registration
	// that claimed one first makes this one fail (and, on PostgreSQL,
	// retry and meet its machine).
	if err := s.insertKeys(ctx, tx, id, e.ownKeys("")); err != nil {
		return err
	}
	if err := s.insertNeighbours(ctx, tx, id, sum.Neighbours); err != nil {
		return err
	}
	// A document with pending collectors goes to the cluster with the
	// agent's first update, which completes it.
	if len(in.Pending) == 0 {
		if err := s.markKube(ctx, tx, id, in.Now); err != nil {
			return err
		}
	}
	details := append([]string{"first registration"}, fromPeer(in.Peer)...)
	return s.recordFirst(ctx, tx, id, in.Now, api.ChangeRegistered, append(details, pendingDetail(in.Document)...))
}

// createPostgres is create in one statement (newMachineInsert), one round
// trip instead of five.
func (s *Store) createPostgres(ctx context.Context, tx *sql.Tx, id string, in store.Registration, e evaluation) error {
	q, args, err := s.newMachineInsert(id, in, e.ownKeys(""))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("insert machine %s: %w", id, err)
	}
	return nil
}

// newMachineInsert is the PostgreSQL statement that inserts a new machine:
// the machine, its inventory, keys, neighbours, first history entry and,
// when the Kubernetes outbox is on and no collector is pending, its mark
// for the cluster, together (the foreign keys are checked at the
// statement's end). A key another registration took meanwhile fails it as
// a separate insert would (unique violation, retried).
func (s *Store) newMachineInsert(id string, in store.Registration, keys []string) (string, []any, error) {
	sum := in.Summary
	details := append([]string{"first registration"}, fromPeer(in.Peer)...)
	hist, err := json.Marshal(capDetails(append(details, pendingDetail(in.Document)...)))
	if err != nil {
		return "", nil, err
	}
	args := []any{id, api.StateRegistered, micros(in.Now), in.CredentialHash, in.Digest,
		sum.Manufacturer, sum.Product, sum.Serial, sum.BMCIP, sum.Hostname, sum.WorkerID, sum.HWAddr,
		switchesJSON(sum), agentVersion(in.Inventory), uptime(in.Inventory), identityJSON(in.Identity),
		string(in.JSON), api.ChangeRegistered, string(hist)}
	var q strings.Builder
	q.WriteString(`WITH m AS (INSERT INTO machines (id, state, first_seen, last_seen, credential_hash,
		inventory_digest, manufacturer, product, serial, bmc_ip, hostname, worker_id, hw_addr, switches,
		agent_version, uptime_seconds, identity)
		VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)),
	i AS (INSERT INTO machine_inventories (machine_id, inventory) VALUES ($1, $17)),
	h AS (INSERT INTO machine_history (machine_id, at, kind, details) VALUES ($1, $3, $18, $19))`)
	if len(keys) > 0 {
		q.WriteString(`, k AS (INSERT INTO machine_keys (key, machine_id) VALUES `)
		for i, k := range keys {
			if i > 0 {
				q.WriteString(", ")
			}
			args = append(args, k)
			fmt.Fprintf(&q, "($%d, $1)", len(args))
		}
		q.WriteString(`)`)
	}
	if nbs := sum.Neighbours; len(nbs) > 0 {
		q.WriteString(`, n AS (INSERT INTO machine_neighbours (machine_id, interface, switch, chassis_id, port) VALUES `)
		for i, n := range nbs {
			if i > 0 {
				q.WriteString(", ")
			}
			args = append(args, n.Interface, strings.ToLower(n.Switch), strings.ToLower(n.ChassisID), n.Port)
			fmt.Fprintf(&q, "($1, $%d, $%d, $%d, $%d)", len(args)-3, len(args)-2, len(args)-1, len(args))
		}
		q.WriteString(`)`)
	}
	// A document with pending collectors goes to the cluster with the
	// agent's first update, which completes it. A new machine has no
	// row yet (markKube's ON CONFLICT is for machines marked again).
	if s.kube && len(in.Pending) == 0 {
		args = append(args, api.KubePending)
		fmt.Fprintf(&q, `, ks AS (INSERT INTO kube_sync (machine_id, generation, state, next_attempt) VALUES ($1, 1, $%d, $3))`, len(args))
	}
	q.WriteString(` SELECT 1`)
	return q.String(), args, nil
}

// pendingDetail is the history line of a registration sent before some
// collectors finished.
func pendingDetail(doc store.Document) []string {
	if len(doc.Pending) == 0 {
		return nil
	}
	return []string{"collectors pending: " + strings.Join(doc.Pending, ", ")}
}

// reregister updates an existing machine and reports whether its inventory
// changed.
func (s *Store) reregister(ctx context.Context, tx *sql.Tx, id string, in store.Registration, e evaluation) (bool, error) {
	details := append([]string{"re-registered"}, fromPeer(in.Peer)...)
	if in.Peer != "" {
		details = append(details, "credential rotated")
	}
	return s.takeOver(ctx, tx, id, in.Document, e.ownKeys(id), in.CredentialHash, in.Now, api.ChangeRegistered, details)
}

// takeOver gives machine id a new credential and inventory (a
// registration, an approved one), records kind with details, and reports
// whether the inventory changed. A document with pending collectors (sent
// before they finished) does not replace the inventory the machine has:
// only the identity keys and the registration's own columns change, and
// the agent's first update, which completes the document, is compared
// with the machine's last complete inventory as any update is.
func (s *Store) takeOver(ctx context.Context, tx *sql.Tx, id string, doc store.Document, keys []string, credHash string, now time.Time, kind string, details []string) (bool, error) {
	var digest, state, bmcIP string
	err := tx.QueryRowContext(ctx, `SELECT inventory_digest, state, bmc_ip FROM machines WHERE id = $1`+s.d.forUpdate, id).Scan(&digest, &state, &bmcIP)
	if errors.Is(err, sql.ErrNoRows) {
		return false, store.ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("read machine %s: %w", id, err)
	}
	if state != api.StateRegistered {
		details = append(details, "state "+state+" → "+api.StateRegistered)
	}
	if len(doc.Pending) > 0 {
		details = append(append(details, pendingDetail(doc)...), "the last complete inventory kept until they report")
	}
	if err := s.record(ctx, tx, id, now, kind, details); err != nil {
		return false, err
	}
	if len(doc.Pending) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE machines SET state = $2, last_seen = $3, credential_hash = $4,
			agent_version = $5, uptime_seconds = $6, identity = $7 WHERE id = $1`,
			id, api.StateRegistered, micros(now), credHash, agentVersion(doc.Inventory), uptime(doc.Inventory), identityJSON(doc.Identity)); err != nil {
			return false, fmt.Errorf("update machine %s: %w", id, err)
		}
		return false, s.replaceKeys(ctx, tx, id, keys)
	}
	changed := digest != doc.Digest
	if changed {
		if err := s.recordDiff(ctx, tx, id, now, doc.Inventory); err != nil {
			return false, err
		}
	}
	sum := doc.Summary
	if err := s.bmcAddressChanged(ctx, tx, id, bmcIP, sum.BMCIP, now); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE machines SET state = $2, last_seen = $3, credential_hash = $4,
		inventory_digest = $5, manufacturer = $6, product = $7, serial = $8, bmc_ip = $9, hostname = $10,
		worker_id = $11, hw_addr = $12, switches = $13, agent_version = $14, uptime_seconds = $15, identity = $16
		WHERE id = $1`,
		id, api.StateRegistered, micros(now), credHash, doc.Digest,
		sum.Manufacturer, sum.Product, sum.Serial, sum.BMCIP, sum.Hostname, sum.WorkerID, sum.HWAddr,
		switchesJSON(sum), agentVersion(doc.Inventory), uptime(doc.Inventory), identityJSON(doc.Identity)); err != nil {
		return false, fmt.Errorf("update machine %s: %w", id, err)
	}
	if err := s.markKube(ctx, tx, id, now); err != nil {
		return false, err
	}
	return changed, s.replaceDocument(ctx, tx, id, doc, keys)
}

// replaceDocument stores a machine's new inventory, neighbours and keys:
// it keeps keys, the keys of the document it may hold (see
// evaluation.ownKeys: never one another machine holds), and lets go of
// the others.
func (s *Store) replaceDocument(ctx context.Context, tx *sql.Tx, id string, doc store.Document, keys []string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE machine_inventories SET inventory = $2 WHERE machine_id = $1`, id, string(doc.JSON)); err != nil {
		return fmt.Errorf("update inventory of %s: %w", id, err)
	}
	if err := s.replaceKeys(ctx, tx, id, keys); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM machine_neighbours WHERE machine_id = $1`, id); err != nil {
		return fmt.Errorf("update neighbours of %s: %w", id, err)
	}
	return s.insertNeighbours(ctx, tx, id, doc.Summary.Neighbours)
}

// replaceKeys makes keys machine id's identity keys: the ones of the
// document it may hold (see evaluation.ownKeys: never one another
// machine holds); it lets go of the others.
func (s *Store) replaceKeys(ctx context.Context, tx *sql.Tx, id string, keys []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM machine_keys WHERE machine_id = $1`, id); err != nil {
		return fmt.Errorf("update keys of %s: %w", id, err)
	}
	return s.insertKeys(ctx, tx, id, keys)
}

// insertKeys gives machine id keys nobody holds. A plain insert: a key a
// concurrent transaction took meanwhile fails this one (PostgreSQL retries
// it, and the retry sees who holds the key).
func (s *Store) insertKeys(ctx context.Context, tx *sql.Tx, id string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		args = append(args, k, id)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO machine_keys (key, machine_id) VALUES `+rows(len(keys), 2), args...); err != nil {
		return fmt.Errorf("insert keys of %s: %w", id, err)
	}
	return nil
}

func (s *Store) insertNeighbours(ctx context.Context, tx *sql.Tx, id string, nbs []store.Neighbour) error {
	if len(nbs) == 0 {
		return nil
	}
	args := make([]any, 0, 5*len(nbs))
	for _, n := range nbs {
		args = append(args, id, n.Interface, strings.ToLower(n.Switch), strings.ToLower(n.ChassisID), n.Port)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO machine_neighbours (machine_id, interface, switch, chassis_id, port) VALUES `+rows(len(nbs), 5), args...); err != nil {
		return fmt.Errorf("insert neighbours of %s: %w", id, err)
	}
	return nil
}

// recordDiff records what changed between the stored inventory and inv.
func (s *Store) recordDiff(ctx context.Context, tx *sql.Tx, id string, at time.Time, inv *inventory.Inventory) error {
	var raw string
	if err := tx.QueryRowContext(ctx, `SELECT inventory FROM machine_inventories WHERE machine_id = $1`, id).Scan(&raw); err != nil {
		return fmt.Errorf("read inventory of %s: %w", id, err)
	}
	var old inventory.Inventory
	details := []string{}
	if err := decodeStored(raw, &old); err != nil {
		details = append(details, "previous inventory unreadable: "+err.Error())
	} else {
		details = history.Diff(&old, inv)
	}
	if len(details) == 0 {
		details = []string{"inventory digest changed (no listed field differs)"}
	}
	return s.record(ctx, tx, id, at, api.ChangeInventory, details)
}

// record adds a change to the machine's history, its details capped
// (capDetails), and removes the oldest changes past the history bound, so
// that a machine uploading large, ever-changing inventories cannot grow
// the database without bound (issue 11).
func (s *Store) record(ctx context.Context, tx *sql.Tx, id string, at time.Time, kind string, details []string) error {
	if err := s.recordFirst(ctx, tx, id, at, kind, details); err != nil {
		return err
	}
	// The index on (machine_id, id) finds the bound's entry directly;
	// with fewer entries the subquery is NULL and nothing goes.
	if _, err := tx.ExecContext(ctx, `DELETE FROM machine_history WHERE machine_id = $1 AND id < (
		SELECT id FROM machine_history WHERE machine_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
		id, s.historyMax-1); err != nil {
		return fmt.Errorf("prune history of %s: %w", id, err)
	}
	return nil
}

// recordFirst is record for the first change of a machine just created:
// there is nothing to prune (one statement, a round trip on PostgreSQL,
// less per registration).
func (s *Store) recordFirst(ctx context.Context, tx *sql.Tx, id string, at time.Time, kind string, details []string) error {
	b, err := json.Marshal(capDetails(details))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO machine_history (machine_id, at, kind, details) VALUES ($1, $2, $3, $4)`,
		id, micros(at), kind, string(b)); err != nil {
		return fmt.Errorf("record history of %s: %w", id, err)
	}
	return nil
}

// maxDetailBytes bounds the text of one change's details.
const maxDetailBytes = 64 << 10

// capDetails keeps at most api.MaxChangeDetails lines and maxDetailBytes
// of text, and says how many lines it left out.
func capDetails(details []string) []string {
	n, size := 0, 0
	for n < len(details) && n < api.MaxChangeDetails && size+len(details[n]) <= maxDetailBytes {
		size += len(details[n])
		n++
	}
	if n == len(details) {
		return details
	}
	return append(details[:n:n], fmt.Sprintf("… and %d more differences", len(details)-n))
}

func switchesJSON(s store.Summary) string {
	list := make([]string, 0, len(s.Neighbours))
	for _, n := range s.Neighbours {
		list = append(list, n.Text())
	}
	b, _ := json.Marshal(list)
	return string(b)
}

func agentVersion(inv *inventory.Inventory) string {
	if inv == nil {
		return ""
	}
	return store.ColumnText(inv.Agent.Version)
}

func uptime(inv *inventory.Inventory) float64 {
	if inv == nil || inv.Host == nil {
		return 0
	}
	return inv.Host.UptimeSeconds
}
